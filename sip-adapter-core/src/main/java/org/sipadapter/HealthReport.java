package org.sipadapter;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of {@link SipAdapter#healthCheck()}: an overall status with the reasons behind it, the
 * server's version where known, and adapter-specific details. Never contains a secret.
 *
 * @param adapterName the adapter's name
 * @param adapterType the adapter's type
 * @param status the overall status
 * @param connectionState the link's state
 * @param serverVersion the server's version as it reported it, empty when unknown
 * @param successRate the call success rate used for the status
 * @param avgLatencyMs the mean request latency used for the status
 * @param activeCalls calls in progress
 * @param reasons why the status is not {@code HEALTHY}; empty when it is
 * @param details adapter-specific facts (uptime, server counters)
 * @param checkedAt when the check ran
 */
public record HealthReport(
    String adapterName,
    String adapterType,
    HealthStatus status,
    ConnectionState connectionState,
    String serverVersion,
    double successRate,
    double avgLatencyMs,
    long activeCalls,
    List<String> reasons,
    Map<String, Object> details,
    Instant checkedAt) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public HealthReport {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(connectionState, "connectionState");
    Objects.requireNonNull(serverVersion, "serverVersion");
    reasons = List.copyOf(reasons);
    details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
  }
}
