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
 *   <li>{@code uaSessions} (default {@code false}): OpenSIPS runs b2b_entities and the adapter
 *       places, answers, rejects, holds and transfers calls as UA sessions over MI (needs {@code
 *       eventPort}: their events come only over event_stream).
 *   <li>{@code uaSocket} (default none): the {@code socket} given to {@code
 *       ua_session_client_start}, e.g. {@code udp:10.0.0.5:5060}; without it OpenSIPS needs {@code
 *       modparam("b2b_entities", "advertised_contact", ...)}.
 *   <li>{@code uaDomain} (default the host of {@code uaSocket}, else the server host): the domain
 *       of a {@code from} or {@code to} given as a bare number.
 *   <li>{@code uaMedia} (default {@code <uaDomain>:9}): the {@code host:port} the SDP offer and
 *       answer of UA sessions name; the adapter handles no media itself.
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
 * @param uaSessions whether calls are placed and answered as b2b_entities UA sessions
 * @param uaSocket the sending socket for outgoing UA sessions, empty for advertised_contact
 * @param uaDomain the domain of bare numbers
 * @param uaMedia the {@code host:port} put in the SDP of UA sessions
 */
public record OpenSipsSettings(
    String miPath,
    int eventPort,
    String eventHost,
    String eventAdvertiseHost,
    Duration eventExpire,
    List<String> extraEvents,
    Duration pollInterval,
    boolean hangupReason,
    boolean uaSessions,
    String uaSocket,
    String uaDomain,
    String uaMedia) {

  /** The dialog event the adapter always subscribes in event mode. */
  public static final String DIALOG_EVENT = "E_DLG_STATE_CHANGED";

  /** The UA session event, subscribed when {@code uaSessions} is on. */
  public static final String UA_EVENT = "E_UA_SESSION";

  /** The acc event whose {@code sip_code} gives a failed call's cause, when subscribed. */
  public static final String ACC_MISSED = "E_ACC_MISSED_EVENT";

  /** acc's call detail record of an answered call, merged into its {@code CallRecord}. */
  public static final String ACC_CDR = "E_ACC_CDR";

  private static final Pattern SOCKET = Pattern.compile("(udp|tcp|tls|ws|wss|sctp):[^\\s;,<>\"]+");
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
    if (uaSessions) {
      all.add(UA_EVENT);
    }
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
        config.booleanOption("hangupReason", true),
        config.booleanOption("uaSessions", false),
        config.option("uaSocket", ""),
        uaDomain(config),
        config.option("uaMedia", uaDomain(config) + ":9"));
  }

  private static String uaDomain(AdapterConfig config) {
    String socket = config.option("uaSocket", "");
    if (!socket.isEmpty()) {
      String rest = socket.substring(socket.indexOf(':') + 1);
      int colon = rest.lastIndexOf(':');
      return config.option("uaDomain", colon > 0 ? rest.substring(0, colon) : rest);
    }
    return config.option("uaDomain", config.host());
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
    config
        .option("uaSocket")
        .filter(v -> !SOCKET.matcher(v).matches())
        .ifPresent(
            v ->
                problems.add(
                    "options.uaSocket", "must be proto:host:port (udp:10.0.0.5:5060): " + v));
    for (String key : List.of("uaDomain", "uaMedia")) {
      config
          .option(key)
          .filter(h -> !HOST.matcher(h).matches())
          .ifPresent(h -> problems.add("options." + key, "must be a host or host:port: " + h));
    }
    try {
      if (config.booleanOption("uaSessions", false) && config.option("eventPort").isEmpty()) {
        problems.add(
            "options.uaSessions",
            "needs options.eventPort: UA session events come only over event_stream");
      }
    } catch (IllegalArgumentException e) {
      problems.add("options.uaSessions", e.getMessage());
    }
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
