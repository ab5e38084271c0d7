package org.sipadapter.sipp;

import java.time.Duration;
import java.util.Objects;

/**
 * A load run for {@link SippAdapter#startLoad}: SIPp places calls at a rate toward a target.
 * Immutable; build with {@link #toward(String)}.
 *
 * @param scenario agent scenario, default {@code uac} (INVITE, pause, BYE)
 * @param target SIP destination {@code host:port}
 * @param to called user part, default {@code service}
 * @param from caller user part, default {@code sipp}
 * @param rate calls per rate period, default 10
 * @param ratePeriod the rate period, default one second
 * @param limit simultaneous calls, or 0 for SIPp's default
 * @param count calls before the run ends, or 0 for unlimited (stop it with {@link
 *     SippAdapter#stopLoad})
 * @param callDuration how long each call stays up, default zero
 * @param traceMessages whether SIPp traces every message (costly at load), default false
 */
public record LoadSpec(
    String scenario,
    String target,
    String to,
    String from,
    double rate,
    Duration ratePeriod,
    int limit,
    int count,
    Duration callDuration,
    boolean traceMessages) {

  /** Checks the values. */
  public LoadSpec {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(ratePeriod, "ratePeriod");
    Objects.requireNonNull(callDuration, "callDuration");
    if (!(rate > 0)) {
      throw new IllegalArgumentException("rate must be greater than 0");
    }
    if (limit < 0 || count < 0) {
      throw new IllegalArgumentException("limit and count must not be negative");
    }
  }

  /**
   * A run of SIPp's {@code uac} toward {@code target} at 10 calls/s until stopped.
   *
   * @param target {@code host:port}
   * @return the spec; adjust with the {@code with...} methods
   */
  public static LoadSpec toward(String target) {
    return new LoadSpec(
        "uac", target, "service", "sipp", 10, Duration.ofSeconds(1), 0, 0, Duration.ZERO, false);
  }

  /**
   * @param n calls per rate period @return a copy with this rate
   */
  public LoadSpec withRate(double n) {
    return new LoadSpec(
        scenario, target, to, from, n, ratePeriod, limit, count, callDuration, traceMessages);
  }

  /**
   * @param n total calls (0 = unlimited) @return a copy with this count
   */
  public LoadSpec withCount(int n) {
    return new LoadSpec(
        scenario, target, to, from, rate, ratePeriod, limit, n, callDuration, traceMessages);
  }

  /**
   * @param n simultaneous calls (0 = SIPp's default) @return a copy with this limit
   */
  public LoadSpec withLimit(int n) {
    return new LoadSpec(
        scenario, target, to, from, rate, ratePeriod, n, count, callDuration, traceMessages);
  }

  /**
   * @param d how long each call stays up @return a copy with this duration
   */
  public LoadSpec withCallDuration(Duration d) {
    return new LoadSpec(
        scenario, target, to, from, rate, ratePeriod, limit, count, d, traceMessages);
  }

  /**
   * @param user the called user part @return a copy calling this user
   */
  public LoadSpec withTo(String user) {
    return new LoadSpec(
        scenario, target, user, from, rate, ratePeriod, limit, count, callDuration, traceMessages);
  }

  /**
   * @param name an agent scenario name @return a copy running this scenario
   */
  public LoadSpec withScenario(String name) {
    return new LoadSpec(
        name, target, to, from, rate, ratePeriod, limit, count, callDuration, traceMessages);
  }
}
