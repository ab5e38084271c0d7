package org.sipadapter.pjsua;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.pjsip.pjsua2.Account;
import org.pjsip.pjsua2.AccountConfig;
import org.pjsip.pjsua2.AuthCredInfo;
import org.pjsip.pjsua2.Call;
import org.pjsip.pjsua2.CallMediaInfo;
import org.pjsip.pjsua2.CallMediaInfoVector;
import org.pjsip.pjsua2.CallOpParam;
import org.pjsip.pjsua2.Endpoint;
import org.pjsip.pjsua2.EpConfig;
import org.pjsip.pjsua2.OnCallMediaStateParam;
import org.pjsip.pjsua2.OnCallStateParam;
import org.pjsip.pjsua2.OnDtmfDigitParam;
import org.pjsip.pjsua2.OnIncomingCallParam;
import org.pjsip.pjsua2.OnRegStateParam;
import org.pjsip.pjsua2.SipHeader;
import org.pjsip.pjsua2.TransportConfig;
import org.pjsip.pjsua2.pjmedia_type;
import org.pjsip.pjsua2.pjsip_inv_state;
import org.pjsip.pjsua2.pjsip_transport_type_e;
import org.pjsip.pjsua2.pjsua_call_flag;
import org.pjsip.pjsua2.pjsua_call_media_status;
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
 * <p>Not covered by this project's tests (the native library is not available to them); see {@code
 * docs/pjsua.md}.
 */
final class Pjsua2Backend implements UserAgentBackend {
  private static final Logger log = LoggerFactory.getLogger(Pjsua2Backend.class);
  private static final AtomicBoolean ENDPOINT_IN_USE = new AtomicBoolean();

  private final Map<String, AdapterCall> calls = new ConcurrentHashMap<>();
  private final AtomicLong incomingSeq = new AtomicLong();
  private Endpoint endpoint;
  private AdapterAccount account;
  private Events events;
  private boolean owner;

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
    endpoint = new Endpoint();
    endpoint.libCreate();
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
    endpoint.transportCreate(
        s.tcp()
            ? pjsip_transport_type_e.PJSIP_TRANSPORT_TCP
            : pjsip_transport_type_e.PJSIP_TRANSPORT_UDP,
        tc);
    endpoint.libStart();
    endpoint.audDevManager().setNullDev(); // headless: no sound card
    AccountConfig ac = new AccountConfig();
    ac.setIdUri(s.idUri());
    if (!s.registrarUri().isEmpty()) {
      ac.getRegConfig().setRegistrarUri(s.registrarUri());
    }
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
    CallOpParam prm = new CallOpParam(true);
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

  @Override
  public void answer(String ref, int statusCode) throws Exception {
    CallOpParam prm = new CallOpParam(true);
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
    CallOpParam prm = new CallOpParam(true);
    prm.getOpt().setFlag(pjsua_call_flag.PJSUA_CALL_UNHOLD);
    call(ref).reinvite(prm);
  }

  @Override
  public void dialDtmf(String ref, String digits) throws Exception {
    call(ref).dialDtmf(digits);
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
  public void release(String ref) {
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
    return "pjsua2";
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
