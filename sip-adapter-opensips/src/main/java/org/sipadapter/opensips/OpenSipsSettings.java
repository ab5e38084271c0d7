package org.sipadapter.opensips;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * The OpenSIPS adapter's own options ({@code options:} in the YAML).
 *
 * <ul>
 *   <li>{@code miPath} (default {@code /mi}): the HTTP path of {@code mi_http}, i.e. {@code /} plus
 *       its {@code root} parameter.
 *   <li>{@code eventPort} (default none): the TCP port of the adapter's {@code event_stream}
 *       listener, which OpenSIPS connects to; {@code 0} picks a free port. When absent the adapter
 *       polls {@code dlg_list} instead.
 *   <li>{@code eventHost} (default {@code 127.0.0.1}): the address the listener binds to.
 *   <li>{@code eventAdvertiseHost} (default {@code eventHost}, or {@code 127.0.0.1} when that is a
 *       wildcard): the host OpenSIPS is told to connect to ({@code tcp:<host>:<port>}).
 *   <li>{@code eventExpire} (default {@code 600s}): the subscription lifetime sent with {@code
 *       event_subscribe}; the adapter renews it at half that interval.
 *   <li>{@code extraEvents} (default none): more events to subscribe, comma separated (e.g. {@code
 *       E_UL_CONTACT_INSERT,E_ACC_CDR}); they reach listeners as {@code ServerEvent}s.
 *   <li>{@code pollInterval} (default {@code 1s}): the {@code dlg_list} polling period without
 *       events.
 *   <li>{@code hangupReason} (default {@code true}): {@code dlg_end_dlg} carries a {@code Reason:
 *       Q.850;cause=N} header into the BYEs OpenSIPS sends.
 * </ul>
 *
 * @param miPath the mi_http path
 * @param eventPort the listener port; 0 for a free one; -1 to poll
 * @param eventHost the listener's bind address
 * @param eventAdvertiseHost the host put in the subscription socket
 * @param eventExpire the subscription lifetime
 * @param extraEvents further events to subscribe
 * @param pollInterval the polling period
 * @param hangupReason whether hangups carry a Reason header
 */
public record OpenSipsSettings(
    String miPath,
    int eventPort,
    String eventHost,
    String eventAdvertiseHost,
    Duration eventExpire,
    List<String> extraEvents,
    Duration pollInterval,
    boolean hangupReason) {

  /** The dialog event the adapter always subscribes in event mode. */
  public static final String DIALOG_EVENT = "E_DLG_STATE_CHANGED";

  private static final Pattern EVENT_NAME = Pattern.compile("E_[A-Z0-9_]+");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]]+");

  /** Checks and copies the components. */
  public OpenSipsSettings {
    extraEvents = List.copyOf(extraEvents);
  }

  /** Tells whether dialog events come over event_stream (an {@code eventPort} is set). */
  public boolean usesEventStream() {
    return eventPort >= 0;
  }

  /** Every event to subscribe: {@value #DIALOG_EVENT} first, then {@code extraEvents}. */
  public List<String> subscribedEvents() {
    List<String> all = new ArrayList<>();
    all.add(DIALOG_EVENT);
    extraEvents.stream().filter(e -> !all.contains(e)).forEach(all::add);
    return all;
  }

  /** Reads the options of {@code config}; call {@link #validate} first for clear messages. */
  public static OpenSipsSettings of(AdapterConfig config) {
    String bind = config.option("eventHost", "127.0.0.1");
    String advertiseDefault = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    return new OpenSipsSettings(
        config.option("miPath", "/mi"),
        config.option("eventPort").isPresent() ? config.intOption("eventPort", -1) : -1,
        bind,
        config.option("eventAdvertiseHost", advertiseDefault),
        config.durationOption("eventExpire", Duration.ofSeconds(600)),
        extraEvents(config),
        config.durationOption("pollInterval", Duration.ofSeconds(1)),
        config.booleanOption("hangupReason", true));
  }

  private static List<String> extraEvents(AdapterConfig config) {
    List<String> out = new ArrayList<>();
    String raw = config.option("extraEvents", "");
    int start = 0;
    for (int i = 0; i <= raw.length(); i++) {
      if (i == raw.length() || raw.charAt(i) == ',') {
        String name = raw.substring(start, i).trim();
        if (!name.isEmpty()) {
          out.add(name);
        }
        start = i + 1;
      }
    }
    return out;
  }

  /** Adds a problem for every option that is out of range or malformed. */
  public static void validate(AdapterConfig config, ConfigProblems problems) {
    String path = config.option("miPath", "/mi");
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == '?' || c == '#')) {
      problems.add("options.miPath", "must start with / and hold no spaces, ? or #: " + path);
    }
    try {
      if (config.option("eventPort").isPresent()) {
        int port = config.intOption("eventPort", -1);
        if (port < 0 || port > 65535) {
          problems.add("options.eventPort", "must be 0..65535 (0 = any free port): " + port);
        }
      }
    } catch (IllegalArgumentException e) {
      problems.add("options.eventPort", e.getMessage());
    }
    for (String key : List.of("eventHost", "eventAdvertiseHost")) {
      config
          .option(key)
          .filter(h -> !HOST.matcher(h).matches())
          .ifPresent(h -> problems.add("options." + key, "must be a host name or address: " + h));
    }
    positive(config, problems, "eventExpire", Duration.ofSeconds(600), Duration.ofSeconds(2));
    positive(config, problems, "pollInterval", Duration.ofSeconds(1), Duration.ofMillis(1));
    for (String e : extraEvents(config)) {
      if (!EVENT_NAME.matcher(e).matches()) {
        problems.add("options.extraEvents", "not an OpenSIPS event name (E_...): " + e);
      }
    }
  }

  private static void positive(
      AdapterConfig config, ConfigProblems problems, String key, Duration def, Duration min) {
    try {
      Duration d = config.durationOption(key, def);
      if (d.compareTo(min) < 0) {
        problems.add("options." + key, "must be at least " + min.toMillis() + " ms: " + d);
      }
    } catch (IllegalArgumentException e) {
      problems.add("options." + key, e.getMessage());
    }
  }
}
