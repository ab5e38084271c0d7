package org.sipadapter.yate.extmodule;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        if (skipping) {
          skipping = false;
        } else {
          emit(sink);
        }
        length = 0;
        continue;
      }
      if (skipping) {
        continue;
      }
      if (length == maxLineBytes) {
        sink.malformed("line longer than " + maxLineBytes + " bytes skipped");
        skipping = true;
        length = 0;
        continue;
      }
      if (length == line.length) {
        line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
      }
      line[length++] = b;
    }
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

  private void emit(FrameSink<ExtFrame> sink) {
    int end = length;
    if (end > 0 && line[end - 1] == '\r') {
      end--;
    }
    if (end == 0) {
      return; // an empty line carries nothing
    }
    ExtFrame frame;
    try {
      frame = parse(line, end);
    } catch (ExtFormatException e) {
      sink.malformed(e.getMessage());
      return;
    }
    sink.frame(frame);
    if (line.length > 64 * 1024) {
      line = new byte[4096]; // do not keep a huge buffer after one huge line
    }
  }

  /**
   * Parses one line without its terminator.
   *
   * @param buf the bytes
   * @param end the line's length
   * @return the frame
   * @throws ExtFormatException if the line is malformed
   */
  static ExtFrame parse(byte[] buf, int end) {
    if (startsWith(buf, end, ENGINE_MESSAGE)) {
      List<int[]> f = fields(buf, ENGINE_MESSAGE.length, end);
      if (f.size() < 4) {
        throw new ExtFormatException("%%>message with fewer than 4 fields");
      }
      return new ExtFrame.EngineMessage(
          text(buf, f.get(0)),
          text(buf, f.get(1)),
          text(buf, f.get(2)),
          text(buf, f.get(3)),
          params(buf, f, 4));
    }
    if (startsWith(buf, end, RESULT_MESSAGE)) {
      List<int[]> f = fields(buf, RESULT_MESSAGE.length, end);
      if (f.size() < 4) {
        throw new ExtFormatException("%%<message with fewer than 4 fields");
      }
      return new ExtFrame.MessageResult(
          text(buf, f.get(0)),
          text(buf, f.get(1)).equals("true"),
          text(buf, f.get(2)),
          text(buf, f.get(3)),
          params(buf, f, 4));
    }
    if (startsWith(buf, end, REPLY)) {
      for (int k = 0; k < KEYWORDS.length; k++) {
        byte[] kw = KEYWORD_BYTES[k];
        int after = REPLY.length + kw.length;
        if (end >= after
            && regionEquals(buf, REPLY.length, kw)
            && (end == after || buf[after] == ':')) {
          List<String> values = new ArrayList<>();
          if (end > after) {
            for (int[] r : fields(buf, after + 1, end)) {
              values.add(text(buf, r));
            }
          }
          return new ExtFrame.CommandReply(KEYWORDS[k], values);
        }
      }
    }
    if (startsWith(buf, end, ERROR_IN)) {
      return new ExtFrame.ErrorIn(
          new String(buf, ERROR_IN.length, end - ERROR_IN.length, StandardCharsets.UTF_8));
    }
    return new ExtFrame.Unrecognized(new String(buf, 0, end, StandardCharsets.UTF_8));
  }

  /** Returns [start, end) of each field from {@code from}; raw ':' always separates. */
  private static List<int[]> fields(byte[] buf, int from, int end) {
    List<int[]> out = new ArrayList<>(16);
    int start = from;
    for (int i = from; i < end; i++) {
      if (buf[i] == ':') {
        out.add(new int[] {start, i});
        start = i + 1;
      }
    }
    out.add(new int[] {start, end});
    return out;
  }

  private static Params params(byte[] buf, List<int[]> f, int first) {
    int n = f.size() - first;
    if (n == 1 && f.get(first)[0] == f.get(first)[1]) {
      return Params.EMPTY; // "name:retval:" with nothing after the colon
    }
    String[] pairs = new String[n * 2];
    for (int i = 0; i < n; i++) {
      int[] r = f.get(first + i);
      int eq = r[1];
      for (int j = r[0]; j < r[1]; j++) {
        if (buf[j] == '=') {
          eq = j;
          break;
        }
      }
      pairs[2 * i] = ExtEscaping.unescapeToString(buf, r[0], eq);
      pairs[2 * i + 1] = eq == r[1] ? "" : ExtEscaping.unescapeToString(buf, eq + 1, r[1]);
    }
    return Params.ofPairs(pairs);
  }

  private static String text(byte[] buf, int[] r) {
    return ExtEscaping.unescapeToString(buf, r[0], r[1]);
  }

  private static boolean startsWith(byte[] buf, int end, byte[] prefix) {
    return end >= prefix.length && regionEquals(buf, 0, prefix);
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
