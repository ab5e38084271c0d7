package org.sipadapter.freeswitch.esl;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sipadapter.transport.ByteScan;

/**
 * A read-only view of {@code Name: value} lines in a byte range, indexed as far as lookups need.
 *
 * <p>Why it is cheap: the index grows only as far as the lines a lookup has to pass. The headers
 * call tracking reads ({@code Event-Name}, {@code Unique-ID}, {@code Hangup-Cause}) sit in the
 * first 30 lines of a 60-to-200-line event, so most events are never scanned to the end. The index
 * keeps one {@code int} per line (its start), because a lookup can test the byte right after the
 * wanted name for the colon before comparing any name bytes: most lines are rejected by that one
 * comparison. Values become strings only when asked for.
 *
 * <p>Not thread-safe: frames are handed from the reader to one consumer at a time.
 */
final class HeaderLines {
  private static final byte LF = '\n';
  private static final byte CR = '\r';

  private final byte[] buf;
  private final int from;
  private final int to;
  private final boolean urlEncoded;
  private int[] lineStarts; // start of each indexed line
  private int lines; // lines indexed so far
  private int scanPos; // where the next unindexed line starts
  private boolean complete; // every line is indexed
  private int blockEnd; // valid once complete: offset of the closing empty line, or `to`

  /**
   * @param buf the bytes; never modified
   * @param from first byte of the first line
   * @param to end of the bytes to look at (exclusive); the block stops earlier at an empty line,
   *     and a final line without LF is accepted
   * @param urlEncoded whether values are percent-encoded (plain events) or raw (frame headers)
   */
  HeaderLines(byte[] buf, int from, int to, boolean urlEncoded) {
    this(buf, from, to, urlEncoded, null);
  }

  /**
   * As {@link #HeaderLines(byte[], int, int, boolean)}, indexing into {@code lineIndex} (reused,
   * its contents ignored) when it is not null.
   */
  HeaderLines(byte[] buf, int from, int to, boolean urlEncoded, int[] lineIndex) {
    this.lineStarts = lineIndex != null && lineIndex.length > 0 ? lineIndex : new int[32];
    this.buf = buf;
    this.from = from;
    this.to = to;
    this.urlEncoded = urlEncoded;
    this.scanPos = from;
    if (from >= to) {
      complete = true;
      blockEnd = from;
    }
  }

  /** Returns the index array (grown as far as this block needed), to be reused. */
  int[] lineIndex() {
    return lineStarts;
  }

  /** Indexes one more line; returns false when the block is complete. */
  private boolean indexNext() {
    if (complete) {
      return false;
    }
    int p = scanPos;
    if (buf[p] == LF) {
      complete = true; // the empty line closing the block
      blockEnd = p;
      return false;
    }
    int lf = ByteScan.indexOf(buf, p, to, LF);
    int e = lf < 0 ? to : lf;
    if (lines == lineStarts.length) {
      // Grow once to the lines the bytes left should hold at the average length so far, rather
      // than by doubling: a fully indexed 200-line event then costs two arrays instead of four.
      int averageLength = Math.max(1, (p - from) / lines);
      int estimate = lines + (to - p) / averageLength + 8;
      lineStarts = java.util.Arrays.copyOf(lineStarts, Math.max(lines + lines / 2, estimate));
    }
    lineStarts[lines++] = p;
    scanPos = e + 1;
    if (scanPos >= to) {
      complete = true;
      blockEnd = to;
    }
    return true;
  }

  /** Returns the exclusive end of line {@code i}'s content (its LF, or {@code to}). */
  private int lineEnd(int i) {
    int next = i + 1 < lines ? lineStarts[i + 1] : scanPos;
    // next - 1 is the LF of line i, except for a last line without LF (then next - 1 == to).
    return next - 1 >= to ? to : next - 1;
  }

  private void indexAll() {
    while (indexNext()) {
      // keep going
    }
  }

  /** Returns the number of lines. */
  int size() {
    indexAll();
    return lines;
  }

  /**
   * Returns the offset just past the header lines: the position of the empty line that closes the
   * block, or {@code to} when there is none.
   */
  int blockEnd() {
    indexAll();
    return blockEnd;
  }

  /**
   * Returns the line holding header {@code name} (exact case first, then ignoring case), or -1. One
   * pass: a line whose name matches only ignoring case is remembered and returned only when no line
   * matches exactly.
   */
  int find(String name) {
    int ignoringCase = -1;
    for (int i = 0; ; i++) {
      if (i == lines && !indexNext()) {
        return ignoringCase;
      }
      int s = lineStarts[i];
      int colon = s + name.length();
      if (colon < lineEnd(i) && buf[colon] == ':') {
        if (sameName(s, name, false)) {
          return i;
        }
        if (ignoringCase < 0 && sameName(s, name, true)) {
          ignoringCase = i;
        }
      }
    }
  }

  private boolean sameName(int at, String name, boolean ignoreCase) {
    for (int k = 0, n = name.length(); k < n; k++) {
      int b = buf[at + k] & 0xff;
      char c = name.charAt(k);
      if (b != c && (!ignoreCase || Character.toLowerCase(b) != Character.toLowerCase(c))) {
        return false;
      }
    }
    return true;
  }

  /** Returns the decoded value of header {@code name}, or null when absent. */
  String get(String name) {
    int line = find(name);
    return line < 0 ? null : value(line, name.length());
  }

  private String value(int line, int nameLength) {
    int start = lineStarts[line] + nameLength + 1;
    int end = lineEnd(line);
    if (start < end && buf[start] == ' ') {
      start++;
    }
    if (end > start && buf[end - 1] == CR) {
      end--;
    }
    return urlEncoded
        ? PercentDecoding.decode(buf, start, end)
        : new String(buf, start, end - start, StandardCharsets.UTF_8);
  }

  /** Returns every header in wire order, values decoded; lines without a colon are skipped. */
  Map<String, String> toMap() {
    indexAll();
    Map<String, String> map = new LinkedHashMap<>(lines * 4 / 3 + 1);
    for (int i = 0; i < lines; i++) {
      int s = lineStarts[i];
      int e = lineEnd(i);
      int colon = -1;
      for (int k = s; k < e; k++) {
        if (buf[k] == ':') {
          colon = k;
          break;
        }
      }
      if (colon > s) {
        map.putIfAbsent(new String(buf, s, colon - s, StandardCharsets.UTF_8), value(i, colon - s));
      }
    }
    return map;
  }
}
