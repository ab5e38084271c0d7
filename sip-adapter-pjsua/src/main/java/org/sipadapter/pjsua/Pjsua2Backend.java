package org.sipadapter.pjsua;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.pjsip.pjsua2.Account;
import org.pjsip.pjsua2.AccountConfig;
import org.pjsip.pjsua2.AccountInfo;
import org.pjsip.pjsua2.AudioMedia;
import org.pjsip.pjsua2.AudioMediaRecorder;
import org.pjsip.pjsua2.AuthCredInfo;
import org.pjsip.pjsua2.Call;
import org.pjsip.pjsua2.CallMediaInfo;
import org.pjsip.pjsua2.CallMediaInfoVector;
import org.pjsip.pjsua2.CallOpParam;
import org.pjsip.pjsua2.CallSendDtmfParam;
import org.pjsip.pjsua2.Endpoint;
import org.pjsip.pjsua2.EpConfig;
import org.pjsip.pjsua2.OnCallMediaStateParam;
import org.pjsip.pjsua2.OnCallStateParam;
import org.pjsip.pjsua2.OnDtmfDigitParam;
import org.pjsip.pjsua2.OnIncomingCallParam;
import org.pjsip.pjsua2.OnRegStateParam;
import org.pjsip.pjsua2.SipHeader;
import org.pjsip.pjsua2.StreamInfo;
import org.pjsip.pjsua2.StringVector;
import org.pjsip.pjsua2.TransportConfig;
import org.pjsip.pjsua2.TransportInfo;
import org.pjsip.pjsua2.pjmedia_type;
import org.pjsip.pjsua2.pjsip_inv_state;
import org.pjsip.pjsua2.pjsip_transport_type_e;
import org.pjsip.pjsua2.pjsua_call_flag;
import org.pjsip.pjsua2.pjsua_call_media_status;
import org.pjsip.pjsua2.pjsua_dtmf_method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend on the real pjsua2 Java binding ({@code org.pjsip.pjsua2}, with {@code
 * libpjsua2.so}). One {@link Endpoint} per process: a second backend started while one runs is
 * refused.
 *
 * <p>Lifetimes follow the binding's rules: call objects are held here by reference until {@link
 * #release} deletes them after {@code DISCONNECTED}, outside the callback; the account is shut down
 * and deleted before {@code libDestroy()}.
 *
 * <p>Every call setting it passes has {@code textCount} and {@code videoCount} 0: pjsua 2.17 would
 * otherwise offer (and open sockets for) an {@code m=text} stream on every call.
 *
 * <p>Run by the tests only with the real binding in place ({@code -Ppjsua2-binding}, see {@code
 * docs/pjsua.md}).
 */
final class Pjsua2Backend implements UserAgentBackend {
  private static final Logger log = LoggerFactory.getLogger(Pjsua2Backend.class);
  private static final AtomicBoolean ENDPOINT_IN_USE = new AtomicBoolean();

  private final Map<String, AdapterCall> calls = new ConcurrentHashMap<>();
  private final Map<String, AudioMediaRecorder> recorders = new ConcurrentHashMap<>();
  private final AtomicLong incomingSeq = new AtomicLong();
  private Endpoint endpoint;
  private AdapterAccount account;
  private Events events;
  private boolean owner;
  private boolean registrar;
  private int transportId;
  private String version = "";

  @Override
  public void registerThread(String name) throws Exception {
    if (!endpoint.libIsThreadRegistered()) {
      endpoint.libRegisterThread(name);
    }
  }

  @Override
  public void start(Start s, Events events) throws Exception {
    if (!ENDPOINT_IN_USE.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "a pjsua Endpoint already runs in this process (pjsua2 allows one)");
    }
    owner = true;
    this.events = events;
    try {
      endpoint = new Endpoint();
    } catch (LinkageError e) {
      throw new Exception(Pjsua2Binding.loadFailure(e), e);
    }
    endpoint.libCreate();
    version = endpoint.libVersion().getFull();
    EpConfig ep = new EpConfig();
    ep.getUaConfig().setMaxCalls(s.maxCalls());
    ep.getUaConfig().setUserAgent(s.userAgent());
    ep.getLogConfig().setLevel(s.logLevel());
    ep.getLogConfig().setConsoleLevel(s.logLevel());
    endpoint.libInit(ep);
    TransportConfig tc = new TransportConfig();
    tc.setBoundAddress(s.boundAddress());
    tc.setPort(s.port());
    if (!s.publicAddress().isEmpty()) {
      tc.setPublicAddress(s.publicAddress());
    }
    if (s.transportType() == pjsip_transport_type_e.PJSIP_TRANSPORT_TLS) {
      tc.getTlsConfig().setCaListFile(s.caListFile());
      tc.getTlsConfig().setVerifyServer(s.verifyServer());
    }
    transportId = endpoint.transportCreate(s.transportType(), tc);
    endpoint.libStart();
    endpoint.audDevManager().setNullDev(); // headless: no sound card
    AccountConfig ac = new AccountConfig();
    ac.setIdUri(s.idUri());
    registrar = !s.registrarUri().isEmpty();
    if (registrar) {
      ac.getRegConfig().setRegistrarUri(s.registrarUri());
    }
    if (!s.outboundProxy().isEmpty()) {
      StringVector proxies = new StringVector();
      proxies.add(s.outboundProxy());
      ac.getSipConfig().setProxies(proxies);
    }
    ac.getMediaConfig().setSrtpUse(s.srtpUse());
    if (!s.username().isEmpty()) {
      // data type 0: plain password
      ac.getSipConfig()
          .getAuthCreds()
          .add(new AuthCredInfo("digest", "*", s.username(), 0, s.password().reveal()));
    }
    account = new AdapterAccount();
    account.create(ac);
  }

  @Override
  public void makeCall(String ref, String dstUri, String localUri, Map<String, String> headers)
      throws Exception {
    AdapterCall call = new AdapterCall(account, -1, ref);
    calls.put(ref, call); // strong reference: pjsua2 holds none
    CallOpParam prm = audioOnly();
    if (!localUri.isEmpty()) {
      prm.getTxOption().setLocalUri(localUri);
    }
    headers.forEach(
        (name, value) -> {
          SipHeader h = new SipHeader();
          h.setHName(name);
          h.setHValue(value);
          prm.getTxOption().getHeaders().add(h);
        });
    try {
      call.makeCall(dstUri, prm);
    } catch (Exception e) {
      calls.remove(ref);
      call.delete();
      throw e;
    }
  }

  /** A call setting with one audio stream and nothing else. */
  private static CallOpParam audioOnly() {
    CallOpParam prm = new CallOpParam(true);
    prm.getOpt().setAudioCount(1);
    prm.getOpt().setVideoCount(0);
    prm.getOpt().setTextCount(0);
    return prm;
  }

  @Override
  public void answer(String ref, int statusCode) throws Exception {
    CallOpParam prm = audioOnly();
    prm.setStatusCode(statusCode);
    call(ref).answer(prm);
  }

  @Override
  public void hangup(String ref, int statusCode) throws Exception {
    CallOpParam prm = new CallOpParam();
    prm.setStatusCode(statusCode);
    call(ref).hangup(prm);
  }

  @Override
  public void hold(String ref) throws Exception {
    call(ref).setHold(new CallOpParam(true));
  }

  @Override
  public void unhold(String ref) throws Exception {
    CallOpParam prm = audioOnly();
    prm.getOpt().setFlag(pjsua_call_flag.PJSUA_CALL_UNHOLD);
    call(ref).reinvite(prm);
  }

  @Override
  public void dialDtmf(String ref, String digits) throws Exception {
    AdapterCall c = call(ref);
    CallSendDtmfParam prm = new CallSendDtmfParam();
    try {
      prm.setDigits(digits);
      // pjmedia refuses RTP events (PJMEDIA_RTP_EREMNORFC2833) when the far end's SDP has no
      // telephone-event; such a far end gets the digits as SIP INFO (application/dtmf-relay)
      prm.setMethod(
          remoteTakesTelephoneEvents(c)
              ? pjsua_dtmf_method.PJSUA_DTMF_METHOD_RFC2833
              : pjsua_dtmf_method.PJSUA_DTMF_METHOD_SIP_INFO);
      c.sendDtmf(prm);
    } finally {
      prm.delete();
    }
  }

  /** Whether the negotiated audio stream has a telephone-event payload type toward the far end. */
  private static boolean remoteTakesTelephoneEvents(AdapterCall c) throws Exception {
    CallMediaInfoVector media = c.getInfo().getMedia();
    for (int i = 0; i < media.size(); i++) {
      CallMediaInfo m = media.get(i);
      if (m.getType() == pjmedia_type.PJMEDIA_TYPE_AUDIO
          && m.getStatus() == pjsua_call_media_status.PJSUA_CALL_MEDIA_ACTIVE) {
        StreamInfo si = c.getStreamInfo(m.getIndex());
        try {
          return si.getAudTxEventPt() >= 0;
        } finally {
          si.delete();
        }
      }
    }
    return false;
  }

  @Override
  public void transfer(String ref, String dstUri) throws Exception {
    call(ref).xfer(dstUri, new CallOpParam(true));
  }

  @Override
  public void transferReplaces(String ref, String destRef) throws Exception {
    call(ref).xferReplaces(call(destRef), new CallOpParam(true));
  }

  @Override
  public void startRecording(String ref, Path file) throws Exception {
    AdapterCall c = call(ref);
    if (recorders.containsKey(ref)) {
      throw new Exception("call " + ref + " records already");
    }
    AudioMediaRecorder rec = new AudioMediaRecorder();
    try {
      rec.createRecorder(file.toString());
      AudioMedia audio = c.getAudioMedia(-1);
      audio.startTransmit(rec);
      audio.delete();
    } catch (Exception e) {
      rec.delete();
      throw e;
    }
    recorders.put(ref, rec);
  }

  @Override
  public void stopRecording(String ref) throws Exception {
    AudioMediaRecorder rec = recorders.remove(ref);
    if (rec == null) {
      throw new Exception("call " + ref + " records nothing");
    }
    rec.delete(); // leaves the bridge and closes the file
  }

  @Override
  public void connectAudio(String fromRef, String toRef) throws Exception {
    AudioMedia from = call(fromRef).getAudioMedia(-1);
    AudioMedia to = call(toRef).getAudioMedia(-1);
    try {
      from.startTransmit(to);
    } finally {
      from.delete();
      to.delete();
    }
  }

  @Override
  public Map<String, Object> details() throws Exception {
    Map<String, Object> d = new LinkedHashMap<>();
    TransportInfo t = endpoint.transportGetInfo(transportId);
    d.put("transport", t.getTypeName() + " " + t.getLocalName());
    t.delete();
    if (registrar) {
      AccountInfo a = account.getInfo();
      d.put("registered", a.getRegIsActive());
      d.put("registrationStatus", a.getRegStatus() + " " + a.getRegStatusText());
      d.put("registrationExpiresSec", a.getRegExpiresSec());
      a.delete();
    }
    d.put("pjsuaCalls", calls.size());
    return d;
  }

  @Override
  public void release(String ref) {
    AudioMediaRecorder rec = recorders.remove(ref);
    if (rec != null) {
      rec.delete();
    }
    AdapterCall c = calls.remove(ref);
    if (c != null) {
      c.delete();
    }
  }

  @Override
  public void stop() {
    if (!owner) {
      return;
    }
    try {
      if (endpoint != null) {
        endpoint.hangupAllCalls();
      }
      recorders.values().forEach(AudioMediaRecorder::delete);
      recorders.clear();
      calls.values().forEach(Call::delete);
      calls.clear();
      if (account != null) {
        account.shutdown();
        account.delete();
      }
      if (endpoint != null) {
        endpoint.libDestroy();
        endpoint.delete();
      }
    } catch (Exception | LinkageError e) {
      log.warn("pjsua shutdown: {}", e.toString());
    } finally {
      account = null;
      endpoint = null;
      owner = false;
      ENDPOINT_IN_USE.set(false);
    }
  }

  @Override
  public String version() {
    return version;
  }

  private AdapterCall call(String ref) throws Exception {
    AdapterCall c = calls.get(ref);
    if (c == null) {
      throw new Exception("no pjsua call " + ref);
    }
    return c;
  }

  private static UserAgentBackend.CallInfo copy(org.pjsip.pjsua2.CallInfo ci) {
    return new UserAgentBackend.CallInfo(
        ci.getId(),
        ci.getState(),
        ci.getStateText(),
        ci.getLastStatusCode(),
        ci.getLastReason(),
        ci.getCallIdString(),
        ci.getLocalUri(),
        ci.getRemoteUri());
  }

  /** The account director: incoming calls and registration state. */
  private final class AdapterAccount extends Account {
    @Override
    public void onIncomingCall(OnIncomingCallParam prm) {
      String ref = "in-" + incomingSeq.incrementAndGet();
      AdapterCall call = new AdapterCall(this, prm.getCallId(), ref);
      calls.put(ref, call);
      try {
        events.onIncomingCall(ref, copy(call.getInfo()));
      } catch (Exception e) {
        log.warn("incoming call {}: {}", ref, e.toString());
      }
    }

    @Override
    public void onRegState(OnRegStateParam prm) {
      events.onRegState(prm.getCode(), prm.getReason());
    }
  }

  /** The call director: state, media and DTMF callbacks, tagged with the adapter's reference. */
  private final class AdapterCall extends Call {
    private final String ref;

    AdapterCall(Account account, int callId, String ref) {
      super(account, callId);
      this.ref = ref;
    }

    @Override
    public void onCallState(OnCallStateParam prm) {
      try {
        events.onCallState(ref, copy(getInfo()));
      } catch (Exception e) {
        log.warn("call state of {}: {}", ref, e.toString());
      }
    }

    @Override
    public void onCallMediaState(OnCallMediaStateParam prm) {
      try {
        CallMediaInfoVector media = getInfo().getMedia();
        for (int i = 0; i < media.size(); i++) {
          CallMediaInfo m = media.get(i);
          if (m.getType() == pjmedia_type.PJMEDIA_TYPE_AUDIO) {
            events.onCallMediaState(ref, m.getStatus());
            return;
          }
        }
        events.onCallMediaState(ref, pjsua_call_media_status.PJSUA_CALL_MEDIA_NONE);
      } catch (Exception e) {
        log.warn("media state of {}: {}", ref, e.toString());
      }
    }

    @Override
    public void onDtmfDigit(OnDtmfDigitParam prm) {
      events.onDtmfDigit(ref, prm.getDigit());
    }
  }

  static {
    // the state values the adapter compares with are the binding's
    assert pjsip_inv_state.PJSIP_INV_STATE_EARLY == PjsuaAdapter.INV_EARLY;
    assert pjsip_inv_state.PJSIP_INV_STATE_CONFIRMED == PjsuaAdapter.INV_CONFIRMED;
    assert pjsip_inv_state.PJSIP_INV_STATE_DISCONNECTED == PjsuaAdapter.INV_DISCONNECTED;
  }
}
