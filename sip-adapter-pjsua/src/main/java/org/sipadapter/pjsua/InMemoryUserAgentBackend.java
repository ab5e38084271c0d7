package org.sipadapter.pjsua;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.pjsua.FakeUserAgent;

/**
 * {@link UserAgentBackend} on the testkit's in-memory {@link FakeUserAgent}: no native library, no
 * network. It makes one pjsua2 call per method as {@link Pjsua2Backend} does, so the adapter meets
 * the same call order, callback thread and thread-registration rule as on the binding. For tests
 * and demonstrations: pass it to {@link PjsuaAdapter#PjsuaAdapter(AdapterConfig,
 * java.util.function.Supplier)}; the provider and {@link PjsuaAdapter#PjsuaAdapter(AdapterConfig)}
 * always use the real binding.
 *
 * <p>Needs {@code sip-adapter-testkit} on the class path (an optional dependency of this module).
 * One instance per connect: {@link #stop()} destroys the agent's library.
 */
public final class InMemoryUserAgentBackend implements UserAgentBackend {
  private final FakeUserAgent agent;
  private final Map<String, Integer> slots = new ConcurrentHashMap<>();
  private final Map<String, Integer> recorders = new ConcurrentHashMap<>();
  private int incoming;
  private int transportId;
  private boolean registrar;
  private Events events;

  /**
   * Creates a backend on an agent.
   *
   * @param agent the in-memory user agent, set up with its routes; not started yet
   */
  public InMemoryUserAgentBackend(FakeUserAgent agent) {
    this.agent = agent;
  }

  @Override
  public void registerThread(String name) throws Exception {
    if (!agent.libIsThreadRegistered()) {
      agent.libRegisterThread(name);
    }
  }

  @Override
  public void start(Start s, Events events) throws Exception {
    this.events = events;
    agent.libCreate();
    agent.libInit(s.maxCalls());
    transportId =
        agent.transportCreate(
            s.transportType(), s.boundAddress(), s.port(), s.caListFile(), s.verifyServer());
    agent.libStart();
    registrar = !s.registrarUri().isEmpty();
    agent.accountCreate(
        s.idUri(),
        s.registrarUri(),
        s.username(),
        s.password().reveal(),
        s.outboundProxy().isEmpty() ? List.of() : List.of(s.outboundProxy()),
        s.srtpUse(),
        new FakeUserAgent.AccountObserver() {
          @Override
          public FakeUserAgent.CallObserver onIncomingCall(int callId) {
            String ref = "in-" + (++incoming);
            slots.put(ref, callId);
            FakeUserAgent.CallObserver observer = observer(ref);
            try {
              events.onIncomingCall(ref, copy(agent.getInfo(callId)));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return observer;
          }

          @Override
          public void onRegState(int code, String reason) {
            events.onRegState(code, reason);
          }
        });
  }

  private FakeUserAgent.CallObserver observer(String ref) {
    return new FakeUserAgent.CallObserver() {
      @Override
      public void onCallState(FakeUserAgent.CallInfo info) {
        events.onCallState(ref, copy(info));
      }

      @Override
      public void onCallMediaState(int callId, int mediaStatus) {
        events.onCallMediaState(ref, mediaStatus);
      }

      @Override
      public void onDtmfDigit(int callId, String digit) {
        events.onDtmfDigit(ref, digit);
      }
    };
  }

  private static CallInfo copy(FakeUserAgent.CallInfo i) {
    return new CallInfo(
        i.id(),
        i.state(),
        i.stateText(),
        i.lastStatusCode(),
        i.lastReason(),
        i.callIdString(),
        i.localUri(),
        i.remoteUri());
  }

  @Override
  public void makeCall(String ref, String dstUri, String localUri, Map<String, String> headers)
      throws Exception {
    // textCount 0: no m=text stream (pjsua's default offers one and opens two more sockets)
    slots.put(ref, agent.makeCall(dstUri, localUri, headers, 0, observer(ref)));
  }

  @Override
  public void answer(String ref, int statusCode) throws Exception {
    agent.answer(slot(ref), statusCode);
  }

  @Override
  public void hangup(String ref, int statusCode) throws Exception {
    agent.hangup(slot(ref), statusCode, "");
  }

  @Override
  public void hold(String ref) throws Exception {
    agent.setHold(slot(ref));
  }

  @Override
  public void unhold(String ref) throws Exception {
    agent.reinviteUnhold(slot(ref));
  }

  @Override
  public void dialDtmf(String ref, String digits) throws Exception {
    int slot = slot(ref);
    // as Pjsua2Backend: RFC 2833 where the far end's SDP has telephone-event, else SIP INFO
    int method =
        agent.audTxEventPt(slot) >= 0 ? FakeUserAgent.DTMF_RFC2833 : FakeUserAgent.DTMF_SIP_INFO;
    agent.sendDtmf(slot, method, digits);
  }

  @Override
  public void transfer(String ref, String dstUri) throws Exception {
    agent.xfer(slot(ref), dstUri);
  }

  @Override
  public void transferReplaces(String ref, String destRef) throws Exception {
    agent.xferReplaces(slot(ref), slot(destRef));
  }

  @Override
  public void startRecording(String ref, Path file) throws Exception {
    if (recorders.containsKey(ref)) {
      throw new Exception("call " + ref + " records already");
    }
    int slot = slot(ref);
    int rec = agent.createRecorder(file.toString());
    try {
      agent.startTransmitToRecorder(slot, rec);
    } catch (Exception e) {
      agent.destroyRecorder(rec);
      throw e;
    }
    recorders.put(ref, rec);
  }

  @Override
  public void stopRecording(String ref) throws Exception {
    Integer rec = recorders.remove(ref);
    if (rec == null) {
      throw new Exception("call " + ref + " records nothing");
    }
    agent.destroyRecorder(rec);
  }

  @Override
  public void connectAudio(String fromRef, String toRef) throws Exception {
    agent.startTransmit(slot(fromRef), slot(toRef));
  }

  @Override
  public Map<String, Object> details() throws Exception {
    Map<String, Object> d = new LinkedHashMap<>();
    FakeUserAgent.TransportInfo t = agent.transportGetInfo(transportId);
    d.put("transport", t.typeName() + " " + t.localName());
    if (registrar) {
      FakeUserAgent.RegInfo r = agent.accountInfo();
      d.put("registered", r.active());
      d.put("registrationStatus", r.status() + " " + r.statusText());
      d.put("registrationExpiresSec", r.expiresSec());
    }
    d.put("pjsuaCalls", agent.liveCalls());
    return d;
  }

  @Override
  public void release(String ref) {
    slots.remove(ref);
    Integer rec = recorders.remove(ref);
    if (rec != null) {
      try {
        agent.destroyRecorder(rec);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void stop() {
    try {
      agent.libDestroy();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    slots.clear();
    recorders.clear();
  }

  @Override
  public String version() {
    return agent.libVersion() + " (in-memory)";
  }

  private int slot(String ref) throws Exception {
    Integer s = slots.get(ref);
    if (s == null) {
      throw new Exception("no call " + ref);
    }
    return s;
  }
}
