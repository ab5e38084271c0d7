package org.sipadapter.asterisk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * The Asterisk adapter's own settings, read from the config's {@code options} map. Every field has
 * a default, so an empty {@code options} works with the dialplan shown in {@code docs/asterisk.md}.
 *
 * @param channel Originate channel template; {@code {to}} and {@code {from}} are replaced
 * @param context dialplan context an answered originated channel continues in
 * @param exten extension template in that context ({@code {to}}, {@code {from}})
 * @param priority priority in that extension
 * @param application instead of context/exten: the application the answered channel runs (empty for
 *     none)
 * @param data the application's argument
 * @param md5Login true to log in with the MD5 challenge
 * @param events the Login {@code Events} mask
 * @param transferContext context of blind and attended transfer targets
 * @param transferMode {@code redirect} (move our channel) or {@code blindTransfer} (AMI
 *     BlindTransfer: move what is bridged to our channel)
 * @param holdContext context hold() redirects a channel to
 * @param holdExten extension there (music on hold or a park)
 * @param resumeContext context resume() redirects back to (empty: {@link #context})
 * @param resumeExten extension template resume() redirects back to (empty: {@link #exten})
 * @param conferenceContext context whose extension {@code <room>} runs ConfBridge
 * @param recordingOptions MixMonitor {@code Options}, such as {@code b} (empty for none)
 * @param maxFrameBytes largest AMI packet accepted
 * @param inboundContexts contexts whose new channels count as incoming calls (empty: every)
 */
public record AsteriskSettings(
    String channel,
    String context,
    String exten,
    int priority,
    String application,
    String data,
    boolean md5Login,
    String events,
    String transferContext,
    String transferMode,
    String holdContext,
    String holdExten,
    String resumeContext,
    String resumeExten,
    String conferenceContext,
    String recordingOptions,
    int maxFrameBytes,
    Set<String> inboundContexts) {

  /** The option keys this adapter reads. */
  public static final Set<String> KEYS =
      Set.of(
          "channel",
          "context",
          "exten",
          "priority",
          "application",
          "data",
          "authType",
          "events",
          "transferContext",
          "transferMode",
          "holdContext",
          "holdExten",
          "resumeContext",
          "resumeExten",
          "conferenceContext",
          "recordingOptions",
          "maxFrameBytes",
          "inboundContexts");

  /**
   * Default Login {@code Events} mask: call tracking, DTMF, system events, UserEvents and the
   * {@code Cdr} events merged into call records.
   */
  public static final String DEFAULT_EVENTS = "call,dtmf,system,user,cdr";

  /** Default Originate channel template. */
  public static final String DEFAULT_CHANNEL = "PJSIP/{to}";

  /**
   * Reads the settings. Call {@link #validate} first; this method assumes valid input.
   *
   * @param config the adapter config
   * @return the settings
   */
  public static AsteriskSettings from(AdapterConfig config) {
    String context = config.option("context", "from-sdk");
    List<String> inbound = new ArrayList<>();
    for (String part : config.option("inboundContexts", "").split(",")) {
      if (!part.isBlank()) {
        inbound.add(part.trim());
      }
    }
    return new AsteriskSettings(
        config.option("channel", DEFAULT_CHANNEL),
        context,
        config.option("exten", "{to}"),
        config.intOption("priority", 1),
        config.option("application", ""),
        config.option("data", ""),
        config.option("authType", "plain").equalsIgnoreCase("md5"),
        config.option("events", DEFAULT_EVENTS),
        config.option("transferContext", context),
        config.option("transferMode", "redirect"),
        config.option("holdContext", "sdk-hold"),
        config.option("holdExten", "hold"),
        config.option("resumeContext", ""),
        config.option("resumeExten", ""),
        config.option("conferenceContext", "sdk-conf"),
        config.option("recordingOptions", ""),
        config.intOption("maxFrameBytes", 4 * 1024 * 1024),
        Set.copyOf(inbound));
  }

  /**
   * Adds every problem with the Asterisk options.
   *
   * @param config the config
   * @param problems where problems go, with paths such as {@code options.authType}
   */
  public static void validate(AdapterConfig config, ConfigProblems problems) {
    for (String key : config.options().keySet()) {
      if (!KEYS.contains(key)) {
        problems.add("options." + key, "unknown option; known: " + String.join(", ", sorted()));
      }
    }
    for (String key : KEYS) {
      config
          .option(key)
          .ifPresent(
              v -> {
                for (int i = 0; i < v.length(); i++) {
                  char c = v.charAt(i);
                  if (c < 0x20 || c == 0x7f) {
                    problems.add("options." + key, "must not contain control characters");
                    return;
                  }
                }
              });
    }
    String channel = config.option("channel", DEFAULT_CHANNEL);
    if (channel.isBlank() || channel.indexOf('/') < 0) {
      problems.add(
          "options.channel", "must be a channel such as PJSIP/{to} or Local/{to}@from-sdk");
    }
    String auth = config.option("authType", "plain").toLowerCase(Locale.ROOT);
    if (!auth.equals("plain") && !auth.equals("md5")) {
      problems.add("options.authType", "must be plain or md5, was " + auth);
    }
    String mode = config.option("transferMode", "redirect");
    if (!mode.equals("redirect") && !mode.equals("blindTransfer")) {
      problems.add("options.transferMode", "must be redirect or blindTransfer, was " + mode);
    }
    positiveInt(config, "priority", 1, problems);
    positiveInt(config, "maxFrameBytes", 65536, problems);
    for (String key : List.of("context", "transferContext", "holdContext", "conferenceContext")) {
      config
          .option(key)
          .filter(String::isBlank)
          .ifPresent(v -> problems.add("options." + key, "must not be blank"));
    }
  }

  private static void positiveInt(AdapterConfig c, String key, int min, ConfigProblems problems) {
    c.option(key)
        .ifPresent(
            v -> {
              try {
                int n = Integer.parseInt(v.trim());
                if (n < min) {
                  problems.add("options." + key, "must be at least " + min + ", was " + n);
                }
              } catch (NumberFormatException e) {
                problems.add("options." + key, "not a whole number: " + v);
              }
            });
  }

  private static List<String> sorted() {
    List<String> keys = new ArrayList<>(KEYS);
    keys.sort(String::compareTo);
    return keys;
  }

  /**
   * Fills a template's {@code {to}} and {@code {from}}.
   *
   * @param template the template
   * @param from the caller
   * @param to the destination
   * @return the filled text
   */
  static String fill(String template, String from, String to) {
    return template.replace("{to}", to).replace("{from}", from);
  }
}
