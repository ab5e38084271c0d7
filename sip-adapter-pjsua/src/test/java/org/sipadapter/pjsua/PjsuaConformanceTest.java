package org.sipadapter.pjsua;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.pjsua.FakeUserAgent;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/**
 * The pjsua adapter held to the conformance suite on the in-memory {@link FakeUserAgent}. The user
 * agent runs in this process, so there is no link to cut or flood: the fault-proxy and
 * large-message tests are skipped. The "server" that can freeze is the library itself: {@link
 * FakeUserAgent#freeze()} holds the library lock on the worker as a stuck pjsua does, and the calls
 * that waited go through on {@link FakeUserAgent#thaw()} (STALL, LATE_ANSWER). A second adapter is
 * a second user agent, which sees none of the first one's calls: no SECOND_CLIENT.
 */
class PjsuaConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return new FakeAgentFixture();
  }

  /** One {@link FakeUserAgent} per adapter, reachable for the far-end actions. */
  static final class FakeAgentFixture implements TckFixture {
    private volatile FakeUserAgent current;

    FakeUserAgent newAgent() {
      FakeUserAgent agent =
          new FakeUserAgent()
              .route("2000", FakeUserAgent.Outcome.ANSWER)
              .route("2001", FakeUserAgent.Outcome.ANSWER)
              .route("486", FakeUserAgent.Outcome.BUSY)
              .route("480", FakeUserAgent.Outcome.NO_ANSWER)
              .timing(Duration.ofMillis(10), Duration.ofMillis(20))
              .maxCallsCap(256) // a library built with a larger PJSUA_MAX_CALLS
              .mediaHandles(640) // and PJ_IOQUEUE_MAX_HANDLES
              .registrarAccepts("1000", "pjsua-secret");
      current = agent;
      return agent;
    }

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      return new PjsuaAdapter(config, () -> new InMemoryUserAgentBackend(newAgent()));
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder(PjsuaAdapter.TYPE)
          .name("tck-pjsua")
          .server("127.0.0.1", 5060)
          .auth("1000", "pjsua-secret")
          .option("registrar", "sip:pbx.test")
          .option("recordingDirectory", System.getProperty("java.io.tmpdir"))
          .option("maxCalls", 160)
          .option("mediaHandles", 640)
          .timeouts(
              // connect: the start and REGISTER of a new agent run on worker threads that a
              // loaded machine may hold back for seconds; nothing waits for this timeout
              new Timeouts(
                  Duration.ofSeconds(10),
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(20),
                  Duration.ofSeconds(30)))
          .build();
    }

    @Override
    public Set<TckCapability> capabilities() {
      return Set.of(
          TckCapability.REMOTE_HANGUP,
          TckCapability.INBOUND_CALL,
          TckCapability.DTMF_TO_ADAPTER,
          TckCapability.STALL,
          TckCapability.LATE_ANSWER);
    }

    @Override
    public void stallServer() {
      try {
        current.freeze();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void resumeServer() {
      current.thaw();
    }

    @Override
    public OptionalInt serverCalls() {
      return OptionalInt.of(current.liveCalls());
    }

    @Override
    public Optional<AdapterConfig> configWithWrongCredentials() {
      return Optional.of(config().toBuilder().auth("1000", "not-the-secret").build());
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return Optional.of(
          switch (destination) {
            case ANSWERS -> "2000";
            case BUSY -> "486";
            case UNKNOWN -> "404";
            case NO_ANSWER -> "480";
          });
    }

    @Override
    public Optional<String> transferTarget() {
      return Optional.of("2001");
    }

    @Override
    public void hangupOnServer(CallStatus call) {
      current.remoteHangup(call.serverIds().get(PjsuaAdapter.SIP_CALL_ID));
    }

    @Override
    public void triggerInboundCall(String from, String to) {
      current.incomingCall(from, to);
    }

    @Override
    public void sendDtmfToAdapter(CallStatus call, String digit) {
      current.remoteDtmf(call.serverIds().get(PjsuaAdapter.SIP_CALL_ID), digit);
    }
  }
}
