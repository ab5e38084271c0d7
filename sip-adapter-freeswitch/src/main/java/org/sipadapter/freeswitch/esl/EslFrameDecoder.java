package org.sipadapter.freeswitch.esl;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;

/**
 * Turns the byte stream of an event socket into {@link EslFrame}s.
 *
 * <p>A frame is a header block closed by an empty line ({@code LF LF}; ESL uses bare LF), followed
 * by exactly {@code Content-Length} body bytes when that header is present. The decoder keeps its
 * own state between calls, so input may be split anywhere (one byte at a time works); it always
 * consumes the whole buffer it is given.
 *
 * <p>Faults never throw: a header block longer than the header limit, a body longer than the body
 * limit, a header line without a colon or a bad {@code Content-Length} are reported through {@link
 * FrameSink#malformed} and skipped (an oversized body is skipped by its declared length, so the
 * stream stays in step; an endless header block is skipped up to the next empty line).
 *
 * <p>Cost per event: the frame header is scanned once into a reused buffer and kept as a small
 * copy; the body is copied once, into an array of its exact size or, with {@link
 * #EslFrameDecoder(int, int, int) reused bodies}, into a buffer an earlier frame gave back; nothing
 * else is parsed until the caller asks (see {@link EslEvent}).
 *
 * <p>Not thread-safe: one decoder per connection, called from its reader thread.
 */
public final class EslFrameDecoder implements FrameDecoder<EslFrame> {
  /** Default limit of one header block (frame headers, not event headers), in bytes. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 256 * 1024;

  /** Default limit of one body, in bytes; FreeSWITCH's largest usual bodies are far smaller. */
  public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

  private static final byte LF = '\n';
  private static final byte[] NO_BODY = new byte[0];

  private enum State {
    HEADER,
    BODY,
    DISCARD,
    RESYNC
  }

  private final int maxHeaderBytes;
  private final int maxBodyBytes;
  private final BodyPool pool; // null: every body gets its own array
  private final byte[] scratch = new byte[8192];

  private State state = State.HEADER;
  private byte[] header = new byte[512];
  private int headerLength;
  private boolean previousWasLf;

  private EslContentType pendingType;
  private byte[] pendingHeader;
  private byte[] body;
  private int bodyTarget; // the body's length (body may be a larger pooled buffer)
  private BodyPool.Buffer pooledBody; // the buffer body is in, when pooled
  private int bodyFilled;
  private long discardRemaining;

  /** Creates a decoder with the default limits. */
  public EslFrameDecoder() {
    this(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES);
  }

  /**
   * Creates a decoder with explicit limits.
   *
   * @param maxHeaderBytes largest header block accepted, at least 64
   * @param maxBodyBytes largest body accepted, at least 0
   */
  public EslFrameDecoder(int maxHeaderBytes, int maxBodyBytes) {
    this(maxHeaderBytes, maxBodyBytes, 0);
  }

  /**
   * Creates a decoder whose {@code text/event-plain} bodies go into up to {@code reusedBodies}
   * buffers that come back through {@link EslFrame#release()} and are filled again (0: every body
   * gets an array of its own). Use it when each event frame is released once handled: a body then
   * costs no allocation. A frame never released keeps its buffer; the decoder then gives bodies
   * their own arrays once every buffer is out. Buffers are 4 to 32 KiB; larger bodies always get
   * their own array.
   *
   * @param maxHeaderBytes largest header block accepted, at least 64
   * @param maxBodyBytes largest body accepted, at least 0
   * @param reusedBodies most body buffers kept for reuse, at least 0
   */
  public EslFrameDecoder(int maxHeaderBytes, int maxBodyBytes, int reusedBodies) {
    if (reusedBodies < 0) {
      throw new IllegalArgumentException("reusedBodies must not be negative: " + reusedBodies);
    }
    this.pool = reusedBodies == 0 ? null : new BodyPool(reusedBodies);
    if (maxHeaderBytes < 64) {
      throw new IllegalArgumentException("maxHeaderBytes must be at least 64: " + maxHeaderBytes);
    }
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("maxBodyBytes must not be negative: " + maxBodyBytes);
    }
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Decodes every byte between {@code in.position()} and {@code in.limit()}, delivering complete
   * frames to {@code sink} in order, and leaves {@code in} fully consumed.
   *
   * @param in the bytes just read, not null
   * @param sink receives frames and fault reports, not null
   */
  @Override
  public void decode(ByteBuffer in, FrameSink<EslFrame> sink) {
    if (in.hasArray()) {
      int off = in.arrayOffset() + in.position();
      int len = in.remaining();
      in.position(in.limit());
      decode(in.array(), off, len, sink);
      return;
    }
    while (in.hasRemaining()) {
      int n = Math.min(in.remaining(), scratch.length);
      in.get(scratch, 0, n);
      decode(scratch, 0, n, sink);
    }
  }

  /**
   * Decodes {@code len} bytes of {@code buf} from {@code off}; the array is not kept.
   *
   * @param buf the bytes, not null
   * @param off first byte
   * @param len number of bytes
   * @param sink receives frames and fault reports, not null
   */
  public void decode(byte[] buf, int off, int len, FrameSink<EslFrame> sink) {
    int p = off;
    int end = off + len;
    while (p < end) {
      switch (state) {
        case HEADER -> p = readHeader(buf, p, end, sink);
        case BODY -> {
          int n = Math.min(end - p, bodyTarget - bodyFilled);
          System.arraycopy(buf, p, body, bodyFilled, n);
          p += n;
          bodyFilled += n;
          if (bodyFilled == bodyTarget) {
            emit(sink, body);
          }
        }
        case DISCARD -> {
          int n = (int) Math.min(end - p, discardRemaining);
          p += n;
          discardRemaining -= n;
          if (discardRemaining == 0) {
            state = State.HEADER;
          }
        }
        case RESYNC -> p = resync(buf, p, end);
      }
    }
  }

  @Override
  public void reset() {
    state = State.HEADER;
    headerLength = 0;
    previousWasLf = false;
    body = null;
    pooledBody = null; // a buffer taken for a frame never finished is simply dropped
    pendingHeader = null;
    pendingType = null;
    discardRemaining = 0;
  }

  /** Returns whether the decoder holds part of a frame (bytes that need more input). */
  public boolean hasPartialFrame() {
    return state == State.BODY || (state == State.HEADER && headerLength > 0);
  }

  /** Bytes held for the frame not yet complete; the fuzz tests check their bound. */
  int bufferedBytes() {
    int held = headerLength + (pendingHeader == null ? 0 : pendingHeader.length);
    return state == State.BODY ? held + bodyTarget : held;
  }

  private int readHeader(byte[] buf, int p, int end, FrameSink<EslFrame> sink) {
    int start = p;
    while (p < end) {
      byte c = buf[p++];
      if (c != LF) {
        previousWasLf = false;
        continue;
      }
      if (headerLength == 0 && p - 1 == start) {
        // A blank line before any header (e.g. after a body that ended with LF LF): not a frame.
        start = p;
        previousWasLf = false;
        continue;
      }
      if (previousWasLf) {
        if (!append(buf, start, p, true, sink)) {
          return p;
        }
        headerComplete(sink);
        return p;
      }
      previousWasLf = true;
    }
    append(buf, start, end, false, sink);
    return end;
  }

  private boolean append(
      byte[] buf, int from, int to, boolean closesBlock, FrameSink<EslFrame> sink) {
    int n = to - from;
    if (headerLength + n > maxHeaderBytes) {
      headerLength = 0;
      // A block that just closed is simply dropped; an open one is skipped to its empty line.
      state = closesBlock ? State.HEADER : State.RESYNC;
      previousWasLf = !closesBlock && n > 0 && buf[to - 1] == LF;
      sink.malformed(
          "frame header longer than " + maxHeaderBytes + " bytes; skipped to the next empty line");
      return false;
    }
    if (headerLength + n > header.length) {
      header =
          Arrays.copyOf(
              header, Math.min(maxHeaderBytes, Math.max(header.length * 2, headerLength + n)));
    }
    System.arraycopy(buf, from, header, headerLength, n);
    headerLength += n;
    return true;
  }

  private int resync(byte[] buf, int p, int end) {
    while (p < end) {
      byte c = buf[p++];
      if (c == LF) {
        if (previousWasLf) {
          previousWasLf = false;
          state = State.HEADER;
          return p;
        }
        previousWasLf = true;
      } else {
        previousWasLf = false;
      }
    }
    return p;
  }

  /** Parses Content-Type and Content-Length from the completed block (ends with LF LF). */
  private void headerComplete(FrameSink<EslFrame> sink) {
    byte[] h = header;
    int blockEnd = headerLength - 1; // drop the empty line; every line still ends with LF
    headerLength = 0;
    previousWasLf = false;
    EslContentType type = EslContentType.NONE;
    long contentLength = -1;
    int lineStart = 0;
    while (lineStart < blockEnd) {
      int lineEnd = lineStart;
      while (h[lineEnd] != LF) {
        lineEnd++;
      }
      int colon = -1;
      for (int k = lineStart; k < lineEnd; k++) {
        if (h[k] == ':') {
          colon = k;
          break;
        }
      }
      if (colon <= lineStart) {
        sink.malformed("frame header line without a name and colon; frame skipped");
        return;
      }
      int vs = colon + 1;
      if (vs < lineEnd && h[vs] == ' ') {
        vs++;
      }
      int ve = lineEnd > vs && h[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
      int nameLength = colon - lineStart;
      if (nameIs(h, lineStart, nameLength, "Content-Length")) {
        contentLength = parseLength(h, vs, ve);
        if (contentLength < 0) {
          sink.malformed("frame with an invalid Content-Length; frame skipped");
          return;
        }
      } else if (nameIs(h, lineStart, nameLength, "Content-Type")) {
        type = EslContentType.fromBytes(h, vs, ve - vs);
      }
      lineStart = lineEnd + 1;
    }
    pendingType = type;
    pendingHeader = Arrays.copyOf(h, blockEnd);
    if (contentLength <= 0) {
      emit(sink, NO_BODY);
    } else if (contentLength > maxBodyBytes) {
      pendingHeader = null;
      discardRemaining = contentLength;
      state = State.DISCARD;
      sink.malformed(
          "frame body of "
              + contentLength
              + " bytes exceeds the limit of "
              + maxBodyBytes
              + " bytes; skipped");
    } else {
      bodyTarget = (int) contentLength;
      pooledBody =
          pool != null && type == EslContentType.EVENT_PLAIN ? pool.take(bodyTarget) : null;
      body = pooledBody != null ? pooledBody.bytes : new byte[bodyTarget];
      bodyFilled = 0;
      state = State.BODY;
    }
  }

  private void emit(FrameSink<EslFrame> sink, byte[] frameBody) {
    EslFrame frame =
        pooledBody != null
            ? new EslFrame(pendingType, pendingHeader, pool, pooledBody, bodyTarget)
            : new EslFrame(pendingType, pendingHeader, frameBody);
    // Reset before calling out, so a throwing sink cannot leave the decoder mid-frame.
    state = State.HEADER;
    body = null;
    pooledBody = null;
    pendingHeader = null;
    pendingType = null;
    sink.frame(frame);
  }

  private static boolean nameIs(byte[] h, int at, int length, String name) {
    if (length != name.length()) {
      return false;
    }
    for (int k = 0; k < length; k++) {
      int b = h[at + k];
      int c = name.charAt(k);
      if (b != c && !(Character.isLetter(c) && (b | 0x20) == (c | 0x20))) {
        return false;
      }
    }
    return true;
  }

  /** Returns the decimal value, or -1 when not a plain non-negative number below 2^40. */
  private static long parseLength(byte[] h, int from, int to) {
    if (from >= to || to - from > 12) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = h[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }
}
