package org.sipadapter.config;

/**
 * When the health report turns {@code DEGRADED} or {@code CRITICAL} ({@code health:} in YAML).
 *
 * @param degradedLatencyMs average request latency above which the adapter is degraded
 * @param degradedSuccessRate call success rate below which the adapter is degraded
 * @param criticalSuccessRate call success rate below which the adapter is critical
 * @param minCallsForRate how many finished calls are needed before the success rate counts
 */
public record HealthThresholds(
    long degradedLatencyMs,
    double degradedSuccessRate,
    double criticalSuccessRate,
    int minCallsForRate) {

  /** Degraded above 300 ms or below 0.9; critical below 0.8; rates count from 5 calls. */
  public static final HealthThresholds DEFAULTS = new HealthThresholds(300, 0.9, 0.8, 5);
}
