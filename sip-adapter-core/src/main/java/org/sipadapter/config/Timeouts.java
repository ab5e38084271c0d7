package org.sipadapter.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The adapter's time limits ({@code timeouts:} in YAML).
 *
 * @param connect how long opening the link and logging in may take
 * @param request how long the server may take to answer one request
 * @param ring how long an outbound call may stay unanswered before the adapter ends it with {@code
 *     NO_ANSWER} (a call's own {@code CallOptions.timeout} overrides it)
 * @param keepalive how often the adapter checks a quiet link; a dead peer is noticed within about
 *     {@code keepalive + request}
 */
public record Timeouts(Duration connect, Duration request, Duration ring, Duration keepalive) {

  /** 5 s connect, 5 s request, 60 s ring, 30 s keepalive. */
  public static final Timeouts DEFAULTS =
      new Timeouts(
          Duration.ofSeconds(5),
          Duration.ofSeconds(5),
          Duration.ofSeconds(60),
          Duration.ofSeconds(30));

  /**
   * Checks the components.
   *
   * @throws NullPointerException if any is null
   */
  public Timeouts {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(ring, "ring");
    Objects.requireNonNull(keepalive, "keepalive");
  }
}
