package org.sipadapter.testkit.tck;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.Feature;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.net.FaultProxy;

/**
 * The suite's reference fixture: {@link LineProtocolEmulator} behind a {@link FaultProxy}, and
 * {@link LineProtocolAdapter} connecting to the proxy.
 */
class LineProtocolFixture implements TckFixture {

  private final LineProtocolEmulator server = new LineProtocolEmulator();
  private final FaultProxy front;
  private final Set<Feature> features;
  private final Set<TckCapability> capabilities;
  private final boolean destinations;

  LineProtocolFixture(
      Set<Feature> features, Set<TckCapability> capabilities, boolean destinations) {
    server.start();
    front = FaultProxy.start(server.host(), server.port());
    this.features = features;
    this.capabilities = capabilities;
    this.destinations = destinations;
  }

  /** Everything the emulator can do. */
  static LineProtocolFixture full() {
    return new LineProtocolFixture(
        LineProtocolAdapter.allFeatures(), EnumSet.allOf(TckCapability.class), true);
  }

  LineProtocolEmulator server() {
    return server;
  }

  @Override
  public SipAdapter createAdapter(AdapterConfig config) {
    return new LineProtocolAdapter(config, features);
  }

  @Override
  public AdapterConfig config() {
    return AdapterConfig.builder("line")
        .name("tck-line")
        .server(front.host(), front.port())
        .auth(LineProtocolEmulator.USER, LineProtocolEmulator.PASSWORD)
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30)))
        .build();
  }

  @Override
  public Optional<AdapterConfig> configWithWrongCredentials() {
    return Optional.of(
        config().toBuilder().auth(LineProtocolEmulator.USER, "wrong-password-5521").build());
  }

  @Override
  public Set<TckCapability> capabilities() {
    return capabilities;
  }

  @Override
  public Optional<String> destination(Destination destination) {
    if (!destinations) {
      return Optional.empty();
    }
    return Optional.of(
        switch (destination) {
          case ANSWERS -> "answer";
          case BUSY -> "busy";
          case UNKNOWN -> "9999";
          case NO_ANSWER -> "noanswer";
        });
  }

  @Override
  public void hangupOnServer(CallStatus call) {
    server.hangupFromServer(call.serverIds().get("ref"));
  }

  @Override
  public void triggerInboundCall(String from, String to) {
    server.incoming(from, to);
  }

  @Override
  public void sendDtmfToAdapter(CallStatus call, String digit) {
    server.dtmfFromFarEnd(call.serverIds().get("ref"), digit);
  }

  @Override
  public java.util.OptionalInt serverCalls() {
    return java.util.OptionalInt.of(server.liveCalls());
  }

  @Override
  public void stallServer() {
    server.stall();
  }

  @Override
  public void resumeServer() {
    server.resume();
  }

  @Override
  public void sendLargeMessage(int bytes) {
    server.largeNote(bytes);
  }

  @Override
  public void sendMalformedFrames() {
    server.injectGarbage();
    server.injectGarbage("EVENT\n\n \r\n12 \n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public boolean isSharedThread(String threadName) {
    return false;
  }

  @Override
  public void close() {
    front.close();
    server.close();
  }
}
