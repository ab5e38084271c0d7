package org.sipadapter.asterisk;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.asterisk.RequiresAsterisk;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/**
 * The conformance suite against a real Asterisk 22: calls go through PJSIP to SIPp phones (an
 * answered call is bridged to a second phone with {@code Dial(...,T)}), inbound calls come from a
 * SIPp caller, the server is frozen with SIGSTOP for the stall test.
 */
@RequiresAsterisk
class RealAsteriskConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return new Fixture(RealAsterisk.open(""));
  }

  @Override
  protected Duration eventTimeout() {
    return Duration.ofSeconds(60);
  }

  private static final class Fixture implements TckFixture {
    private final RealAsterisk asterisk;

    Fixture(RealAsterisk asterisk) {
      this.asterisk = asterisk;
    }

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      return new AsteriskAdapter(config);
    }

    @Override
    public AdapterConfig config() {
      // Answered calls are bridged with Dial(...,T), so both transfer kinds have what they need.
      return asterisk.clickToCall().build();
    }

    @Override
    public Optional<AdapterConfig> configWithWrongCredentials() {
      return Optional.of(config().toBuilder().auth("sdk", "not-the-secret").build());
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
            case BUSY -> "486";
            case UNKNOWN -> "404";
            case NO_ANSWER -> "408";
          });
    }

    @Override
    public void hangupOnServer(CallStatus call) {
      asterisk.probe.action(
          AmiMessage.builder()
              .add("Action", "Hangup")
              .add("Channel", call.serverIds().get("Channel"))
              .add("Cause", "16"));
    }

    @Override
    public void triggerInboundCall(String from, String to) {
      asterisk.call(from, to);
    }

    @Override
    public void sendDtmfToAdapter(CallStatus call, String digit) {
      // Asterisk acts as if the phone had sent the digit on the call's channel.
      asterisk.probe.action(
          AmiMessage.builder()
              .add("Action", "PlayDTMF")
              .add("Channel", call.serverIds().get("Channel"))
              .add("Digit", digit)
              .add("Receive", "yes"));
    }

    private java.util.Set<String> beforeStall = java.util.Set.of();

    /**
     * Counts on a session of its own without events: the shared probe receives every event, and
     * during the soak's bursts Asterisk closed it once (a session it cannot write to within its
     * write timeout is dropped). Reconnected if Asterisk closes it all the same.
     */
    private org.sipadapter.testkit.asterisk.AmiProbe counter;

    private synchronized java.util.List<org.sipadapter.testkit.ami.AmiMessage> channels() {
      for (int attempt = 0; ; attempt++) {
        if (counter == null || counter.isClosed()) {
          counter = asterisk.server.quietProbe();
        }
        try {
          return counter.channels();
        } catch (IllegalStateException e) {
          if (!counter.isClosed() || attempt > 0) {
            throw e;
          }
        }
      }
    }

    private java.util.Set<String> channelNames() {
      java.util.Set<String> names = new java.util.HashSet<>();
      channels().forEach(c -> names.add(c.get("Channel", "")));
      return names;
    }

    @Override
    public void stallServer() {
      beforeStall = channelNames();
      // SIGSTOP: the sockets stay open; after SIGCONT Asterisk carries out what it received.
      asterisk.server.freeze();
    }

    @Override
    public java.util.OptionalInt serverCalls() {
      // Calls earlier tests left up (a transferee joined to its target) are not this test's.
      return java.util.OptionalInt.of(
          (int) channelNames().stream().filter(c -> !beforeStall.contains(c)).count());
    }

    @Override
    public void resumeServer() {
      asterisk.server.thaw();
    }

    @Override
    public Optional<String> transferTarget() {
      return Optional.of("2001");
    }

    @Override
    public boolean isSharedThread(String threadName) {
      return threadName.startsWith("ami-probe-");
    }

    @Override
    public void close() {
      if (counter != null) {
        counter.close();
      }
      asterisk.close();
    }
  }
}
