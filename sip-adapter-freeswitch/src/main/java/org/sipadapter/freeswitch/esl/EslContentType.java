package org.sipadapter.freeswitch.esl;

import java.nio.charset.StandardCharsets;

/**
 * The {@code Content-Type} of a frame sent by FreeSWITCH's event socket.
 *
 * <p>{@link #NONE} is a header block without a {@code Content-Type} (the channel data answering
 * {@code connect} in outbound mode); {@link #OTHER} is a type this library does not know, kept so
 * that a newer server never breaks the stream.
 */
public enum EslContentType {
  /** {@code auth/request}: the greeting; the client must answer with {@code auth}. */
  AUTH_REQUEST("auth/request"),
  /** {@code command/reply}: the answer to every non-api command, {@code Reply-Text: +OK|-ERR}. */
  COMMAND_REPLY("command/reply"),
  /** {@code api/response}: the body is the raw output of an {@code api} command. */
  API_RESPONSE("api/response"),
  /** {@code text/event-plain}: the body is a block of URL-encoded event headers. */
  EVENT_PLAIN("text/event-plain"),
  /** {@code text/event-json}: the body is one JSON object of event headers. */
  EVENT_JSON("text/event-json"),
  /** {@code text/event-xml}: the body is an XML event (not interpreted by this library). */
  EVENT_XML("text/event-xml"),
  /** {@code log/data}: a log line, sent after the {@code log} command. */
  LOG_DATA("log/data"),
  /** {@code text/disconnect-notice}: the server is about to close the socket (or linger). */
  DISCONNECT_NOTICE("text/disconnect-notice"),
  /** {@code text/rude-rejection}: the client's address is refused by the event socket ACL. */
  RUDE_REJECTION("text/rude-rejection"),
  /** A header block with no {@code Content-Type} header. */
  NONE(""),
  /** A {@code Content-Type} not listed here. */
  OTHER("");

  private static final EslContentType[] KNOWN = {
    AUTH_REQUEST,
    COMMAND_REPLY,
    API_RESPONSE,
    EVENT_PLAIN,
    EVENT_JSON,
    EVENT_XML,
    LOG_DATA,
    DISCONNECT_NOTICE,
    RUDE_REJECTION
  };

  private final String wireName;
  private final byte[] wireBytes;

  EslContentType(String wireName) {
    this.wireName = wireName;
    this.wireBytes = wireName.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Returns the value as written on the wire, or an empty string for {@link #NONE} and {@link
   * #OTHER}.
   *
   * @return the wire value, never null
   */
  public String wireName() {
    return wireName;
  }

  /** Returns whether frames of this type carry an event ({@code text/event-*}). */
  public boolean isEvent() {
    return this == EVENT_PLAIN || this == EVENT_JSON || this == EVENT_XML;
  }

  /**
   * Finds the type named by {@code len} bytes of {@code buf} at {@code off} without allocating.
   *
   * @return the matching type, {@link #OTHER} when none matches
   */
  static EslContentType fromBytes(byte[] buf, int off, int len) {
    for (EslContentType type : KNOWN) {
      byte[] w = type.wireBytes;
      if (w.length == len && java.util.Arrays.equals(w, 0, len, buf, off, off + len)) {
        return type;
      }
    }
    return OTHER;
  }
}
