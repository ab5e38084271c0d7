package org.sipadapter.kamailio;

import java.time.Duration;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * The Kamailio adapter's own options ({@code options:} in the YAML).
 *
 * <ul>
 *   <li>{@code rpcPath} (default {@code /RPC}): the HTTP path the routing script hands to {@code
 *       jsonrpc_dispatch()}; served on Kamailio's SIP TCP (or TLS) listener, i.e. {@code
 *       host:port}.
 *   <li>{@code evapiPort} (default none): the evapi {@code bind_addr} port; when absent or 0 the
 *       adapter polls {@code dlg.list} instead.
 *   <li>{@code evapiHost} (default the config's {@code host}).
 *   <li>{@code pollInterval} (default {@code 1s}): the {@code dlg.list} polling period without
 *       evapi.
 *   <li>{@code authHeader} (default {@code Authorization}) and {@code authScheme} (default {@code
 *       Bearer}): every RPC request carries {@code <authHeader>: <authScheme> <auth.password>}
 *       (just the password when the scheme is empty). jsonrpcs has no authentication; the routing
 *       script checks the header. Sent only when a password is configured; HTTP 401/403 replies
 *       become {@code AuthenticationException}.
 *   <li>{@code bridgeProxy} (default none): the outbound proxy URI passed to {@code dlg.bridge_dlg}
 *       for the first leg of click-to-dial.
 *   <li>{@code evapiReady} (default true; used only with {@code evapiPort}): connecting waits (up
 *       to the connect timeout) for the {@code {"event":"evapi:ready"}} that {@code
 *       event_route[evapi:connection-new]} sends to the new client, before it reads {@code
 *       dlg.list}; without that route the connect fails with a message naming it. Kamailio's evapi
 *       dispatcher relays an event only to the clients it has accepted so far, and the TCP
 *       handshake completes before it accepts: with {@code false} an event relayed in between (a
 *       busy call's {@code dialog:failed}) never reaches the adapter. Set it false only for a
 *       script without the route.
 * </ul>
 *
 * @param rpcPath the RPC path
 * @param evapiHost the evapi host
 * @param evapiPort the evapi port, 0 to poll
 * @param pollInterval the polling period
 * @param authHeader the auth header name
 * @param authScheme the scheme before the password in the header, empty for none
 * @param bridgeProxy the outbound proxy for click-to-dial's first leg, empty for none
 * @param evapiReady whether connecting waits for {@code evapi:ready}
 */
public record KamailioSettings(
    String rpcPath,
    String evapiHost,
    int evapiPort,
    Duration pollInterval,
    String authHeader,
    String authScheme,
    String bridgeProxy,
    boolean evapiReady) {

  /** Tells whether events come over evapi (an {@code evapiPort} is set) rather than polling. */
  public boolean usesEvapi() {
    return evapiPort > 0;
  }

  /** Reads the options of {@code config}; call {@link #validate} first for clear messages. */
  public static KamailioSettings of(AdapterConfig config) {
    int evapi = config.intOption("evapiPort", 0);
    return new KamailioSettings(
        config.option("rpcPath", "/RPC"),
        config.option("evapiHost", config.host()),
        Math.max(evapi, 0),
        config.durationOption("pollInterval", Duration.ofSeconds(1)),
        config.option("authHeader", "Authorization"),
        config.option("authScheme", "Bearer"),
        config.option("bridgeProxy", ""),
        config.booleanOption("evapiReady", true));
  }

  /** Adds a problem for every option that is out of range or malformed. */
  public static void validate(AdapterConfig config, ConfigProblems problems) {
    String path = config.option("rpcPath", "/RPC");
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == '?' || c == '#')) {
      problems.add("options.rpcPath", "must start with / and hold no spaces, ? or #: " + path);
    }
    try {
      int port = config.intOption("evapiPort", 0);
      if (port < 0 || port > 65535) {
        problems.add("options.evapiPort", "must be 1..65535 (or 0/absent to poll): " + port);
      }
    } catch (IllegalArgumentException e) {
      problems.add("options.evapiPort", e.getMessage());
    }
    try {
      Duration poll = config.durationOption("pollInterval", Duration.ofSeconds(1));
      if (poll.isNegative() || poll.isZero()) {
        problems.add("options.pollInterval", "must be positive: " + poll);
      }
    } catch (IllegalArgumentException e) {
      problems.add("options.pollInterval", e.getMessage());
    }
    config
        .option("bridgeProxy")
        .filter(p -> !p.startsWith("sip:") || p.chars().anyMatch(c -> c <= ' ' || c == '"'))
        .ifPresent(p -> problems.add("options.bridgeProxy", "must be a SIP URI: " + p));
    String scheme = config.option("authScheme", "Bearer");
    if (!scheme.matches("[A-Za-z0-9-]*")) {
      problems.add("options.authScheme", "must be a single word such as Bearer: " + scheme);
    }
    String secret = config.auth().secret().reveal();
    if (secret.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problems.add(
          "auth.password", "must not contain control characters (it is sent in an HTTP header)");
    }
    String header = config.option("authHeader", "Authorization");
    if (!header.matches("[A-Za-z0-9-]+")) {
      problems.add("options.authHeader", "must be an HTTP header name: " + header);
    }
  }
}
