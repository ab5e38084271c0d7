package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.sipadapter.config.HealthThresholds;

/** Health from recent facts, with time moved by hand. */
class HealthEvaluatorTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final HealthEvaluator health =
      new HealthEvaluator(
          new HealthThresholds(300, 0.9, 0.8, 5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          now::get);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  private HealthReport report(ConnectionState link) {
    return health.evaluate("t", "test", link, "1.0", 0, Map::of, Runnable::run, s -> s);
  }

  @Test
  void aKeepaliveUnansweredForLongerThanTheRequestTimeoutIsCritical() {
    health.keepaliveStarted();
    advance(Duration.ofSeconds(6));

    HealthReport r = report(ConnectionState.CONNECTED);

    assertThat(r.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(r.reasons()).anyMatch(s -> s.contains("keepalive unanswered"));
  }

  @Test
  void aKeepaliveStillWithinTheRequestTimeoutIsHealthy() {
    health.keepaliveStarted();
    advance(Duration.ofSeconds(4));

    assertThat(report(ConnectionState.CONNECTED).status()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void aServerSilentForTwoKeepaliveIntervalsIsDegraded() {
    advance(Duration.ofSeconds(26));

    HealthReport r = report(ConnectionState.CONNECTED);

    assertThat(r.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(r.reasons()).anyMatch(s -> s.contains("no reply or event"));
  }

  @Test
  void aTimedOutRequestDegradesForSixtySecondsOnly() {
    health.requestTimedOut();
    health.serverActive();
    assertThat(report(ConnectionState.CONNECTED).status()).isEqualTo(HealthStatus.DEGRADED);

    advance(Duration.ofSeconds(61));
    health.serverActive();

    assertThat(report(ConnectionState.CONNECTED).status()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void latencyIsAveragedOverRecentRequestsNotTheWholeLife() {
    health.requestSucceeded(TimeUnit.SECONDS.toNanos(5));
    assertThat(report(ConnectionState.CONNECTED).status()).isEqualTo(HealthStatus.DEGRADED);

    advance(Duration.ofSeconds(61));
    for (int i = 0; i < 17; i++) {
      health.requestSucceeded(TimeUnit.MILLISECONDS.toNanos(2));
    }

    HealthReport r = report(ConnectionState.CONNECTED);
    assertThat(r.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(r.avgLatencyMs()).isLessThan(300);
  }

  @Test
  void aProbeThatThrowsIsDegradedWithItsReason() {
    HealthReport r =
        health.evaluate(
            "t",
            "test",
            ConnectionState.CONNECTED,
            "1.0",
            0,
            () -> {
              throw new IllegalStateException("core.uptime timed out");
            },
            Runnable::run,
            s -> s);

    assertThat(r.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(r.reasons()).anyMatch(s -> s.contains("core.uptime timed out"));
  }

  @Test
  void notConnectedIsCritical() {
    assertThat(report(ConnectionState.RECONNECTING).status()).isEqualTo(HealthStatus.CRITICAL);
  }

  @Test
  void theSuccessRateCoversTheLastMinuteOfCalls() {
    for (int i = 0; i < 5; i++) {
      health.callFinished(false);
    }
    health.serverActive();
    assertThat(report(ConnectionState.CONNECTED).status()).isEqualTo(HealthStatus.CRITICAL);

    advance(Duration.ofSeconds(61));
    health.serverActive();
    assertThat(report(ConnectionState.CONNECTED).status()).isEqualTo(HealthStatus.HEALTHY);
  }
}
