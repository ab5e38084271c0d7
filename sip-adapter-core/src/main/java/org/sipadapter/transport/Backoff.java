package org.sipadapter.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import org.sipadapter.config.ReconnectPolicy;

/**
 * Exponential backoff with "equal jitter": attempt {@code n} (from 1) waits a random time between
 * half and all of {@code min(maxDelay, initialDelay * 2^(n-1))}. Jitter spreads the reconnects of
 * many clients after a server restart; keeping half the delay fixed stops a client from hammering a
 * server that is down.
 *
 * <p>Immutable and thread-safe.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final DoubleSupplier random;

  /**
   * Creates a backoff.
   *
   * @param initial the base delay of the first attempt
   * @param max the cap
   * @param random a source of numbers in [0, 1); {@code Math::random} in production
   */
  public Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initial = Objects.requireNonNull(initial, "initial");
    this.max = Objects.requireNonNull(max, "max");
    this.random = Objects.requireNonNull(random, "random");
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 <= initial <= max, got " + initial + ", " + max);
    }
  }

  /**
   * Creates the backoff of a reconnect policy.
   *
   * @param policy the policy
   * @return the backoff, with {@code Math.random} as jitter source
   */
  public static Backoff of(ReconnectPolicy policy) {
    return new Backoff(policy.initialDelay(), policy.maxDelay(), Math::random);
  }

  /**
   * Returns the delay before an attempt.
   *
   * @param attempt the attempt number, from 1
   * @return the delay, between half and all of the capped exponential value
   */
  public Duration delay(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt starts at 1, was " + attempt);
    }
    long base = initial.toNanos();
    long cap = max.toNanos();
    long exp = attempt > 62 ? cap : base;
    for (int i = 1; i < attempt && exp < cap; i++) {
      exp = exp > cap / 2 ? cap : exp * 2;
    }
    exp = Math.min(exp, cap);
    long half = exp / 2;
    return Duration.ofNanos(half + (long) (random.getAsDouble() * (exp - half)));
  }
}
