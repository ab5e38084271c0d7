package org.sipadapter.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the adapter reconnects after the link drops ({@code reconnect:} in YAML): exponential backoff
 * with jitter, from {@code initialDelay} doubling up to {@code maxDelay}.
 *
 * @param enabled whether the adapter reconnects by itself
 * @param initialDelay the delay before the first attempt
 * @param maxDelay the longest delay between attempts
 * @param maxAttempts attempts before giving up with {@code ConnectionState.ERROR}; 0 means forever
 */
public record ReconnectPolicy(
    boolean enabled, Duration initialDelay, Duration maxDelay, int maxAttempts) {

  /** Enabled, 200 ms doubling to 30 s, forever. */
  public static final ReconnectPolicy DEFAULTS =
      new ReconnectPolicy(true, Duration.ofMillis(200), Duration.ofSeconds(30), 0);

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a duration is null
   */
  public ReconnectPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
  }
}
