package org.sipadapter.asterisk;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/** The conformance suite against the AMI emulator. */
class AsteriskConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return new EmulatorFixture();
  }

  /** An {@link AmiEmulator} with one extension per destination kind. */
  static final class EmulatorFixture implements TckFixture {
    private final AmiEmulator pbx =
        AmiEmulator.create()
            .outcome("2000", AmiEmulator.Outcome.ANSWER)
            .outcome("300", AmiEmulator.Outcome.BUSY)
            .outcome("400", AmiEmulator.Outcome.NO_ANSWER)
            .outcome("999", AmiEmulator.Outcome.UNKNOWN_EXTENSION)
            // Answered calls are bridged to a second leg with the transfer feature, as a
            // click-to-call with Dial(...,T) is on a real Asterisk.
            .dialContext("sdk-click", "Local/{exten}@sdk-targets")
            .ringTimes(Duration.ofMillis(20), Duration.ofSeconds(30))
            .start();

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      return new AsteriskAdapter(config);
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder("asterisk")
          .name("tck-asterisk")
          .server(pbx.host(), pbx.port())
          .auth("admin", "amipass")
          .option("context", "sdk-click")
          .timeouts(
              new Timeouts(
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(30)))
          .build();
    }

    @Override
    public Set<TckCapability> capabilities() {
      return Set.of(TckCapability.values());
    }

    @Override
    public Optional<AdapterConfig> configWithWrongCredentials() {
      return Optional.of(config().toBuilder().auth("admin", "not-the-secret").build());
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return Optional.of(
          switch (destination) {
            case ANSWERS -> "2000";
            case BUSY -> "300";
            case NO_ANSWER -> "400";
            case UNKNOWN -> "999";
          });
    }

    @Override
    public void hangupOnServer(CallStatus call) {
      pbx.remoteHangup(call.serverIds().get("Uniqueid"), 16);
    }

    @Override
    public void triggerInboundCall(String from, String to) {
      pbx.incomingCall(from, to);
    }

    @Override
    public void sendDtmfToAdapter(CallStatus call, String digit) {
      pbx.receiveDtmf(call.serverIds().get("Uniqueid"), digit);
    }

    private java.util.Set<String> beforeStall = java.util.Set.of();

    @Override
    public void stallServer() {
      beforeStall = java.util.Set.copyOf(pbx.channelNames());
      pbx.stall();
    }

    @Override
    public void resumeServer() {
      // Held requests are carried out late, as by a thawed Asterisk.
      pbx.resume();
    }

    @Override
    public java.util.OptionalInt serverCalls() {
      // Calls earlier tests left up (a transferee joined to its target) are not this test's.
      return java.util.OptionalInt.of(
          (int) pbx.channelNames().stream().filter(c -> !beforeStall.contains(c)).count());
    }

    @Override
    public void sendLargeMessage(int bytes) {
      pbx.injectHugeFrame(bytes);
    }

    @Override
    public void sendMalformedFrames() {
      pbx.injectGarbage();
    }

    @Override
    public Optional<String> transferTarget() {
      return Optional.of("2001");
    }

    @Override
    public boolean isSharedThread(String threadName) {
      return threadName.startsWith("emulator-");
    }

    @Override
    public void close() {
      pbx.close();
    }
  }
}
