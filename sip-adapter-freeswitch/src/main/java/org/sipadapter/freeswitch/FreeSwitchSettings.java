package org.sipadapter.freeswitch;

import java.util.ArrayList;
import java.util.List;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * The FreeSWITCH-specific part of the configuration ({@code options:} in YAML).
 *
 * @param endpoint dial string template for outbound calls (and the consultation call of an attended
 *     transfer); {@code {to}}, {@code {from}}, {@code {gateway}} and {@code {context}} are
 *     replaced. Default {@code loopback/{to}/{context}}, which reaches any extension of the
 *     dialplan (a stock server's {@code user/<n>} reaches only registered directory users), or
 *     {@code sofia/gateway/{gateway}/{to}} when a gateway is set.
 * @param gateway the sofia gateway name for the default endpoint, or empty
 * @param application what the originated leg runs once answered, e.g. {@code &park()} (default), or
 *     an extension number routed through {@link #dialplan} and {@link #context}
 * @param dialplan the dialplan for an extension and for transfers, default {@code XML}
 * @param context the dialplan context for an extension and for transfers, default {@code default}
 * @param originateRate at most this many originates in any one second; 0 (the default) derives it
 *     at each connect from the server's sessions-per-second limit ({@code status}) and {@link
 *     #sessionsPerCall}: see {@link #derivedOriginateRate(int)}
 * @param sessionsPerCall the FreeSWITCH sessions one call creates: default 2 for a {@code
 *     loopback/} endpoint (its A and B legs), else 1
 * @param customEvents {@code CUSTOM} subclasses to subscribe to (passed on as server events),
 *     default {@code conference::maintenance}
 * @param eventFormat {@code plain} (default, fastest to decode) or {@code json}
 * @param maxFrameBytes the largest frame body accepted, default 16 MiB
 */
public record FreeSwitchSettings(
    String endpoint,
    String gateway,
    String application,
    String dialplan,
    String context,
    int originateRate,
    int sessionsPerCall,
    List<String> customEvents,
    String eventFormat,
    int maxFrameBytes) {

  /**
   * The sessions-per-second limit of a stock {@code switch.conf.xml}, when the server shows none.
   */
  public static final int STOCK_SESSIONS_PER_SECOND = 30;

  /** Copies the list. */
  public FreeSwitchSettings {
    customEvents = List.copyOf(customEvents);
  }

  /**
   * Reads the options of a config; unset options take their defaults.
   *
   * @param config the adapter config, not null
   * @return the settings
   */
  public static FreeSwitchSettings from(AdapterConfig config) {
    String gateway = config.option("gateway", "");
    String endpoint =
        config.option(
            "endpoint",
            gateway.isEmpty() ? "loopback/{to}/{context}" : "sofia/gateway/{gateway}/{to}");
    List<String> custom = new ArrayList<>();
    for (String s : words(config.option("customEvents", "conference::maintenance"))) {
      custom.add(s);
    }
    return new FreeSwitchSettings(
        endpoint,
        gateway,
        config.option("application", "&park()"),
        config.option("dialplan", "XML"),
        config.option("context", "default"),
        config.intOption("originateRate", 0),
        config.intOption("sessionsPerCall", endpoint.startsWith("loopback/") ? 2 : 1),
        custom,
        config.option("eventFormat", "plain"),
        config.intOption("maxFrameBytes", 16 * 1024 * 1024));
  }

  /**
   * Adds every problem of these settings to {@code problems}.
   *
   * @param problems where to report, not null
   */
  public void validate(ConfigProblems problems) {
    if (!endpoint.contains("{to}")) {
      problems.add("options.endpoint", "must contain {to}, e.g. loopback/{to}/{context}");
    }
    if (endpoint.contains("{gateway}") && gateway.isEmpty()) {
      problems.add("options.gateway", "must be set when options.endpoint uses {gateway}");
    }
    if (originateRate < 0) {
      problems.add(
          "options.originateRate",
          "must be at least 1 per second, or 0 to derive it from the server");
    }
    if (sessionsPerCall < 1) {
      problems.add("options.sessionsPerCall", "must be at least 1");
    }
    if (!eventFormat.equals("plain") && !eventFormat.equals("json")) {
      problems.add("options.eventFormat", "must be plain or json");
    }
    if (maxFrameBytes < 64 * 1024) {
      problems.add("options.maxFrameBytes", "must be at least 65536");
    }
    for (String field : List.of(endpoint, gateway, application, dialplan, context)) {
      if (EslCommands.hasSeparator(
          field
              .replace("{to}", "")
              .replace("{from}", "")
              .replace("{gateway}", "")
              .replace("{context}", ""),
          true)) {
        problems.add(
            "options",
            "endpoint, gateway, application, dialplan and context must not"
                + " contain spaces, quotes, commas, braces or line breaks: "
                + field);
      }
    }
  }

  /**
   * The dial string for a number: {@link #endpoint} with its placeholders replaced.
   *
   * @param to the number, already checked
   * @param from the caller, already checked
   * @return the dial string
   */
  public String dialString(String to, String from) {
    return endpoint
        .replace("{to}", to)
        .replace("{from}", from)
        .replace("{gateway}", gateway)
        .replace("{context}", context);
  }

  /**
   * The originate rate to use against a server that allows {@code sessionsPerSecond} new sessions
   * per second: {@link #originateRate} when set, else {@code (sessionsPerSecond - 1) /
   * sessionsPerCall - 1}, at least 1. FreeSWITCH refuses the session that reaches its limit within
   * one second (so {@code limit - 1} fit), and one call's worth is left free because a send's delay
   * can move an originate into the next second's count: stock 30 gives 13 loopback calls or 28
   * single-leg calls per second.
   *
   * @param sessionsPerSecond the server's {@code max-sessions-per-second}, at least 1
   * @return originates per second, at least 1
   */
  public int derivedOriginateRate(int sessionsPerSecond) {
    if (originateRate > 0) {
      return originateRate;
    }
    return Math.max(1, (sessionsPerSecond - 1) / sessionsPerCall - 1);
  }

  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == ',')) {
        i++;
      }
      int start = i;
      while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != ',') {
        i++;
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out;
  }
}
