package org.sipadapter.yate;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;
import org.sipadapter.testkit.yate.YateEmulator;

/** The conformance suite's server: a {@link YateEmulator} on loopback, inbound calls taken. */
final class YateEmulatorFixture implements TckFixture {
  final YateEmulator yate =
      new YateEmulator()
          .route("2000", YateEmulator.Outcome.ANSWER)
          .route("2001", YateEmulator.Outcome.BUSY)
          .route("2002", YateEmulator.Outcome.NO_ROUTE)
          .route("2003", YateEmulator.Outcome.NO_ANSWER)
          .timing(Duration.ofMillis(10), Duration.ofMillis(20))
          .start();

  private volatile Set<String> callsBeforeStall = Set.of();

  static AdapterConfig configFor(YateEmulator yate) {
    return AdapterConfig.builder(YateAdapter.TYPE)
        .name("yate-test")
        .server(yate.host(), yate.port())
        .option("inbound", true)
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                Duration.ofSeconds(20),
                Duration.ofSeconds(30)))
        .build();
  }

  @Override
  public SipAdapter createAdapter(AdapterConfig config) {
    return new YateAdapter(config);
  }

  @Override
  public AdapterConfig config() {
    return configFor(yate);
  }

  @Override
  public Set<TckCapability> capabilities() {
    return Set.of(TckCapability.values());
  }

  @Override
  public Optional<String> destination(Destination destination) {
    return Optional.of(
        switch (destination) {
          case ANSWERS -> "2000";
          case BUSY -> "2001";
          case UNKNOWN -> "2002";
          case NO_ANSWER -> "2003";
        });
  }

  @Override
  public void hangupOnServer(CallStatus call) {
    yate.remoteHangup(call.serverIds().get(YateAdapter.CHANNEL_KEY));
  }

  @Override
  public void triggerInboundCall(String from, String to) {
    yate.incomingCall(from, to);
  }

  @Override
  public void sendDtmfToAdapter(CallStatus call, String digit) {
    yate.dtmfFromRemote(call.serverIds().get(YateAdapter.CHANNEL_KEY), digit);
  }

  @Override
  public void stallServer() {
    callsBeforeStall = yate.calls();
    yate.stall();
  }

  @Override
  public void resumeServer() {
    yate.resume(); // a thawed Yate carries out what it received meanwhile
  }

  @Override
  public java.util.OptionalInt serverCalls() {
    // the calls placed since the stall: earlier checks of the class leave theirs on the engine, as
    // they would on a real Yate after a lost link
    Set<String> calls = new java.util.HashSet<>(yate.calls());
    calls.removeAll(callsBeforeStall);
    return java.util.OptionalInt.of(calls.size());
  }

  @Override
  public Optional<String> transferTarget() {
    return Optional.of("2000");
  }

  @Override
  public void sendLargeMessage(int bytes) {
    yate.injectHugeFrame(bytes);
  }

  @Override
  public void sendMalformedFrames() {
    yate.injectGarbage();
  }

  @Override
  public boolean isSharedThread(String threadName) {
    return threadName.startsWith("emulator-yate");
  }

  @Override
  public void close() {
    yate.close();
  }
}
