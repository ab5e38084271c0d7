package org.sipadapter.sipp;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;
import org.sipadapter.config.Durations;

/**
 * The {@code options:} of a {@code type: sipp} adapter.
 *
 * @param embedded {@code mode: embedded}: run the agent inside this JVM on a free loopback port
 *     ({@code host}/{@code port} are then ignored); default {@code mode: remote}
 * @param target default SIP destination {@code host:port} for {@code makeCall(from, "2000")}; a
 *     {@code to} of the form {@code user@host:port} overrides it
 * @param scenario the agent scenario used by makeCall; default {@code call}
 * @param transport {@code udp} (default) or {@code tcp}
 * @param eventWait how long one long poll of {@code GET /events} waits; default 5 s
 * @param inboundPort when set, a UAS run listens on this SIP port while connected and its calls are
 *     reported as incoming calls
 * @param inboundScenario the UAS scenario for inbound calls; default {@code uas}
 * @param sippBinary for embedded mode: the sipp executable; default {@code /usr/bin/sipp}
 * @param maxRuns for embedded mode: the process cap; default 256
 * @param requestDeadline whether a call's start request carries its deadline, so that an agent
 *     reading it after the adapter stopped waiting (a frozen or overloaded agent) starts nothing;
 *     default true
 */
public record SippSettings(
    boolean embedded,
    Optional<String> target,
    String scenario,
    String transport,
    Duration eventWait,
    Optional<Integer> inboundPort,
    String inboundScenario,
    Optional<String> sippBinary,
    int maxRuns,
    boolean requestDeadline) {

  static final Pattern TARGET =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?:[0-9]{1,5}");
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final int DEFAULT_MAX_RUNS = 256;

  /**
   * Whether a SIP destination is {@code host:port} with a DNS name or IPv4 literal and a port in
   * 1..65535.
   *
   * @param target the destination
   * @return true if usable
   */
  static boolean isTarget(String target) {
    if (target == null || !TARGET.matcher(target).matches()) {
      return false;
    }
    int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }

  /**
   * Reads the options; call {@link #validate} first for friendly messages.
   *
   * @param config the adapter config
   * @return the settings
   */
  static SippSettings of(AdapterConfig config) {
    String mode = config.option("mode", "remote");
    return new SippSettings(
        "embedded".equals(mode),
        config.option("target"),
        config.option("scenario", "call"),
        config.option("transport", "udp"),
        config.durationOption("eventWait", Duration.ofSeconds(5)),
        config.option("inboundPort").map(Integer::parseInt),
        config.option("inboundScenario", "uas"),
        config.option("sippBinary"),
        config.intOption("maxRuns", DEFAULT_MAX_RUNS),
        !"false".equals(config.option("requestDeadline", "true")));
  }

  /**
   * Checks the options, adding every problem found.
   *
   * @param config the config
   * @param problems where problems go
   */
  static void validate(AdapterConfig config, ConfigProblems problems) {
    String mode = config.option("mode", "remote");
    if (!mode.equals("remote") && !mode.equals("embedded")) {
      problems.add("options.mode", "must be remote or embedded, was " + mode);
    }
    config
        .option("target")
        .filter(t -> !isTarget(t))
        .ifPresent(
            t ->
                problems.add("options.target", "must be host:port with a port 1..65535, was " + t));
    String deadline = config.option("requestDeadline", "true");
    if (!deadline.equals("true") && !deadline.equals("false")) {
      problems.add("options.requestDeadline", "must be true or false");
    }
    String transport = config.option("transport", "udp");
    if (!transport.equals("udp") && !transport.equals("tcp")) {
      problems.add("options.transport", "must be udp or tcp");
    }
    for (String key : new String[] {"scenario", "inboundScenario"}) {
      config
          .option(key)
          .filter(s -> !NAME.matcher(s).matches())
          .ifPresent(s -> problems.add("options." + key, "must match [A-Za-z0-9_-]{1,64}"));
    }
    config
        .option("eventWait")
        .ifPresent(
            v -> {
              try {
                Duration d = Durations.parse(v);
                if (d.isNegative() || d.toMillis() > 30_000) {
                  problems.add("options.eventWait", "must be 0..30s");
                }
              } catch (IllegalArgumentException e) {
                problems.add("options.eventWait", e.getMessage());
              }
            });
    config
        .option("inboundPort")
        .ifPresent(
            v -> {
              try {
                int p = Integer.parseInt(v.trim());
                if (p < 1024 || p > 65535) {
                  problems.add("options.inboundPort", "must be 1024..65535");
                }
              } catch (NumberFormatException e) {
                problems.add("options.inboundPort", "must be a port number");
              }
            });
    try {
      if (config.intOption("maxRuns", DEFAULT_MAX_RUNS) < 1) {
        problems.add("options.maxRuns", "must be at least 1");
      }
    } catch (IllegalArgumentException e) {
      problems.add("options.maxRuns", e.getMessage());
    }
  }
}
