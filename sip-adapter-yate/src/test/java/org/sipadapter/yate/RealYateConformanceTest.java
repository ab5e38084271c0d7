package org.sipadapter.yate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;
import org.sipadapter.testkit.yate.RequiresYate;
import org.sipadapter.testkit.yate.YateProbe;
import org.sipadapter.testkit.yate.YateServer;

/**
 * The conformance suite against a real Yate ({@link YateServer}): answered calls go to a SIPp phone
 * that rings for 300 ms then answers, busy, unanswered and transfer targets through SIP back into
 * the same Yate (its tones and {@code dumb/}), inbound calls come from a SIPp caller and are taken
 * by the adapter's {@code call.route} handler (numbers starting with 4); a second extmodule client
 * hangs calls up on the server and makes the far leg receive DTMF; the server is frozen with
 * SIGSTOP for the stall test. Skipped unless {@code YATE_HOME} or {@code -Dsipadapter.yate.home}
 * names a Yate.
 */
@RequiresYate
class RealYateConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    // A phone that rings a while: when the 200 follows the 180 at once, Yate may report no
    // call.ringing at all (seen with SIPp's built-in uas while a call.route handler is installed).
    SippProcess phone =
        SippProcess.uas(UasScenario.RING_THEN_ANSWER).ringDelay(Duration.ofMillis(300)).start();
    try {
      return new Fixture(
          YateServer.builder()
              .route("^2000$", "sip/sip:2000@127.0.0.1:" + phone.port())
              .build()
              .start(),
          phone);
    } catch (RuntimeException e) {
      phone.close();
      throw e;
    }
  }

  @Override
  protected Duration eventTimeout() {
    return Duration.ofSeconds(20);
  }

  private static final class Fixture implements TckFixture {
    private final YateServer yate;
    private final SippProcess phone;
    private final YateProbe probe;
    private final List<SippProcess> callers = new ArrayList<>();
    private Set<String> beforeStall = Set.of();

    Fixture(YateServer yate, SippProcess phone) {
      this.yate = yate;
      this.phone = phone;
      this.probe = yate.probe();
    }

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      return new YateAdapter(config);
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder(YateAdapter.TYPE)
          .name("real-yate")
          .server(yate.host(), yate.extmodulePort())
          // the self-loop's incoming legs are Yate's to route; the SIPp caller's calls are ours
          .option("inbound", true)
          .option("inboundCalled", "^4")
          // the health report asks the console too
          .option("rmanagerPort", yate.rmanagerPort())
          .option("rmanagerPassword", yate.rmanagerPassword())
          .timeouts(
              new Timeouts(
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(30)))
          .build();
    }

    @Override
    public Set<TckCapability> capabilities() {
      return Set.of(
          TckCapability.FAULT_PROXY,
          TckCapability.REMOTE_HANGUP,
          TckCapability.INBOUND_CALL,
          TckCapability.DTMF_TO_ADAPTER,
          TckCapability.STALL,
          TckCapability.LATE_ANSWER,
          TckCapability.SECOND_CLIENT);
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return Optional.of(
          switch (destination) {
            case ANSWERS -> "2000";
            case BUSY -> "1486";
            case UNKNOWN -> "5555";
            case NO_ANSWER -> "408";
          });
    }

    @Override
    public void hangupOnServer(CallStatus call) {
      probe.dispatch(
          "call.drop", "id", call.serverIds().get(YateAdapter.CHANNEL_KEY), "reason", "normal");
    }

    @Override
    public void triggerInboundCall(String from, String to) {
      callers.add(
          SippProcess.uac(yate.host(), yate.sipPort())
              .scenarioResource("/org/sipadapter/testkit/sipp/uac-caller.xml")
              .service(to)
              .extraArgs("-key", "caller", from)
              .calls(1)
              .start());
    }

    @Override
    public void sendDtmfToAdapter(CallStatus call, String digit) {
      // Yate acts as if the far leg had received the digit
      probe.dispatch(
          "chan.masquerade",
          "id",
          call.serverIds().get(YateAdapter.CHANNEL_KEY),
          "message",
          "chan.dtmf",
          "text",
          digit);
    }

    private Set<String> localLegs() {
      Set<String> ids = new HashSet<>();
      probe.channels("dumb").forEach(c -> ids.add(c.id()));
      return ids;
    }

    @Override
    public void stallServer() {
      beforeStall = localLegs();
      yate.freeze();
    }

    @Override
    public OptionalInt serverCalls() {
      // the local legs placed since the stall; earlier checks may leave theirs (a transferee)
      return OptionalInt.of(
          (int) localLegs().stream().filter(c -> !beforeStall.contains(c)).count());
    }

    @Override
    public void resumeServer() {
      yate.thaw();
    }

    @Override
    public Optional<String> transferTarget() {
      return Optional.of("100");
    }

    @Override
    public boolean isSharedThread(String threadName) {
      return threadName.startsWith("yate-probe-");
    }

    @Override
    public void close() {
      probe.close();
      callers.forEach(SippProcess::close);
      yate.close();
      phone.close();
    }
  }
}
