package org.sipadapter.opensips.ua;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code E_UA_SESSION} notification of b2b_entities, e.g. {@code
 * {"key":"B2B.17.7465252.1796164368.986488970","event_type":"EARLY","entity_type":"UAC",
 * "status":180,"reason":"Ringing","method":"INVITE","body":"","headers":"Via: ..."}}.
 *
 * @param key the session key (the INVITE's Call-ID for outgoing sessions, OpenSIPS's To tag for
 *     incoming ones)
 * @param type what happened
 * @param outgoing true for a UAC session ({@code ua_session_client_start}), false for UAS
 * @param status the reply status, 0 for requests
 * @param method the SIP method of the request or of the request replied to
 * @param body the message body, empty without the {@code b} flag or a body
 * @param headers the header block, empty without the {@code h} flag
 */
public record UaSessionEvent(
    String key,
    Type type,
    boolean outgoing,
    int status,
    String method,
    String body,
    String headers) {

  /** The {@code event_type} values. */
  public enum Type {
    /** An initial INVITE handled by {@code ua_session_server_init}. */
    NEW,
    /** A 1xx reply. */
    EARLY,
    /** A 2xx reply. */
    ANSWERED,
    /** A 3xx-6xx reply. */
    REJECTED,
    /** A sequential request other than BYE and CANCEL (ACK, re-INVITE, NOTIFY, INFO). */
    UPDATED,
    /** A BYE or CANCEL. */
    TERMINATED,
    /** Anything this version does not know. */
    UNKNOWN
  }

  /** The From-URI parameter that carries this SDK's call marker on the sessions it starts. */
  public static final String MARKER_PARAM = "x-sipadapter";

  /**
   * The From-URI parameter that marks the consultation session of an attended transfer: the session
   * belongs to the call it names, but is no call of its own.
   */
  public static final String CONSULT_PARAM = "x-sipadapter-consult";

  private static final Pattern MARKER = Pattern.compile(";" + MARKER_PARAM + "=([0-9A-Za-z.\\-]+)");
  private static final Pattern CONSULT =
      Pattern.compile(";" + CONSULT_PARAM + "=([0-9A-Za-z.\\-]+)");
  private static final Pattern TAG = Pattern.compile(";\\s*tag=([^;\\s]+)");

  /** The event name. */
  public static final String NAME = "E_UA_SESSION";

  /**
   * Reads the params of a notification.
   *
   * @param f the params as text, nulls as empty
   * @return the event
   * @throws IllegalArgumentException without a {@code key}
   */
  public static UaSessionEvent of(Map<String, String> f) {
    String key = f.getOrDefault("key", "");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("E_UA_SESSION without key");
    }
    Type type;
    try {
      type = Type.valueOf(f.getOrDefault("event_type", "").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      type = Type.UNKNOWN;
    }
    int status;
    try {
      status = Integer.parseInt(f.getOrDefault("status", "0"));
    } catch (NumberFormatException e) {
      status = 0;
    }
    return new UaSessionEvent(
        key,
        type,
        !"UAS".equalsIgnoreCase(f.getOrDefault("entity_type", "")),
        status,
        f.getOrDefault("method", ""),
        f.getOrDefault("body", ""),
        f.getOrDefault("headers", ""));
  }

  /**
   * The call marker on the From header, which replies echo: this SDK's mark on a session it
   * started.
   *
   * @return the marker, if the headers were reported and carry one
   */
  public Optional<String> marker() {
    String from = header("From").orElse("");
    Matcher m = MARKER.matcher(from);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * The consultation marker on the From header, set on the consultation sessions this SDK starts
   * for attended transfers.
   *
   * @return the marker, if the headers were reported and carry one
   */
  public Optional<String> consultMarker() {
    Matcher m = CONSULT.matcher(header("From").orElse(""));
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * The {@code tag} parameter of a reported header (From or To), outside its angle brackets.
   *
   * @param name e.g. {@code To}
   * @return the tag, if the header was reported and has one
   */
  public Optional<String> tag(String name) {
    String v = header(name).orElse("");
    int gt = v.indexOf('>');
    Matcher m = TAG.matcher(gt < 0 ? v : v.substring(gt + 1));
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * A header's value from the reported header block.
   *
   * @param name e.g. {@code From}
   * @return the first value, if present
   */
  public Optional<String> header(String name) {
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return Optional.of(line.substring(colon + 1).trim());
      }
    }
    return Optional.empty();
  }

  /**
   * The URI of a name-addr header value such as {@code Alice <sip:a@h>;tag=1}.
   *
   * @param value the header value
   * @return the URI, or the value up to its first {@code ;} without angle brackets
   */
  public static String uriOf(String value) {
    int lt = value.indexOf('<');
    int gt = value.indexOf('>', lt + 1);
    if (lt >= 0 && gt > lt) {
      return value.substring(lt + 1, gt);
    }
    int semi = value.indexOf(';');
    return (semi < 0 ? value : value.substring(0, semi)).trim();
  }

  /**
   * The status of a {@code message/sipfrag} NOTIFY body such as {@code SIP/2.0 200 OK}.
   *
   * @return the status, or 0 when the body holds none
   */
  public int sipfragStatus() {
    if (!body.startsWith("SIP/2.0 ") || body.length() < 11) {
      return 0;
    }
    try {
      return Integer.parseInt(body.substring(8, 11));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
