package org.sipadapter.sipp.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /calls}: what to run. Every field reaches SIPp's command line as a
 * separate argument (never through a shell) and some reach SIP messages, so each is checked against
 * a strict pattern and refused with HTTP 400 otherwise.
 *
 * @param scenario scenario name (required), see {@code GET /scenarios}
 * @param target {@code host:port} to call; required for UAC scenarios, refused for UAS
 * @param from caller user part ({@code -key from_user}); default {@code sipp}
 * @param to called user part ({@code -s}); default {@code service}
 * @param rate calls per rate period ({@code -r}), 0 &lt; rate &le; 10000
 * @param ratePeriodMs rate period in ms ({@code -rp}), 1..3600000
 * @param limit simultaneous calls ({@code -l}), 1..100000
 * @param count calls before SIPp ends ({@code -m}); UAC default 1, UAS default unlimited
 * @param callDurationMs length of {@code <pause/>} steps ({@code -d}), 0..86400000
 * @param transport {@code udp} (default) or {@code tcp}
 * @param localPort SIP port to bind; default a free one
 * @param timeoutSec global timeout ({@code -timeout}), 1..86400
 * @param traceMessages trace every SIP message (needed for per-call states); default on for runs of
 *     at most 10 calls and for UAS runs without a count (turn it off for load)
 * @param transferTo for {@code call_with_transfer}: the user part to transfer to
 * @param marker the client's mark on the run (up to 100 of letters, digits, {@code . _ -}), echoed
 *     in the run's view and on every event of the run, so a client knows its own runs, also those
 *     whose start reply it never read; the agent does not interpret it
 * @param deadlineMillis the last moment (the agent's clock, epoch ms) at which the client still
 *     waits for the reply; a request the agent reads later (it was frozen, or the request queued)
 *     is refused with 408 and starts nothing. Null for no deadline
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunSpec(
    String scenario,
    String target,
    String from,
    String to,
    Double rate,
    Integer ratePeriodMs,
    Integer limit,
    Integer count,
    Integer callDurationMs,
    String transport,
    Integer localPort,
    Integer timeoutSec,
    Boolean traceMessages,
    String transferTo,
    String marker,
    Long deadlineMillis) {

  /** A SIP user part without separators or anything a shell or SIP would interpret. */
  static final Pattern USER = Pattern.compile("[A-Za-z0-9._~+*#!-]{1,64}");

  /** A client's run marker: no separator SIP, a shell or JSON would read. */
  static final Pattern MARKER = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  /** {@code host:port} with a DNS name or IPv4 literal. */
  static final Pattern TARGET =
      Pattern.compile("([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):([0-9]{1,5})");

  /**
   * Checks every field.
   *
   * @param role the role of the named scenario
   * @throws ApiException 400 naming the first bad field
   */
  void validate(ScenarioRole role) {
    if (role == ScenarioRole.UAC) {
      if (target == null) {
        throw new ApiException(400, "target (host:port) is required for a UAC scenario");
      }
      var m = TARGET.matcher(target);
      if (!m.matches()
          || Integer.parseInt(m.group(2)) < 1
          || Integer.parseInt(m.group(2)) > 65535) {
        throw new ApiException(
            400, "target must be host:port (letters, digits, '.', '-'; port 1..65535)");
      }
    } else if (target != null) {
      throw new ApiException(400, "target is not used by a UAS scenario; set localPort instead");
    }
    user("from", from);
    user("to", to);
    user("transferTo", transferTo);
    if (marker != null && !MARKER.matcher(marker).matches()) {
      throw new ApiException(400, "marker must be 1..100 of letters, digits and . _ -");
    }
    if (rate != null && (!(rate > 0) || rate > 10_000 || rate.isInfinite())) {
      throw new ApiException(400, "rate must be greater than 0 and at most 10000");
    }
    range("ratePeriodMs", ratePeriodMs, 1, 3_600_000);
    range("limit", limit, 1, 100_000);
    range("count", count, 1, 100_000_000);
    range("callDurationMs", callDurationMs, 0, 86_400_000);
    range("localPort", localPort, 1024, 65535);
    range("timeoutSec", timeoutSec, 1, 86_400);
    if (transport != null && !transport.equals("udp") && !transport.equals("tcp")) {
      throw new ApiException(400, "transport must be udp or tcp");
    }
  }

  private static void user(String field, String value) {
    if (value != null && !USER.matcher(value).matches()) {
      throw new ApiException(400, field + " must be 1..64 of letters, digits and . _ ~ + * # ! -");
    }
  }

  private static void range(String field, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      throw new ApiException(400, field + " must be " + min + ".." + max);
    }
  }

  /**
   * A run spec for one call of a UAC scenario.
   *
   * @param scenario the scenario
   * @param target {@code host:port}
   * @param from the caller's user part
   * @param to the called user part
   * @param transport {@code udp} or {@code tcp}
   * @param marker the client's marker, or null
   * @param deadlineMillis the reply deadline on the agent's clock, or null
   * @return the spec: one traced call
   */
  public static RunSpec oneCall(
      String scenario,
      String target,
      String from,
      String to,
      String transport,
      String marker,
      Long deadlineMillis) {
    return new RunSpec(
        scenario,
        target,
        from,
        to,
        null,
        null,
        null,
        1,
        null,
        transport,
        null,
        null,
        true,
        null,
        marker,
        deadlineMillis);
  }

  /** The call count, applying the role's default (null = unlimited). */
  Integer effectiveCount(ScenarioRole role) {
    return count != null ? count : (role == ScenarioRole.UAC ? Integer.valueOf(1) : null);
  }

  /** Whether SIP messages are traced, applying the default. */
  boolean effectiveTrace(ScenarioRole role) {
    if (traceMessages != null) {
      return traceMessages;
    }
    Integer n = effectiveCount(role);
    return n == null || n <= 10;
  }
}
