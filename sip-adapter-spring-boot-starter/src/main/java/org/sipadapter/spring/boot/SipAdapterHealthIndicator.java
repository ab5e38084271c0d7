package org.sipadapter.spring.boot;

import org.sipadapter.HealthReport;
import org.sipadapter.HealthStatus;
import org.sipadapter.SipAdapter;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The health of one adapter from {@link SipAdapter#healthCheck()}: {@code HEALTHY} and {@code
 * DEGRADED} are {@code UP} (the sip-adapter status and its reasons are in the details), {@code
 * CRITICAL} is {@code DOWN}. The report never holds a secret.
 */
public final class SipAdapterHealthIndicator implements HealthIndicator {
  private final SipAdapter adapter;

  /**
   * Creates the indicator.
   *
   * @param adapter the adapter to check
   */
  public SipAdapterHealthIndicator(SipAdapter adapter) {
    this.adapter = adapter;
  }

  @Override
  public Health health() {
    HealthReport r = adapter.healthCheck();
    Health.Builder b = r.status() == HealthStatus.CRITICAL ? Health.down() : Health.up();
    return b.withDetail("status", r.status().name())
        .withDetail("type", r.adapterType())
        .withDetail("connectionState", r.connectionState().name())
        .withDetail("serverVersion", r.serverVersion())
        .withDetail("successRate", r.successRate())
        .withDetail("avgLatencyMs", r.avgLatencyMs())
        .withDetail("activeCalls", r.activeCalls())
        .withDetail("reasons", r.reasons())
        .withDetail("details", r.details())
        .withDetail("checkedAt", r.checkedAt().toString())
        .build();
  }
}
