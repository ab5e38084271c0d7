package org.sipadapter.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;

class CapabilitiesTest {

  /** A driver with every capability. */
  static class Everything
      implements AdapterDriver,
          OutboundCalls,
          InboundCalls,
          Answer,
          Reject,
          Transfer,
          AttendedTransfer,
          Hold,
          Recording,
          SendDtmf,
          ReceiveDtmf,
          Conference,
          Bridge,
          RefreshStatus,
          Resync {
    @Override
    public List<String> supportedVersions() {
      return List.of();
    }

    @Override
    public void connect(ConnectTarget target) {}

    @Override
    public void disconnect() {}

    @Override
    public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
      return done();
    }

    @Override
    public CompletableFuture<Void> makeCall(TrackedCall call) {
      return done();
    }

    @Override
    public CompletableFuture<Void> answer(TrackedCall call) {
      return done();
    }

    @Override
    public CompletableFuture<Void> reject(TrackedCall call, HangupCause cause) {
      return done();
    }

    @Override
    public CompletableFuture<Void> transfer(TrackedCall call, String target) {
      return done();
    }

    @Override
    public CompletableFuture<Void> attendedTransfer(TrackedCall call, String target) {
      return done();
    }

    @Override
    public CompletableFuture<Void> hold(TrackedCall call) {
      return done();
    }

    @Override
    public CompletableFuture<Void> resume(TrackedCall call) {
      return done();
    }

    @Override
    public CompletableFuture<Void> startRecording(TrackedCall call, String fileName) {
      return done();
    }

    @Override
    public CompletableFuture<Void> stopRecording(TrackedCall call) {
      return done();
    }

    @Override
    public CompletableFuture<Void> sendDtmf(TrackedCall call, String digits) {
      return done();
    }

    @Override
    public CompletableFuture<Void> conference(String room, List<TrackedCall> members) {
      return done();
    }

    @Override
    public CompletableFuture<Void> bridge(TrackedCall a, TrackedCall b) {
      return done();
    }

    @Override
    public CompletableFuture<Void> refreshStatus(TrackedCall call) {
      return done();
    }

    @Override
    public List<CallSnapshot> resync() {
      return List.of();
    }

    private static CompletableFuture<Void> done() {
      return CompletableFuture.completedFuture(null);
    }
  }

  /** A driver that only places calls and holds them. */
  static class Placer extends Minimal implements OutboundCalls, Hold {
    @Override
    public CompletableFuture<Void> makeCall(TrackedCall call) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> hold(TrackedCall call) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> resume(TrackedCall call) {
      return CompletableFuture.completedFuture(null);
    }
  }

  static class Minimal implements AdapterDriver {
    @Override
    public List<String> supportedVersions() {
      return List.of();
    }

    @Override
    public void connect(ConnectTarget target) {}

    @Override
    public void disconnect() {}

    @Override
    public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void theFeaturesAreExactlyThoseOfTheImplementedCapabilities() {
    assertThat(new Placer().capabilities().features())
        .containsExactlyInAnyOrder(Feature.OUTBOUND_CALLS, Feature.HOLD);
    assertThat(new Minimal().capabilities().features()).isEmpty();
  }

  @Test
  void everyFeatureHasOneCapabilityAndADriverWithAllOfThemHasEveryFeature() {
    Capabilities all = new Everything().capabilities();

    assertThat(all.features()).isEqualTo(EnumSet.allOf(Feature.class));
    for (Feature f : Feature.values()) {
      assertThat(all.has(Capabilities.capabilityOf(f))).as("%s", f).isTrue();
    }
    assertThat(all.has(RefreshStatus.class)).isTrue();
    assertThat(all.has(Resync.class)).isTrue();
  }

  @Test
  void aWithheldCapabilityIsNeitherOfferedNorAFeature() {
    Everything driver = new Everything();

    Capabilities some = driver.capabilities().without(Answer.class, InboundCalls.class);

    assertThat(some.get(Answer.class)).isEmpty();
    assertThat(some.has(InboundCalls.class)).isFalse();
    assertThat(some.features()).doesNotContain(Feature.ANSWER, Feature.INBOUND_CALLS);
    assertThat(some.get(Transfer.class)).containsSame(driver);
    assertThat(driver.capabilities().has(Answer.class)).isTrue();
  }

  @Test
  void aCapabilityCanComeFromAnotherObjectThanTheDriver() {
    Minimal driver = new Minimal();
    Placer part = new Placer();

    Capabilities c = Capabilities.of(driver, part);

    assertThat(c.get(OutboundCalls.class)).containsSame(part);
    assertThat(c.features()).containsExactlyInAnyOrder(Feature.OUTBOUND_CALLS, Feature.HOLD);
    assertThat(c.toString()).contains("OutboundCalls", "Hold");
  }

  @Test
  void nullPartsAreRefused() {
    assertThatThrownBy(() -> Capabilities.of(new Minimal(), null))
        .isInstanceOf(NullPointerException.class);
  }
}
