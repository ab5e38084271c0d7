package org.sipadapter.yate.extmodule;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sipadapter.transport.ByteScan;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;

/**
 * Decodes the extmodule stream: lines ending in LF (a CR before it is dropped), fields separated by
 * raw {@code :}, each unescaped with {@link ExtEscaping}. Works on bytes: it finds line ends and
 * separators in the buffer and builds strings only for the fields.
 *
 * <p>A line longer than the limit is skipped up to its LF and reported as malformed, as is a line
 * with a bad escape or missing fields; decoding goes on with the next line. Not thread-safe: owned
 * by one reader thread.
 */
public final class ExtFrameDecoder implements FrameDecoder<ExtFrame> {
  /** Default longest line: 2 MiB (Yate's own {@code bufsize} tops out at 64 KiB). */
  public static final int DEFAULT_MAX_LINE_BYTES = 2 * 1024 * 1024;

  private static final byte[] ENGINE_MESSAGE = ascii("%%>message:");
  private static final byte[] RESULT_MESSAGE = ascii("%%<message:");
  private static final byte[] REPLY = ascii("%%<");
  private static final byte[] ERROR_IN = ascii("Error in: ");
  private static final ExtFrame.Keyword[] KEYWORDS = ExtFrame.Keyword.values();
  private static final byte[][] KEYWORD_BYTES = new byte[KEYWORDS.length][];

  static {
    for (int i = 0; i < KEYWORDS.length; i++) {
      KEYWORD_BYTES[i] = ascii(KEYWORDS[i].wire());
    }
  }

  private final int maxLineBytes;
  private byte[] line = new byte[4096];
  private int length;
  private boolean skipping;

  /** Creates a decoder with {@link #DEFAULT_MAX_LINE_BYTES}. */
  public ExtFrameDecoder() {
    this(DEFAULT_MAX_LINE_BYTES);
  }

  /**
   * Creates a decoder.
   *
   * @param maxLineBytes the longest line accepted, at least 1024
   */
  public ExtFrameDecoder(int maxLineBytes) {
    if (maxLineBytes < 1024) {
      throw new IllegalArgumentException("maxLineBytes must be at least 1024");
    }
    this.maxLineBytes = maxLineBytes;
  }

  @Override
  public void decode(ByteBuffer in, FrameSink<ExtFrame> sink) {
    if (in.hasArray()) {
      int from = in.arrayOffset() + in.position();
      int to = in.arrayOffset() + in.limit();
      in.position(in.limit());
      decode(in.array(), from, to, sink);
    } else {
      byte[] copy = new byte[in.remaining()];
      in.get(copy);
      decode(copy, 0, copy.length, sink);
    }
  }

  /**
   * Decodes {@code buf[p, end)}. A line that lies whole in the buffer, with nothing held from an
   * earlier read, is parsed where it is; only the part of a line cut by a read is copied.
   */
  private void decode(byte[] buf, int p, int end, FrameSink<ExtFrame> sink) {
    while (p < end) {
      int lf = ByteScan.indexOf(buf, p, end, (byte) '\n');
      int stop = lf < 0 ? end : lf;
      if (!skipping) {
        int n = stop - p;
        if (length + n > maxLineBytes) {
          sink.malformed("line longer than " + maxLineBytes + " bytes skipped");
          skipping = true;
          length = 0;
        } else if (lf >= 0 && length == 0) {
          emit(sink, buf, p, stop);
        } else {
          append(buf, p, n);
          if (lf >= 0) {
            emit(sink, line, 0, length);
          }
        }
      }
      if (lf < 0) {
        return;
      }
      skipping = false;
      length = 0;
      p = lf + 1;
    }
  }

  private void append(byte[] buf, int from, int n) {
    if (length + n > line.length) {
      line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(line.length * 2, length + n)));
    }
    System.arraycopy(buf, from, line, length, n);
    length += n;
  }

  @Override
  public void reset() {
    length = 0;
    skipping = false;
  }

  /** Bytes held for the line not yet complete; the fuzz tests check their bound. */
  int bufferedBytes() {
    return length;
  }

  private void emit(FrameSink<ExtFrame> sink, byte[] buf, int from, int to) {
    int end = to;
    if (end > from && buf[end - 1] == '\r') {
      end--;
    }
    if (end == from) {
      return; // an empty line carries nothing
    }
    ExtFrame frame;
    try {
      frame = parse(buf, from, end);
    } catch (ExtFormatException e) {
      sink.malformed(e.getMessage());
      return;
    }
    if (line.length > 64 * 1024) {
      line = new byte[4096]; // do not keep a huge buffer after one huge line
    }
    sink.frame(frame);
  }

  /**
   * Parses one line without its terminator.
   *
   * @param buf the bytes
   * @param from the line's first byte
   * @param end one past its last byte
   * @return the frame
   * @throws ExtFormatException if the line is malformed
   */
  static ExtFrame parse(byte[] buf, int from, int end) {
    if (startsWith(buf, from, end, ENGINE_MESSAGE)) {
      int[] f = fields(buf, from + ENGINE_MESSAGE.length, end);
      if (count(f) < 4) {
        throw new ExtFormatException("%%>message with fewer than 4 fields");
      }
      return new ExtFrame.EngineMessage(
          text(buf, f, 0), text(buf, f, 1), text(buf, f, 2), text(buf, f, 3), params(buf, f, 4));
    }
    if (startsWith(buf, from, end, RESULT_MESSAGE)) {
      int[] f = fields(buf, from + RESULT_MESSAGE.length, end);
      if (count(f) < 4) {
        throw new ExtFormatException("%%<message with fewer than 4 fields");
      }
      return new ExtFrame.MessageResult(
          text(buf, f, 0),
          text(buf, f, 1).equals("true"),
          text(buf, f, 2),
          text(buf, f, 3),
          params(buf, f, 4));
    }
    if (startsWith(buf, from, end, REPLY)) {
      for (int k = 0; k < KEYWORDS.length; k++) {
        byte[] kw = KEYWORD_BYTES[k];
        int after = from + REPLY.length + kw.length;
        if (end >= after
            && regionEquals(buf, from + REPLY.length, kw)
            && (end == after || buf[after] == ':')) {
          List<String> values = new ArrayList<>();
          if (end > after) {
            int[] f = fields(buf, after + 1, end);
            for (int i = 0, n = count(f); i < n; i++) {
              values.add(text(buf, f, i));
            }
          }
          return new ExtFrame.CommandReply(KEYWORDS[k], values);
        }
      }
    }
    if (startsWith(buf, from, end, ERROR_IN)) {
      int at = from + ERROR_IN.length;
      return new ExtFrame.ErrorIn(new String(buf, at, end - at, StandardCharsets.UTF_8));
    }
    return new ExtFrame.Unrecognized(new String(buf, from, end - from, StandardCharsets.UTF_8));
  }

  /**
   * Returns the fields from {@code from}, raw ':' always separating: element 0 is their count n,
   * then n + 1 offsets, field i being [{@code f[1 + i]}, {@code f[2 + i] - 1}) (each field's end is
   * one before the next field's start; the last one's end is {@code end}).
   */
  private static int[] fields(byte[] buf, int from, int end) {
    int[] f = new int[18];
    int n = 0;
    int start = from;
    while (true) {
      if (n + 3 > f.length) {
        f = Arrays.copyOf(f, f.length * 2);
      }
      f[1 + n++] = start;
      int colon = ByteScan.indexOf(buf, start, end, (byte) ':');
      if (colon < 0) {
        break;
      }
      start = colon + 1;
    }
    f[0] = n;
    f[1 + n] = end + 1; // as if a separator followed the last field
    return f;
  }

  private static int count(int[] f) {
    return f[0];
  }

  private static int fieldStart(int[] f, int i) {
    return f[1 + i];
  }

  private static int fieldEnd(int[] f, int i) {
    return f[2 + i] - 1;
  }

  private static Params params(byte[] buf, int[] f, int first) {
    int n = count(f) - first;
    if (n == 1 && fieldStart(f, first) == fieldEnd(f, first)) {
      return Params.EMPTY; // "name:retval:" with nothing after the colon
    }
    String[] pairs = new String[n * 2];
    for (int i = 0; i < n; i++) {
      int start = fieldStart(f, first + i);
      int end = fieldEnd(f, first + i);
      int eq = ByteScan.indexOf(buf, start, end, (byte) '=');
      if (eq < 0) {
        eq = end;
      }
      pairs[2 * i] = ExtEscaping.unescapeToString(buf, start, eq);
      pairs[2 * i + 1] = eq == end ? "" : ExtEscaping.unescapeToString(buf, eq + 1, end);
    }
    return Params.ofPairs(pairs);
  }

  private static String text(byte[] buf, int[] f, int i) {
    return ExtEscaping.unescapeToString(buf, fieldStart(f, i), fieldEnd(f, i));
  }

  private static boolean startsWith(byte[] buf, int from, int end, byte[] prefix) {
    return end - from >= prefix.length && regionEquals(buf, from, prefix);
  }

  private static boolean regionEquals(byte[] buf, int at, byte[] expected) {
    for (int i = 0; i < expected.length; i++) {
      if (buf[at + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
