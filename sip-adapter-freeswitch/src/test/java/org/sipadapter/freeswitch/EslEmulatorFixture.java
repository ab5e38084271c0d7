package org.sipadapter.freeswitch;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.esl.EslEmulator;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/** The conformance suite's server: an {@link EslEmulator} on loopback. */
final class EslEmulatorFixture implements TckFixture {
  static final String PASSWORD = "Tck-Secret-42";

  final EslEmulator emulator =
      new EslEmulator(PASSWORD)
          .route("2000", EslEmulator.Behavior.ANSWER)
          .route("2001", EslEmulator.Behavior.BUSY)
          .route("2002", EslEmulator.Behavior.UNKNOWN)
          .route("2003", EslEmulator.Behavior.NO_ANSWER)
          // SIP phones registered in the directory, reached with user/<n>: they ring (180) and can
          // be held, unlike a loopback call
          .registerUser("2000")
          .registerUser("2001")
          .registerUser("2002")
          .registerUser("2003")
          .registerUser("3000")
          .noAnswerAfter(Duration.ofMillis(500))
          .answerAfter(Duration.ofMillis(20))
          .start();

  static AdapterConfig configFor(EslEmulator emulator, String password) {
    return AdapterConfig.builder(FreeSwitchAdapter.TYPE)
        .name("fs-test")
        .server(emulator.host(), emulator.port())
        .auth("", password)
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
    return new FreeSwitchAdapter(config);
  }

  @Override
  public AdapterConfig config() {
    return phones(configFor(emulator, PASSWORD));
  }

  @Override
  public Optional<AdapterConfig> configWithWrongCredentials() {
    return Optional.of(phones(configFor(emulator, "WrongPassword")));
  }

  private static AdapterConfig phones(AdapterConfig config) {
    return config.toBuilder().option("endpoint", "user/{to}").build();
  }

  @Override
  public Set<TckCapability> capabilities() {
    return Set.of(
        TckCapability.FAULT_PROXY,
        TckCapability.REMOTE_HANGUP,
        TckCapability.INBOUND_CALL,
        TckCapability.DTMF_TO_ADAPTER,
        TckCapability.STALL,
        TckCapability.LARGE_MESSAGE,
        TckCapability.MALFORMED_FRAMES,
        TckCapability.LATE_ANSWER,
        TckCapability.SECOND_CLIENT);
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
    emulator.hangupFromRemote(uuid(call), "NORMAL_CLEARING");
  }

  @Override
  public void triggerInboundCall(String from, String to) {
    emulator.placeInboundCall(from, to);
  }

  @Override
  public void sendDtmfToAdapter(CallStatus call, String digit) {
    emulator.dtmfFromRemote(uuid(call), digit);
  }

  @Override
  public void stallServer() {
    emulator.stall();
  }

  @Override
  public void resumeServer() {
    // A thawed FreeSWITCH carries out what it read meanwhile, late.
    emulator.resume();
  }

  @Override
  public OptionalInt serverCalls() {
    return OptionalInt.of(emulator.activeCalls().size());
  }

  @Override
  public void sendLargeMessage(int bytes) {
    emulator.injectHugeFrame(bytes);
  }

  @Override
  public void sendMalformedFrames() {
    emulator.injectGarbage();
  }

  @Override
  public Optional<String> transferTarget() {
    return Optional.of("3000");
  }

  @Override
  public boolean isSharedThread(String threadName) {
    return threadName.startsWith("emulator-esl");
  }

  private static String uuid(CallStatus call) {
    return call.serverIds().get(FreeSwitchAdapter.UUID_KEY);
  }

  @Override
  public void close() {
    emulator.close();
  }
}
