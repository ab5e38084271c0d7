package org.sipadapter;

/** The overall health an adapter reports, from the thresholds in {@code health:} config. */
public enum HealthStatus {
  /** Connected, success rate and latency within thresholds. */
  HEALTHY,
  /** Connected, but latency or success rate past the degraded threshold. */
  DEGRADED,
  /** Not connected, or success rate below the critical threshold. */
  CRITICAL
}
