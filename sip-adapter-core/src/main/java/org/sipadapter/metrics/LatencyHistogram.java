package org.sipadapter.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.sipadapter.LatencyStats;

/**
 * A lock-free latency histogram. Recording is a handful of atomic adds and no allocation, so it can
 * sit on every request's completion path.
 *
 * <p>Buckets are log-scaled over microseconds: 8 sub-buckets per power of two, so any recorded
 * value lands in a bucket whose bounds differ by at most 12.5 %, and the reported midpoint is
 * within about 6 % of the true percentile.
 */
public final class LatencyHistogram {
  private static final int SUB_BITS = 3;
  private static final int SUBS = 1 << SUB_BITS;
  private static final int MAGNITUDES = 40;

  private final AtomicLongArray buckets = new AtomicLongArray(MAGNITUDES * SUBS + SUBS);
  private final LongAdder count = new LongAdder();
  private final LongAdder sumMicros = new LongAdder();
  private final LongAccumulator maxMicros = new LongAccumulator(Math::max, 0);

  /**
   * Records one sample.
   *
   * @param nanos the latency in nanoseconds; negative values count as zero
   */
  public void recordNanos(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    buckets.incrementAndGet(index(micros));
    count.increment();
    sumMicros.add(micros);
    maxMicros.accumulate(micros);
  }

  static int index(long micros) {
    if (micros < SUBS) {
      return (int) micros;
    }
    int magnitude = 63 - Long.numberOfLeadingZeros(micros);
    int sub = (int) (micros >>> (magnitude - SUB_BITS)) & (SUBS - 1);
    int idx = (magnitude - SUB_BITS + 1) * SUBS + sub;
    return Math.min(idx, MAGNITUDES * SUBS + SUBS - 1);
  }

  static double midpointMicros(int index) {
    if (index < SUBS) {
      return index;
    }
    int magnitude = index / SUBS + SUB_BITS - 1;
    int sub = index % SUBS;
    double low = (double) (SUBS + sub) * (1L << (magnitude - SUB_BITS));
    double width = (double) (1L << (magnitude - SUB_BITS));
    return low + width / 2;
  }

  /**
   * Summarises the samples so far. Samples recorded during the call may or may not be included.
   *
   * @return count, mean, percentiles and max in milliseconds
   */
  public LatencyStats snapshot() {
    long n = count.sum();
    if (n == 0) {
      return LatencyStats.EMPTY;
    }
    long[] copy = new long[buckets.length()];
    long total = 0;
    for (int i = 0; i < copy.length; i++) {
      copy[i] = buckets.get(i);
      total += copy[i];
    }
    double max = maxMicros.get() / 1000.0;
    return new LatencyStats(
        n,
        sumMicros.sum() / 1000.0 / n,
        Math.min(max, percentile(copy, total, 0.50)),
        Math.min(max, percentile(copy, total, 0.95)),
        Math.min(max, percentile(copy, total, 0.99)),
        max);
  }

  private static double percentile(long[] counts, long total, double q) {
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank && counts[i] > 0) {
        return midpointMicros(i) / 1000.0;
      }
    }
    return 0;
  }
}
