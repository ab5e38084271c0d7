package org.sipadapter.freeswitch;

import java.util.ArrayList;
import java.util.List;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * The FreeSWITCH-specific part of the configuration ({@code options:} in YAML).
 *
 * @param endpoint dial string template for outbound calls; {@code {to}}, {@code {from}} and {@code
 *     {gateway}} are replaced. Default {@code user/{to}}, or {@code sofia/gateway/{gateway}/{to}}
 *     when a gateway is set.
 * @param gateway the sofia gateway name for the default endpoint, or empty
 * @param application what the originated leg runs once answered, e.g. {@code &park()} (default), or
 *     an extension number routed through {@link #dialplan} and {@link #context}
 * @param dialplan the dialplan for an extension and for transfers, default {@code XML}
 * @param context the dialplan context for an extension and for transfers, default {@code default}
 * @param originateRate at most this many originates per second (FreeSWITCH's own default limit is
 *     30 sessions per second); default 20
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
    List<String> customEvents,
    String eventFormat,
    int maxFrameBytes) {

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
        config.option("endpoint", gateway.isEmpty() ? "user/{to}" : "sofia/gateway/{gateway}/{to}");
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
        config.intOption("originateRate", 20),
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
      problems.add("options.endpoint", "must contain {to}, e.g. user/{to}");
    }
    if (endpoint.contains("{gateway}") && gateway.isEmpty()) {
      problems.add("options.gateway", "must be set when options.endpoint uses {gateway}");
    }
    if (originateRate < 1) {
      problems.add("options.originateRate", "must be at least 1 per second");
    }
    if (!eventFormat.equals("plain") && !eventFormat.equals("json")) {
      problems.add("options.eventFormat", "must be plain or json");
    }
    if (maxFrameBytes < 64 * 1024) {
      problems.add("options.maxFrameBytes", "must be at least 65536");
    }
    for (String field : List.of(endpoint, gateway, application, dialplan, context)) {
      if (EslCommands.hasSeparator(
          field.replace("{to}", "").replace("{from}", "").replace("{gateway}", ""), true)) {
        problems.add(
            "options",
            "endpoint, gateway, application, dialplan and context must not"
                + " contain spaces, quotes, commas, braces or line breaks: "
                + field);
      }
    }
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
