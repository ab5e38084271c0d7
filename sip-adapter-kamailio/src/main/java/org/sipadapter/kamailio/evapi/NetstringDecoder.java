package org.sipadapter.kamailio.evapi;

import java.nio.ByteBuffer;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;

/**
 * Incremental decoder of the netstrings that Kamailio's evapi module writes ({@code
 * netstring_format} 1): {@code <decimal length>:<payload>,} back to back, e.g. {@code
 * 27:{"event":"dlg","id":"a1"},}.
 *
 * <p>Works on bytes and survives any split of the stream: feed whatever the socket returned and
 * complete payloads come out, partial ones wait for more input. Bad input never throws: a non-digit
 * where a length should be, a length above {@link #maxFrameBytes()}, or a payload not followed by
 * {@code ,} is reported once through {@link FrameSink#malformed(String)}, and the decoder skips to
 * the next digit and tries again, so one bad frame costs at most itself.
 *
 * <p>Not thread-safe: one decoder per connection, used by its reader thread.
 */
public final class NetstringDecoder implements FrameDecoder<byte[]> {

  /** Default upper bound of one payload: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private enum Phase {
    LENGTH,
    PAYLOAD,
    COMMA,
    SKIP
  }

  private final int maxFrameBytes;
  private Phase phase = Phase.LENGTH;
  private long length;
  private int lengthDigits;
  private byte[] payload;
  private int filled;
  // True while resynchronising after bad input: further errors in the same run stay silent.
  private boolean recovering;

  /** A decoder with the default 16 MiB frame limit. */
  public NetstringDecoder() {
    this(DEFAULT_MAX_FRAME_BYTES);
  }

  /**
   * A decoder refusing payloads longer than {@code maxFrameBytes}.
   *
   * @throws IllegalArgumentException if {@code maxFrameBytes} is not positive
   */
  public NetstringDecoder(int maxFrameBytes) {
    if (maxFrameBytes <= 0) {
      throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** The largest payload this decoder accepts. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * Consumes every remaining byte of {@code in} (its position ends at its limit) and hands each
   * completed payload (the bytes between {@code :} and {@code ,}, owned by the sink) to {@code
   * sink}, in stream order.
   */
  @Override
  public void decode(ByteBuffer in, FrameSink<byte[]> sink) {
    while (in.hasRemaining()) {
      switch (phase) {
        case LENGTH -> readLength(in, sink);
        case PAYLOAD -> readPayload(in);
        case COMMA -> readComma(in, sink);
        case SKIP -> skip(in);
      }
    }
  }

  /** Bytes held for the payload not yet complete; the fuzz tests check their bound. */
  int bufferedBytes() {
    return payload == null ? 0 : payload.length;
  }

  private void readLength(ByteBuffer in, FrameSink<byte[]> sink) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b >= '0' && b <= '9') {
        length = length * 10 + (b - '0');
        lengthDigits++;
        if (length > maxFrameBytes) {
          fail(sink, "netstring length above " + maxFrameBytes + " bytes");
          return;
        }
      } else if (b == ':' && lengthDigits > 0) {
        payload = new byte[(int) length];
        filled = 0;
        phase = Phase.PAYLOAD;
        return;
      } else {
        fail(sink, "expected a netstring length digit or ':', got byte " + (b & 0xff));
        return;
      }
    }
  }

  private void readPayload(ByteBuffer in) {
    // Bulk copy: the payload array is sized once from the length prefix.
    int n = Math.min(in.remaining(), payload.length - filled);
    in.get(payload, filled, n);
    filled += n;
    if (filled == payload.length) {
      phase = Phase.COMMA;
    }
  }

  private void readComma(ByteBuffer in, FrameSink<byte[]> sink) {
    byte b = in.get();
    if (b == ',') {
      byte[] done = payload;
      clear();
      recovering = false;
      sink.frame(done);
    } else {
      fail(sink, "netstring of " + payload.length + " bytes not terminated by ','");
    }
  }

  private void skip(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte b = in.get(in.position());
      if (b >= '0' && b <= '9') {
        phase = Phase.LENGTH;
        return;
      }
      in.get();
    }
  }

  private void fail(FrameSink<byte[]> sink, String reason) {
    if (!recovering) {
      sink.malformed(reason);
    }
    recovering = true;
    clear();
    phase = Phase.SKIP;
  }

  /** Drops any partial frame and the resynchronisation state, for a new connection. */
  @Override
  public void reset() {
    clear();
    recovering = false;
  }

  private void clear() {
    phase = Phase.LENGTH;
    length = 0;
    lengthDigits = 0;
    payload = null;
    filled = 0;
  }
}
