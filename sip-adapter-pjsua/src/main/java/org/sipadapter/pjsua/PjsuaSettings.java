package org.sipadapter.pjsua;

import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * The pjsua-specific part of the configuration ({@code options:} in YAML). The config's {@code
 * host} and {@code port} are the local SIP address the user agent binds (default port 5060); {@code
 * auth} holds the digest credentials used with the registrar and for challenged calls.
 *
 * @param registrar the registrar URI (such as {@code sip:pbx.example}); empty (default) for a local
 *     account that sends no REGISTER
 * @param domain the domain bare numbers are called at ({@code sip:<to>@<domain>}); default the
 *     registrar's host, else the config's {@code realm}, else the local host and port
 * @param transport {@code udp} (default) or {@code tcp}
 * @param idUri the account's URI; default {@code sip:<username>@<domain>}
 * @param publicAddress the address to advertise in Contact/Via, empty for the bound one
 * @param maxCalls {@code UaConfig.maxCalls}, default 4 (pjsua's {@code PJSUA_MAX_CALLS} is 4 unless
 *     the library was rebuilt with more)
 * @param logLevel pjsua's log level 0-6, default 1
 * @param userAgent the User-Agent header, default {@code sip-adapter}
 */
public record PjsuaSettings(
    String registrar,
    String domain,
    String transport,
    String idUri,
    String publicAddress,
    int maxCalls,
    int logLevel,
    String userAgent) {

  /**
   * Reads the options of a config; unset options take their defaults.
   *
   * @param config the adapter config
   * @return the settings
   */
  public static PjsuaSettings from(AdapterConfig config) {
    String registrar = config.option("registrar", "");
    String domain = config.option("domain", "");
    if (domain.isEmpty()) {
      domain = !registrar.isEmpty() ? hostOf(registrar) : config.realm();
    }
    if (domain.isEmpty()) {
      domain = config.host() + ":" + config.port();
    }
    String user = config.auth().username();
    String idUri =
        config.option("idUri", "sip:" + (user.isEmpty() ? "sip-adapter" : user) + "@" + domain);
    return new PjsuaSettings(
        registrar,
        domain,
        config.option("transport", "udp"),
        idUri,
        config.option("publicAddress", ""),
        config.intOption("maxCalls", 4),
        config.intOption("logLevel", 1),
        config.option("userAgent", "sip-adapter"));
  }

  /**
   * Adds every problem of these settings to {@code problems}.
   *
   * @param problems where to report
   */
  public void validate(ConfigProblems problems) {
    if (!transport.equals("udp") && !transport.equals("tcp")) {
      problems.add("options.transport", "must be udp or tcp");
    }
    if (!registrar.isEmpty() && !isSipUri(registrar)) {
      problems.add("options.registrar", "must be a sip: or sips: URI, such as sip:pbx.example");
    }
    if (!isSipUri(idUri)) {
      problems.add("options.idUri", "must be a sip: or sips: URI");
    }
    if (maxCalls < 1) {
      problems.add("options.maxCalls", "must be at least 1");
    }
    if (logLevel < 0 || logLevel > 6) {
      problems.add("options.logLevel", "must be 0 to 6");
    }
  }

  /** Returns the {@code pjsip_transport_type_e} value (UDP 1, TCP 2). */
  int transportType() {
    return transport.equals("tcp") ? 2 : 1;
  }

  static boolean isSipUri(String uri) {
    return uri.startsWith("sip:") || uri.startsWith("sips:");
  }

  private static String hostOf(String uri) {
    String rest = uri.substring(uri.indexOf(':') + 1);
    int at = rest.indexOf('@');
    rest = at >= 0 ? rest.substring(at + 1) : rest;
    int semi = rest.indexOf(';');
    return semi >= 0 ? rest.substring(0, semi) : rest;
  }
}
