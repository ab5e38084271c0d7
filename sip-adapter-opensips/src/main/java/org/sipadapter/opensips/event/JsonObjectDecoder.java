package org.sipadapter.opensips.event;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;

/**
 * Cuts the {@code event_stream} byte stream into JSON objects. OpenSIPS writes its JSON-RPC
 * notifications back to back with no delimiter ({@code {...}{...}}), so the decoder scans bytes,
 * counting braces and brackets outside strings (with backslash escapes inside them), and emits each
 * complete top-level object as its own byte array.
 *
 * <p>Survives anything: bytes between objects that are not whitespace are skipped and reported once
 * per run; a NUL byte inside an object but outside its strings (never part of valid JSON) abandons
 * that object; an object longer than {@link #maxFrameBytes()} is reported and skipped to its end. A
 * NUL byte inside a string is kept: OpenSIPS 3.5.9 sometimes writes eight bytes of its memory (a
 * pointer, with NUL bytes) into the {@code headers} string of an {@code E_UA_SESSION}, and the rest
 * of that notification is intact. Whether an emitted object is valid JSON is for the caller's
 * parser to say. Works on any split of the input.
 *
 * <p>Not thread-safe: one decoder per connection, used by its reader thread.
 */
public final class JsonObjectDecoder implements FrameDecoder<byte[]> {

  /** Default upper bound of one object: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private final int maxFrameBytes;
  private byte[] buf = new byte[4096];
  private int len;
  private int depth;
  private boolean inString;
  private boolean escaped;
  private boolean oversized;
  private long garbageRun;

  /** A decoder with the default 16 MiB limit. */
  public JsonObjectDecoder() {
    this(DEFAULT_MAX_FRAME_BYTES);
  }

  /**
   * A decoder refusing objects longer than {@code maxFrameBytes}.
   *
   * @param maxFrameBytes the limit, positive
   */
  public JsonObjectDecoder(int maxFrameBytes) {
    if (maxFrameBytes <= 0) {
      throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** The largest object this decoder accepts. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  @Override
  public void decode(ByteBuffer in, FrameSink<byte[]> sink) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (depth == 0) {
        between(b, sink);
      } else {
        inside(b, sink);
      }
    }
  }

  /** Bytes held for the object not yet complete; the fuzz tests check their bound. */
  int bufferedBytes() {
    return depth == 0 ? 0 : len;
  }

  private void between(byte b, FrameSink<byte[]> sink) {
    if (b == '{') {
      if (garbageRun > 0) {
        sink.malformed("skipped " + garbageRun + " bytes that are not a JSON object");
        garbageRun = 0;
      }
      depth = 1;
      len = 0;
      oversized = false;
      append(b);
    } else if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
      garbageRun++;
    }
  }

  private void inside(byte b, FrameSink<byte[]> sink) {
    if (b == 0 && !inString) {
      sink.malformed("NUL byte inside a JSON object; dropped the object");
      reset();
      garbageRun = 1;
      return;
    }
    if (!oversized) {
      if (len >= maxFrameBytes) {
        oversized = true;
        sink.malformed("JSON object longer than " + maxFrameBytes + " bytes; skipped");
      } else {
        append(b);
      }
    }
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (b == '\\') {
        escaped = true;
      } else if (b == '"') {
        inString = false;
      }
      return;
    }
    switch (b) {
      case '"' -> inString = true;
      case '{', '[' -> depth++;
      case '}', ']' -> {
        depth--;
        if (depth == 0) {
          if (!oversized) {
            sink.frame(Arrays.copyOf(buf, len));
          }
          reset();
        }
      }
      default -> {
        // part of a value
      }
    }
  }

  private void append(byte b) {
    if (len == buf.length) {
      buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, maxFrameBytes + 1L));
    }
    buf[len++] = b;
  }

  /** Drops any partial object (for a new connection) and the buffer it grew. */
  @Override
  public void reset() {
    depth = 0;
    len = 0;
    inString = false;
    escaped = false;
    oversized = false;
    if (buf.length > 1 << 20) {
      buf = new byte[4096];
    }
  }
}
