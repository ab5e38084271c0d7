package org.sipadapter.asterisk.ami;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.sipadapter.transport.ByteScan;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the bytes an Asterisk Manager Interface server sends into {@link AmiFrame}s.
 *
 * <p>What it understands:
 *
 * <ul>
 *   <li>Lines end in CRLF or a bare LF; an empty line ends a packet; runs of empty lines are
 *       ignored.
 *   <li>The banner line {@code Asterisk Call Manager/x.y.z}, which has no empty line after it, is
 *       delivered as a {@link AmiFrameType#BANNER} frame when it appears between packets.
 *   <li>{@code Key: value} headers in wire order, repeated keys kept.
 *   <li>The Asterisk 13 {@code Response: Follows} reply: the raw command output up to {@code --END
 *       COMMAND--} becomes one {@code Output} header per line, the same shape as the {@code
 *       Output:} headers of Asterisk 14 and later.
 *   <li>A line that is not a header (no key before a colon) is skipped and reported through {@link
 *       FrameSink#malformed}; the packet it appeared in is kept.
 *   <li>A packet larger than the limit is dropped whole (reported once) and decoding resumes after
 *       its empty line; memory use stays bounded by the limit.
 * </ul>
 *
 * <p>Input may be split anywhere, even inside a CRLF: partial lines are kept between calls. The hot
 * path scans the caller's array for line ends and copies each header's key and value bytes once,
 * into a buffer reused from packet to packet; the only allocations per packet are the frame's own
 * arrays.
 *
 * <p>Not thread-safe: one decoder per connection, called by that connection's reader thread. {@link
 * #reset()} prepares it for a new connection.
 */
public final class AmiFrameDecoder implements FrameDecoder<AmiFrame> {

  /** Default largest packet accepted, in wire bytes: 4 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(AmiFrameDecoder.class);
  private static final byte[] BANNER_PREFIX =
      "Asterisk Call Manager".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END_COMMAND = "--END COMMAND--".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OUTPUT = "Output".getBytes(StandardCharsets.US_ASCII);

  private final int maxFrameBytes;

  // A line that has not seen its LF yet.
  private byte[] partial = new byte[256];
  private int partialLength;
  // The partial line already passed the limit: skip its bytes until the LF.
  private boolean skippingLongLine;

  // The packet being built: key and value bytes back to back, and their end offsets.
  private byte[] bytes = new byte[2048];
  private int length;
  private int[] ends = new int[64];
  private int parts;
  private int wireBytes;

  // The packet passed the limit: drop lines until its empty line.
  private boolean discarding;

  // Asterisk 13 "Response: Follows": raw output lines until --END COMMAND--.
  private boolean follows;
  private boolean followsOutputStarted;
  private boolean followsEnded;

  private byte[] scratch;

  /** A decoder with the {@link #DEFAULT_MAX_FRAME_BYTES} limit. */
  public AmiFrameDecoder() {
    this(DEFAULT_MAX_FRAME_BYTES);
  }

  /**
   * A decoder with a packet size limit.
   *
   * @param maxFrameBytes largest packet accepted, in wire bytes (at least 64)
   * @throws IllegalArgumentException when the limit is below 64
   */
  public AmiFrameDecoder(int maxFrameBytes) {
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException("maxFrameBytes must be at least 64, was " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Consumes every remaining byte of {@code in} and reports each packet completed by them. Bytes of
   * an incomplete packet are kept for the next call.
   *
   * @param in bytes read from the socket; its position is moved to its limit
   * @param sink receives frames and malformed-input reports, on this thread
   */
  @Override
  public void decode(ByteBuffer in, FrameSink<AmiFrame> sink) {
    if (in.hasArray()) {
      int base = in.arrayOffset();
      decode(in.array(), base + in.position(), base + in.limit(), sink);
      in.position(in.limit());
      return;
    }
    if (scratch == null) {
      scratch = new byte[8192];
    }
    while (in.hasRemaining()) {
      int n = Math.min(scratch.length, in.remaining());
      in.get(scratch, 0, n);
      decode(scratch, 0, n, sink);
    }
  }

  /**
   * Consumes {@code bytes[from, to)}; same contract as {@link #decode(ByteBuffer, FrameSink)}.
   *
   * @param in the bytes
   * @param from first index
   * @param to index after the last byte
   * @param sink receives frames and malformed-input reports
   */
  public void decode(byte[] in, int from, int to, FrameSink<AmiFrame> sink) {
    int pos = from;
    while (pos < to) {
      int lf = indexOfLf(in, pos, to);
      if (lf < 0) {
        keepPartial(in, pos, to - pos, sink);
        return;
      }
      if (skippingLongLine) {
        skippingLongLine = false;
        partialLength = 0;
      } else if (partialLength > 0) {
        keepPartial(in, pos, lf - pos, sink);
        if (skippingLongLine) {
          skippingLongLine = false;
          partialLength = 0;
        } else {
          int n = partialLength;
          partialLength = 0;
          line(partial, 0, n, sink);
        }
      } else {
        line(in, pos, lf, sink);
      }
      pos = lf + 1;
    }
  }

  /** Forgets any partial input, as for a fresh connection. */
  @Override
  public void reset() {
    partialLength = 0;
    skippingLongLine = false;
    discarding = false;
    resetPacket();
  }

  /** Bytes held for the packet and line not yet complete; the fuzz tests check their bound. */
  int bufferedBytes() {
    return partialLength + length;
  }

  private static int indexOfLf(byte[] in, int from, int to) {
    return ByteScan.indexOf(in, from, to, (byte) '\n');
  }

  private void keepPartial(byte[] in, int from, int n, FrameSink<AmiFrame> sink) {
    if (skippingLongLine || n == 0) {
      return;
    }
    int needed = partialLength + n;
    // The line counts towards its packet, so what is held stays within the limit; a lone CR may
    // begin the empty line that ends the packet, and is kept so that the packet ends there.
    boolean emptyLineStart = needed == 1 && in[from] == '\r';
    if (wireBytes + needed > maxFrameBytes && !emptyLineStart) {
      skippingLongLine = true;
      partialLength = 0;
      if (!discarding) {
        discarding = true;
        resetPacket();
        sink.malformed("AMI packet longer than " + maxFrameBytes + " bytes dropped");
      }
      return;
    }
    if (needed > partial.length) {
      partial =
          Arrays.copyOf(partial, Math.min(maxFrameBytes, Math.max(needed, partial.length * 2)));
    }
    System.arraycopy(in, from, partial, partialLength, n);
    partialLength = needed;
  }

  private void line(byte[] in, int from, int lf, FrameSink<AmiFrame> sink) {
    int end = lf;
    if (end > from && in[end - 1] == '\r') {
      end--;
    }
    if (discarding) {
      if (end == from) {
        discarding = false;
        resetPacket();
      }
      return;
    }
    if (!charge(lf - from + 1, sink)) {
      if (end == from) {
        discarding = false;
      }
      return;
    }
    if (follows) {
      followsLine(in, from, end, sink);
      return;
    }
    if (end == from) {
      emit(sink);
      return;
    }
    if (parts == 0 && startsWith(in, from, end, BANNER_PREFIX)) {
      wireBytes = 0;
      deliver(AmiFrame.banner(new String(in, from, end - from, StandardCharsets.UTF_8)), sink);
      return;
    }
    if (!header(in, from, end)) {
      sink.malformed("AMI line without a header name skipped (" + (end - from) + " bytes)");
      return;
    }
    if (parts == 2
        && AmiFrame.regionEqualsIgnoreCase(bytes, 0, ends[0], "Response")
        && AmiFrame.regionEqualsIgnoreCase(bytes, ends[0], ends[1], "Follows")) {
      follows = true;
    }
  }

  /**
   * Counts {@code n} bytes against the packet's limit; past it, drops the packet (reported once)
   * and returns false.
   */
  private boolean charge(int n, FrameSink<AmiFrame> sink) {
    wireBytes += n;
    if (wireBytes <= maxFrameBytes) {
      return true;
    }
    discarding = true;
    resetPacket();
    sink.malformed("AMI packet longer than " + maxFrameBytes + " bytes dropped");
    return false;
  }

  private static final long COLONS = ByteScan.repeat((byte) ':');
  private static final byte BELOW_NAME = 0x21; // bytes below this end a name: space, controls

  /**
   * Returns the index of the colon ending the key that starts at {@code from}, or -1 when a space,
   * a control byte or a non-ASCII byte comes first or there is no colon. Eight bytes at a time:
   * each of the three tests marks its first byte exactly, so the lowest mark of any is the first
   * byte that stops the key.
   */
  private static int nameEnd(byte[] in, int from, int end) {
    int i = from;
    for (int last = end - Long.BYTES; i <= last; i += Long.BYTES) {
      long w = ByteScan.longAt(in, i);
      long stops = ByteScan.equalBytes(w, COLONS) | ByteScan.signedBytesBelow(w, BELOW_NAME);
      if (stops != 0) {
        int at = i + (Long.numberOfTrailingZeros(stops) >>> 3);
        return in[at] == ':' ? at : -1;
      }
    }
    for (; i < end; i++) {
      byte b = in[i];
      if (b == ':') {
        return i;
      }
      if (b <= ' ') {
        return -1;
      }
    }
    return -1;
  }

  /** Adds a {@code Key: value} line; false when the line has no usable key. */
  private boolean header(byte[] in, int from, int end) {
    int colon = nameEnd(in, from, end);
    if (colon <= from) {
      return false;
    }
    int valueStart = colon + 1;
    while (valueStart < end && (in[valueStart] == ' ' || in[valueStart] == '\t')) {
      valueStart++;
    }
    addPart(in, from, colon - from);
    addPart(in, valueStart, end - valueStart);
    return true;
  }

  private void followsLine(byte[] in, int from, int end, FrameSink<AmiFrame> sink) {
    if (followsEnded) {
      if (end == from) {
        emit(sink);
      } else if (!header(in, from, end)) {
        sink.malformed("AMI line without a header name skipped (" + (end - from) + " bytes)");
      }
      return;
    }
    if (endsWith(in, from, end, END_COMMAND)) {
      int textEnd = end - END_COMMAND.length;
      if (textEnd > from && !addOutput(in, from, textEnd, sink)) {
        return; // the packet passed the limit and was dropped
      }
      followsEnded = true;
      return;
    }
    if (!followsOutputStarted && isPrivilegeOrActionId(in, from, end) && header(in, from, end)) {
      return;
    }
    followsOutputStarted = true;
    addOutput(in, from, end, sink);
  }

  private static boolean isPrivilegeOrActionId(byte[] in, int from, int end) {
    int colon = -1;
    for (int i = from; i < end; i++) {
      if (in[i] == ':') {
        colon = i;
        break;
      }
    }
    return colon > from
        && (AmiFrame.regionEqualsIgnoreCase(in, from, colon, "Privilege")
            || AmiFrame.regionEqualsIgnoreCase(in, from, colon, "ActionID"));
  }

  /** Adds one raw output line; the {@code Output} key it gains counts against the limit too. */
  private boolean addOutput(byte[] in, int from, int end, FrameSink<AmiFrame> sink) {
    if (!charge(OUTPUT.length, sink)) {
      return false;
    }
    addPart(OUTPUT, 0, OUTPUT.length);
    addPart(in, from, end - from);
    return true;
  }

  private void addPart(byte[] in, int from, int n) {
    int needed = length + n;
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
    }
    System.arraycopy(in, from, bytes, length, n);
    length = needed;
    if (parts == ends.length) {
      ends = Arrays.copyOf(ends, parts * 2);
    }
    ends[parts++] = length;
  }

  private void emit(FrameSink<AmiFrame> sink) {
    if (parts == 0) {
      wireBytes = 0;
      return;
    }
    AmiFrame frame = AmiFrame.fromParts(bytes, length, ends, parts / 2);
    resetPacket();
    deliver(frame, sink);
  }

  private static void deliver(AmiFrame frame, FrameSink<AmiFrame> sink) {
    try {
      sink.frame(frame);
    } catch (RuntimeException e) {
      // The stream must go on: one failing consumer call cannot be allowed to lose later packets.
      LOG.warn("AMI frame consumer failed on {} frame", frame.type(), e);
    }
  }

  private void resetPacket() {
    length = 0;
    parts = 0;
    wireBytes = 0;
    follows = false;
    followsOutputStarted = false;
    followsEnded = false;
    if (bytes.length > 65536) {
      // Do not keep the memory of one huge packet for the life of the connection.
      bytes = new byte[2048];
    }
  }

  private static boolean startsWith(byte[] in, int from, int end, byte[] prefix) {
    if (end - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (in[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean endsWith(byte[] in, int from, int end, byte[] suffix) {
    if (end - from < suffix.length) {
      return false;
    }
    int start = end - suffix.length;
    for (int i = 0; i < suffix.length; i++) {
      if (in[start + i] != suffix[i]) {
        return false;
      }
    }
    return true;
  }
}
