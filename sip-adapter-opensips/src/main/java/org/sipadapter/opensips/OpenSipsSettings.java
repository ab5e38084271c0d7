package org.sipadapter.opensips;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;
import org.sipadapter.config.Credentials;

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
 *   <li>{@code authHeader} (default {@code Authorization}) and {@code authScheme} (default {@code
 *       Basic}): with an {@code auth.password}, every MI request carries {@code <authHeader>: Basic
 *       base64(<auth.username>:<auth.password>)}, or {@code <authHeader>: <authScheme>
 *       <auth.password>} for another scheme (just the password when the scheme is empty), for an
 *       authenticating reverse proxy in front of mi_http, which has no authentication itself. HTTP
 *       401/403 replies become {@code AuthenticationException}.
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
 * @param authHeader the header that carries the credentials
 * @param authScheme the scheme of that header's value ({@code Basic}, {@code Bearer}, or empty)
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
    String uaMedia,
    String authHeader,
    String authScheme) {

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
        config.option("uaMedia", uaDomain(config) + ":9"),
        config.option("authHeader", "Authorization"),
        config.option("authScheme", "Basic"));
  }

  /**
   * The header value that carries the credentials, for {@link #authHeader()}.
   *
   * @param credentials the config's {@code auth}
   * @return the value, or empty when no password is configured
   */
  public Optional<String> authValue(Credentials credentials) {
    String secret = credentials.secret().reveal();
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    if (authScheme.equalsIgnoreCase("Basic")) {
      String pair = credentials.username() + ":" + secret;
      return Optional.of(
          "Basic "
              + java.util.Base64.getEncoder()
                  .encodeToString(pair.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return Optional.of(authScheme.isEmpty() ? secret : authScheme + " " + secret);
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
    String scheme = config.option("authScheme", "Basic");
    if (!scheme.matches("[A-Za-z0-9-]*")) {
      problems.add("options.authScheme", "must be a single word such as Basic: " + scheme);
    }
    String header = config.option("authHeader", "Authorization");
    if (!header.matches("[A-Za-z0-9-]+")) {
      problems.add("options.authHeader", "must be an HTTP header name: " + header);
    }
    if (config.auth().secret().reveal().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problems.add(
          "auth.password", "must not contain control characters (it is sent in an HTTP header)");
    }
    String user = config.auth().username();
    if (scheme.equalsIgnoreCase("Basic")
        && (user.indexOf(':') >= 0 || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
      problems.add("auth.username", "must hold no ':' or control characters for Basic auth");
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
