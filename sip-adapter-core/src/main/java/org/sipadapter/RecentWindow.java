package org.sipadapter;

import java.util.function.LongSupplier;

/**
 * The outcomes of the most recent operations, by count and by age: at most {@code capacity}
 * samples, none older than {@code maxAgeNanos}. Health reads its latency, timeout and success
 * figures here, so one slow minute long ago does not colour the report for the adapter's whole
 * life. A ring buffer under one lock; recording allocates nothing.
 */
final class RecentWindow {
  /** What happened to one sample. */
  enum Outcome {
    OK,
    FAILED,
    TIMED_OUT
  }

  /** The figures of the window at one moment. */
  record Figures(int count, int failed, int timedOut, double avgLatencyMs) {
    double successRate() {
      return count == 0 ? 1.0 : (double) (count - failed - timedOut) / count;
    }
  }

  private final long[] at;
  private final long[] latency;
  private final Outcome[] outcome;
  private final long maxAgeNanos;
  private final LongSupplier nanoTime;
  private int next;
  private int size;

  RecentWindow(int capacity, long maxAgeNanos, LongSupplier nanoTime) {
    this.at = new long[capacity];
    this.latency = new long[capacity];
    this.outcome = new Outcome[capacity];
    this.maxAgeNanos = maxAgeNanos;
    this.nanoTime = nanoTime;
  }

  synchronized void record(Outcome o, long latencyNanos) {
    at[next] = nanoTime.getAsLong();
    latency[next] = latencyNanos;
    outcome[next] = o;
    next = (next + 1) % at.length;
    size = Math.min(size + 1, at.length);
  }

  synchronized Figures figures() {
    long now = nanoTime.getAsLong();
    int count = 0;
    int failed = 0;
    int timedOut = 0;
    long okLatency = 0;
    int ok = 0;
    for (int i = 0; i < size; i++) {
      int k = Math.floorMod(next - 1 - i, at.length);
      if (now - at[k] > maxAgeNanos) {
        break;
      }
      count++;
      switch (outcome[k]) {
        case OK -> {
          ok++;
          okLatency += latency[k];
        }
        case FAILED -> failed++;
        case TIMED_OUT -> timedOut++;
      }
    }
    return new Figures(count, failed, timedOut, ok == 0 ? 0 : okLatency / 1e6 / ok);
  }
}
