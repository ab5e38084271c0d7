package org.sipadapter;

/**
 * Summary of a latency distribution, in milliseconds. Percentiles come from a log-scaled histogram
 * and are accurate to about 6 %.
 *
 * @param count samples
 * @param avgMs mean
 * @param p50Ms median
 * @param p95Ms 95th percentile
 * @param p99Ms 99th percentile
 * @param maxMs largest sample
 */
public record LatencyStats(
    long count, double avgMs, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

  /** No samples. */
  public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0);
}
