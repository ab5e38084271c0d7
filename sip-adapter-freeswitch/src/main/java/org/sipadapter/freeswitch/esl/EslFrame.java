package org.sipadapter.freeswitch.esl;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * One message from FreeSWITCH's event socket: a header block and an optional {@code Content-Length}
 * body.
 *
 * <p>A frame owns a private copy of its bytes and is immutable once built; its lazily built views
 * (header index, {@link #event()}) are not synchronised, so hand a frame to one thread at a time
 * (the reader thread hands it off and never touches it again). An event frame of a decoder that
 * reuses body buffers holds its body in such a buffer until {@link #release()}.
 */
public final class EslFrame {
  private static final byte[] EMPTY = new byte[0];

  private final EslContentType contentType;
  private final byte[] headerBytes;
  private byte[] body;
  private int bodyLength;
  private BodyPool pool; // set while the body is in a buffer of this pool
  private BodyPool.Buffer pooled;
  private HeaderLines headers;
  private EslEvent event;

  EslFrame(EslContentType contentType, byte[] headerBytes, byte[] body) {
    this.contentType = contentType;
    this.headerBytes = headerBytes;
    this.body = body == null ? EMPTY : body;
    this.bodyLength = this.body.length;
  }

  /** A frame whose body is the first {@code bodyLength} bytes of a pooled buffer. */
  EslFrame(
      EslContentType contentType,
      byte[] headerBytes,
      BodyPool pool,
      BodyPool.Buffer pooled,
      int bodyLength) {
    this.contentType = contentType;
    this.headerBytes = headerBytes;
    this.body = pooled.bytes;
    this.bodyLength = bodyLength;
    this.pool = pool;
    this.pooled = pooled;
  }

  /**
   * Builds a frame from already separated parts (for tests and tools; the decoder is the normal
   * source).
   *
   * @param headerBlock the header lines, each ending with LF, without the closing blank line
   * @param body the body bytes; may be empty, never null
   * @return the frame, never null
   */
  public static EslFrame of(String headerBlock, byte[] body) {
    byte[] h = headerBlock.getBytes(StandardCharsets.UTF_8);
    HeaderLines lines = new HeaderLines(h, 0, h.length, false);
    String type = lines.get("Content-Type");
    EslContentType ct;
    if (type == null) {
      ct = EslContentType.NONE;
    } else {
      byte[] t = type.getBytes(StandardCharsets.US_ASCII);
      ct = EslContentType.fromBytes(t, 0, t.length);
    }
    return new EslFrame(ct, h, body.clone());
  }

  /** Returns the frame's content type, never null. */
  public EslContentType contentType() {
    return contentType;
  }

  private HeaderLines headerLines() {
    HeaderLines h = headers;
    if (h == null) {
      // Frame headers are raw, except the header-only channel data of outbound mode.
      h = headers = new HeaderLines(headerBytes, 0, headerBytes.length, false);
    }
    return h;
  }

  /**
   * Returns a frame header (not an event header) as sent, for example {@code Reply-Text} or {@code
   * Job-UUID}. Names match exactly, then ignoring case.
   *
   * @param name the header name, not null
   * @return the value, or empty when the header is absent
   */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headerLines().get(name));
  }

  /** Returns all frame headers in wire order. */
  public Map<String, String> headers() {
    return headerLines().toMap();
  }

  /** Returns {@code Reply-Text} of a {@code command/reply}, or an empty string. */
  public String replyText() {
    String v = headerLines().get("Reply-Text");
    return v == null ? "" : v;
  }

  /**
   * Returns whether this reply reports success: a {@code command/reply} whose {@code Reply-Text}
   * starts with {@code +OK}, or an {@code api/response} whose body starts with {@code +OK}.
   */
  public boolean isOk() {
    if (contentType == EslContentType.API_RESPONSE) {
      return bodyLength >= 3 && body[0] == '+' && body[1] == 'O' && body[2] == 'K';
    }
    return replyText().startsWith("+OK");
  }

  /** Returns the body length in bytes (the {@code Content-Length}), 0 when there is no body. */
  public int bodyLength() {
    return bodyLength;
  }

  /** Returns a copy of the body bytes. */
  public byte[] body() {
    return Arrays.copyOf(body, bodyLength);
  }

  /** Returns the body as UTF-8 text, empty when there is no body. */
  public String bodyText() {
    return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
  }

  /** Whether the body is in a reused buffer of its decoder (until {@link #release()}). */
  boolean isPooled() {
    return pool != null;
  }

  /** The array holding the body (its first {@link #bodyLength()} bytes), without copying. */
  byte[] pooledBody() {
    return body;
  }

  /** A frame with the same headers that owns a copy of this one's body. */
  EslFrame ownedCopy() {
    return new EslFrame(contentType, headerBytes, body());
  }

  /** A frame with the same headers and {@code newBody}, which it owns from now on. */
  EslFrame withBody(byte[] newBody) {
    return new EslFrame(contentType, headerBytes, newBody);
  }

  /** Returns the body bytes, without copying unless the body is in a larger reused buffer. */
  byte[] bodyBytes() {
    return bodyLength == body.length ? body : Arrays.copyOf(body, bodyLength);
  }

  /**
   * Hands the frame's body buffer back to the decoder that filled it, to be filled by a later
   * frame. Call it once the frame is handled: neither the frame nor its {@link #event()} may be
   * read afterwards (strings and maps already taken from them stay valid; they are copies). Frames
   * whose body is not in a reused buffer ignore it, and so does a second call. Like the rest of the
   * frame, not synchronised: call it on the thread that handled the frame.
   */
  public void release() {
    BodyPool p = pool;
    if (p == null) {
      return;
    }
    BodyPool.Buffer b = pooled;
    if (event instanceof PlainEslEvent e) {
      b.lineIndex = e.lineIndex(); // the index array goes with the buffer and is reused too
    }
    pool = null;
    pooled = null;
    body = EMPTY;
    bodyLength = 0;
    event = null;
    p.give(b);
  }

  /** Returns the header block bytes without copying. */
  byte[] headerBytes() {
    return headerBytes;
  }

  /**
   * Returns the event carried by a {@code text/event-plain} or {@code text/event-json} frame, or
   * the channel data of a header-only frame ({@link EslContentType#NONE}), parsed on first call.
   *
   * @return the event, never null
   * @throws IllegalStateException when the frame carries no event
   * @throws EslFormatException when a JSON body is not a JSON object
   */
  public EslEvent event() {
    EslEvent e = event;
    if (e == null) {
      e =
          event =
              switch (contentType) {
                case EVENT_PLAIN ->
                    PlainEslEvent.parse(
                        body, 0, bodyLength, pooled == null ? null : pooled.lineIndex);
                case EVENT_JSON -> JsonEslEvent.parse(body, bodyLength);
                case NONE -> PlainEslEvent.parse(headerBytes, 0, headerBytes.length);
                default ->
                    throw new IllegalStateException(
                        "frame of type " + contentType + " carries no event");
              };
    }
    return e;
  }

  /** Returns whether {@link #event()} can be called. */
  public boolean hasEvent() {
    return contentType == EslContentType.EVENT_PLAIN
        || contentType == EslContentType.EVENT_JSON
        || contentType == EslContentType.NONE;
  }

  @Override
  public String toString() {
    return "EslFrame["
        + contentType
        + ", headers="
        + headerBytes.length
        + "B, body="
        + bodyLength
        + "B]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EslFrame f
        && f.contentType == contentType
        && Arrays.equals(f.headerBytes, headerBytes)
        && Arrays.equals(f.body, 0, f.bodyLength, body, 0, bodyLength);
  }

  @Override
  public int hashCode() {
    int h = 1; // Arrays.hashCode of the body's bytes
    for (int i = 0; i < bodyLength; i++) {
      h = 31 * h + body[i];
    }
    return 31 * Arrays.hashCode(headerBytes) + h;
  }
}
