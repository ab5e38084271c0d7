package org.sipadapter.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How events reach listeners ({@code events:} in YAML).
 *
 * @param threads delivery threads; events of one call always go through the same thread, in order
 * @param queueCapacity events each delivery thread may hold; past it new events are dropped and
 *     counted, so a stuck listener cannot stall the connection
 * @param slowListenerThreshold a listener call taking longer than this is logged and counted
 */
public record EventSettings(int threads, int queueCapacity, Duration slowListenerThreshold) {

  /** 2 threads, 10,000 events each, slow above 1 s. */
  public static final EventSettings DEFAULTS = new EventSettings(2, 10_000, Duration.ofSeconds(1));

  /**
   * Checks the components.
   *
   * @throws NullPointerException if the threshold is null
   */
  public EventSettings {
    Objects.requireNonNull(slowListenerThreshold, "slowListenerThreshold");
  }
}
