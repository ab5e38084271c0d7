package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.ScriptedServer.Outcome;
import org.sipadapter.config.HealthThresholds;

class SipAdapterHealthTest {
  private final ScriptedServer server = new ScriptedServer();
  private final EventLog events = new EventLog();
  private ScriptedAdapter adapter;

  private ScriptedAdapter start(HealthThresholds thresholds) {
    adapter = new ScriptedAdapter(Scripted.config().health(thresholds).build(), server);
    adapter.addListener(events);
    adapter.connect();
    return adapter;
  }

  @AfterEach
  void close() {
    adapter.close();
    server.close();
  }

  private void calls(int answered, int busy) {
    server.script("busy", Outcome.BUSY);
    for (int i = 0; i < answered; i++) {
      events.awaitState(adapter.makeCall("1000", "2000"), CallState.CONNECTED);
    }
    for (int i = 0; i < busy; i++) {
      events.awaitTerminal(adapter.makeCall("1000", "busy"));
    }
  }

  @Test
  void healthyWhenConnectedWithoutTrouble() {
    start(HealthThresholds.DEFAULTS);

    HealthReport h = adapter.healthCheck();

    assertThat(h.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(h.reasons()).isEmpty();
    assertThat(h.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(h.serverVersion()).isEqualTo("scripted 1.0");
  }

  @Test
  void criticalWhenDisconnected() {
    start(HealthThresholds.DEFAULTS).disconnect();

    HealthReport h = adapter.healthCheck();

    assertThat(h.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(h.reasons()).anyMatch(r -> r.contains("not connected"));
  }

  @Test
  void degradedWhenTheSuccessRateFallsBelowTheDegradedThreshold() {
    start(new HealthThresholds(300, 0.9, 0.5, 4));
    calls(3, 1);

    HealthReport h = adapter.healthCheck();

    assertThat(h.successRate()).isEqualTo(0.75);
    assertThat(h.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(h.reasons()).anyMatch(r -> r.contains("success rate"));
  }

  @Test
  void criticalWhenTheSuccessRateFallsBelowTheCriticalThreshold() {
    start(new HealthThresholds(300, 0.9, 0.8, 4));
    calls(1, 3);

    assertThat(adapter.healthCheck().status()).isEqualTo(HealthStatus.CRITICAL);
  }

  @Test
  void theSuccessRateCountsOnlyFromMinCallsForRate() {
    start(new HealthThresholds(300, 0.9, 0.8, 5));
    calls(0, 4);

    assertThat(adapter.healthCheck().status()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void degradedWhenAverageLatencyIsAboveTheThreshold() {
    start(new HealthThresholds(300, 0.9, 0.8, 5));
    adapter.recordLatency(Duration.ofMillis(900));

    HealthReport h = adapter.healthCheck();

    assertThat(h.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(h.avgLatencyMs()).isGreaterThan(300);
    assertThat(h.reasons()).anyMatch(r -> r.contains("latency"));
  }

  @Test
  void theReportNeverShowsThePasswordEvenIfTheServerDetailsHoldIt() {
    start(HealthThresholds.DEFAULTS);
    adapter.healthDetails(
        Map.of(
            "uptime",
            42,
            "secret",
            ScriptedServer.PASSWORD,
            "nested",
            Map.of("password", ScriptedServer.PASSWORD)));

    HealthReport h = adapter.healthCheck();

    assertThat(h.toString()).doesNotContain(ScriptedServer.PASSWORD);
    assertThat(h.details()).containsEntry("uptime", 42);
  }
}
