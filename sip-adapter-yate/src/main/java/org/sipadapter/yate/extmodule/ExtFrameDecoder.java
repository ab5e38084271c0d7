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
  // The field offsets of the line being parsed, reused from line to line (see fields()).
  private int[] fieldScratch = new int[1 + SLOTS * 64];
  private byte[] unescaped = new byte[256]; // scratch for decoding escaped fields
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
  ExtFrame parse(byte[] buf, int from, int end) {
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

  private static final long COLONS = ByteScan.repeat((byte) ':');
  private static final long EQUALS = ByteScan.repeat((byte) '=');
  private static final long PERCENTS = ByteScan.repeat((byte) '%');
  private static final int SLOTS = 3; // per field: start, first '=', first '%'

  /**
   * Returns the fields from {@code from}, raw ':' always separating, found in one pass over the
   * line eight bytes at a time: element 0 is their count n, then for field i its start, its first
   * {@code =} and its first {@code %} (each -1 when none) at {@code 1 + 3i}, {@code 2 + 3i} and
   * {@code 3 + 3i}; after the last field, the end of the line plus one (as if a separator followed
   * it).
   */
  private int[] fields(byte[] buf, int from, int end) {
    int[] f = fieldScratch;
    int n = 0;
    int start = from;
    while (true) {
      if (1 + SLOTS * (n + 2) > f.length) {
        f = Arrays.copyOf(f, f.length * 2);
      }
      int at = 1 + SLOTS * n++;
      f[at] = start;
      int eq = -1;
      int pct = -1;
      int colon = -1;
      int i = start;
      for (int last = end - Long.BYTES; i <= last && colon < 0; i += Long.BYTES) {
        long w = ByteScan.longAt(buf, i);
        long colons = ByteScan.equalBytes(w, COLONS);
        // Only each mask's lowest mark is exact, and only the first '=' and '%' are wanted.
        int colonAt = colons == 0 ? Long.BYTES : Long.numberOfTrailingZeros(colons) >>> 3;
        if (eq < 0) {
          long eqs = ByteScan.equalBytes(w, EQUALS);
          int eqAt = eqs == 0 ? Long.BYTES : Long.numberOfTrailingZeros(eqs) >>> 3;
          eq = eqAt < colonAt ? i + eqAt : -1;
        }
        if (pct < 0) {
          long pcts = ByteScan.equalBytes(w, PERCENTS);
          int pctAt = pcts == 0 ? Long.BYTES : Long.numberOfTrailingZeros(pcts) >>> 3;
          pct = pctAt < colonAt ? i + pctAt : -1;
        }
        if (colons != 0) {
          colon = i + colonAt;
        }
      }
      for (; colon < 0 && i < end; i++) {
        byte b = buf[i];
        if (b == ':') {
          colon = i;
        } else if (b == '=' && eq < 0) {
          eq = i;
        } else if (b == '%' && pct < 0) {
          pct = i;
        }
      }
      f[at + 1] = eq;
      f[at + 2] = pct;
      if (colon < 0) {
        break;
      }
      start = colon + 1;
    }
    f[0] = n;
    f[1 + SLOTS * n] = end + 1;
    fieldScratch = f.length > 1 + SLOTS * 1024 ? new int[1 + SLOTS * 64] : f; // kept unless huge
    return f;
  }

  private static int count(int[] f) {
    return f[0];
  }

  private static int fieldStart(int[] f, int i) {
    return f[1 + SLOTS * i];
  }

  private static int fieldEnd(int[] f, int i) {
    return f[1 + SLOTS * (i + 1)] - 1;
  }

  private static int firstEquals(int[] f, int i) {
    return f[2 + SLOTS * i];
  }

  private static int firstPercent(int[] f, int i) {
    return f[3 + SLOTS * i];
  }

  private Params params(byte[] buf, int[] f, int first) {
    int n = count(f) - first;
    if (n == 1 && fieldStart(f, first) == fieldEnd(f, first)) {
      return Params.EMPTY; // "name:retval:" with nothing after the colon
    }
    return Params.fromWire(buf, f, 1 + SLOTS * first, n, SLOTS);
  }

  /** A field as text; escapes are decoded through one scratch buffer kept by the decoder. */
  private String decode(byte[] buf, int from, int to, boolean escaped) {
    if (!escaped) {
      return new String(buf, from, to - from, StandardCharsets.UTF_8);
    }
    if (unescaped.length < to - from) {
      unescaped = new byte[Math.max(to - from, unescaped.length * 2)];
    }
    String text = ExtEscaping.decodeEscaped(buf, from, to, unescaped);
    if (unescaped.length > 64 * 1024) {
      unescaped = new byte[256]; // do not keep a huge buffer after one huge field
    }
    return text;
  }

  private String text(byte[] buf, int[] f, int i) {
    return decode(buf, fieldStart(f, i), fieldEnd(f, i), firstPercent(f, i) >= 0);
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
