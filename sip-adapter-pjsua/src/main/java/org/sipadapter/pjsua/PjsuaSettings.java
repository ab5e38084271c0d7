package org.sipadapter.pjsua;

import java.nio.file.Path;
import java.util.List;
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
 * @param transport {@code udp} (default), {@code tcp} or {@code tls} (default when the config's
 *     {@code tls} is on); TLS checks the server certificate against the config's trust store, or
 *     the JVM's trusted certificates without one
 * @param idUri the account's URI; default {@code sip:<username>@<domain>}
 * @param publicAddress the address to advertise in Contact/Via, empty for the bound one
 * @param maxCalls {@code UaConfig.maxCalls}, default 4 (pjsua's {@code PJSUA_MAX_CALLS} is 4 unless
 *     the library was rebuilt with more); at most {@link #capacity()}. Calls beyond it are refused
 *     with a {@code CallException} before pjsua is asked
 * @param logLevel pjsua's log level 0-6, default 1
 * @param userAgent the User-Agent header, default {@code sip-adapter}
 * @param mediaHandles the handles of pjmedia's ioqueue, {@code PJ_IOQUEUE_MAX_HANDLES} of the
 *     library (64 unless pjproject was rebuilt with more); bounds {@code maxCalls}
 * @param outboundProxy a SIP URI every request goes through ({@code AccountSipConfig.proxies}, a
 *     {@code Route} header), such as {@code sip:proxy.example;lr}; empty (default) for none
 * @param srtp {@code disabled} (default), {@code optional} or {@code mandatory} ({@code
 *     AccountMediaConfig.srtpUse})
 * @param recordingDirectory where {@code startRecording} writes its WAV files, default the working
 *     directory
 */
public record PjsuaSettings(
    String registrar,
    String domain,
    String transport,
    String idUri,
    String publicAddress,
    int maxCalls,
    int logLevel,
    String userAgent,
    int mediaHandles,
    String outboundProxy,
    String srtp,
    Path recordingDirectory) {

  /**
   * Media sockets a call can hold: RTP and RTCP of its audio, and of a text stream when the caller
   * offers one ({@code m=text}, which pjsua 2.17 offers on every INVITE; pjsua opens the sockets of
   * an incoming offer before the application sees the call). The adapter's own calls offer no text,
   * so they hold two.
   */
  public static final int SOCKETS_PER_CALL = 4;

  /** The transports. */
  private static final List<String> TRANSPORTS = List.of("udp", "tcp", "tls");

  /** The SRTP uses, in {@code pjmedia_srtp_use} order. */
  private static final List<String> SRTP = List.of("disabled", "optional", "mandatory");

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
        config.option("transport", config.tls() ? "tls" : "udp"),
        idUri,
        config.option("publicAddress", ""),
        config.intOption("maxCalls", 4),
        config.intOption("logLevel", 1),
        config.option("userAgent", "sip-adapter"),
        config.intOption("mediaHandles", 64),
        config.option("outboundProxy", ""),
        config.option("srtp", "disabled"),
        Path.of(config.option("recordingDirectory", ".")));
  }

  /**
   * Returns how many simultaneous calls the library can hold without running out of media sockets:
   * {@code mediaHandles / 4}, 16 for a stock pjproject. One socket more than the ioqueue holds does
   * not fail a call: pjlib's assertion aborts the whole process.
   *
   * @return the most calls {@code maxCalls} may allow
   */
  public int capacity() {
    return mediaHandles / SOCKETS_PER_CALL;
  }

  /**
   * Adds every problem of these settings to {@code problems}.
   *
   * @param problems where to report
   */
  public void validate(ConfigProblems problems) {
    if (!TRANSPORTS.contains(transport)) {
      problems.add("options.transport", "must be udp, tcp or tls");
    }
    if (!SRTP.contains(srtp)) {
      problems.add("options.srtp", "must be disabled, optional or mandatory");
    } else if (!"disabled".equals(srtp) && !"tls".equals(transport)) {
      // pjsua's default AccountMediaConfig.srtpSecureSignaling (1) sends SRTP keys (SDES) only
      // over TLS: on udp or tcp every makeCall fails with PJSIP_ESESSIONINSECURE
      problems.add(
          "options.srtp",
          srtp
              + " needs transport tls (tls: with a trust store): pjsua puts SRTP keys only in"
              + " signalling over TLS and refuses every call over "
              + transport
              + " (PJSIP_ESESSIONINSECURE)");
    }
    if (!outboundProxy.isEmpty() && !isSipUri(outboundProxy)) {
      problems.add(
          "options.outboundProxy", "must be a sip: or sips: URI, such as sip:proxy:5060;lr");
    }
    if (mediaHandles < SOCKETS_PER_CALL) {
      problems.add("options.mediaHandles", "must be at least " + SOCKETS_PER_CALL);
    } else if (maxCalls > capacity()) {
      problems.add(
          "options.maxCalls",
          maxCalls
              + " calls need up to "
              + maxCalls * SOCKETS_PER_CALL
              + " media sockets, but pjmedia's ioqueue holds "
              + mediaHandles
              + " (PJ_IOQUEUE_MAX_HANDLES, options.mediaHandles) and pjlib aborts the process"
              + " beyond it: at most "
              + capacity()
              + ", or rebuild pjproject with a larger PJ_IOQUEUE_MAX_HANDLES in config_site.h"
              + " and set options.mediaHandles to it");
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

  /** Returns the {@code pjsip_transport_type_e} value (UDP 1, TCP 2, TLS 3). */
  int transportType() {
    return TRANSPORTS.indexOf(transport) + 1;
  }

  /** Returns the {@code pjmedia_srtp_use} value (disabled 0, optional 1, mandatory 2). */
  int srtpUse() {
    return Math.max(0, SRTP.indexOf(srtp));
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
