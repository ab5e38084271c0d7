package org.sipadapter.freeswitch.esl;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A read-only view of {@code Name: value} lines in a byte range, indexed on first use.
 *
 * <p>The index holds only the start offset of each line ({@code int} per line, plus one sentinel),
 * because a lookup can test the byte right after the wanted name for the colon before comparing any
 * name bytes: most lines are rejected by that single comparison. Values are turned into strings
 * only when asked for, which is what keeps a decoded event small. Not thread-safe for the first
 * lookup; frames are handed from the reader to one consumer at a time.
 */
final class HeaderLines {
  private static final byte LF = '\n';
  private static final byte CR = '\r';
  private static final int[] NO_LINES = {0};

  private final byte[] buf;
  private final int from;
  private final int to;
  private final boolean urlEncoded;
  private int[] lineStarts; // lineStarts[i] = start of line i; lineStarts[count] = end + 1
  private int blockEnd;

  /**
   * @param buf the bytes; never modified
   * @param from first byte of the first line
   * @param to end of the bytes to look at (exclusive); the block stops earlier at an empty line,
   *     and a final line without LF is accepted
   * @param urlEncoded whether values are percent-encoded (plain events) or raw (frame headers)
   */
  HeaderLines(byte[] buf, int from, int to, boolean urlEncoded) {
    this.buf = buf;
    this.from = from;
    this.to = to;
    this.urlEncoded = urlEncoded;
  }

  private int[] index() {
    int[] idx = lineStarts;
    if (idx == null) {
      idx = lineStarts = buildIndex();
    }
    return idx;
  }

  private int[] buildIndex() {
    if (from >= to) {
      blockEnd = from;
      return NO_LINES;
    }
    // Two tight passes (count, then record) beat a growing array: one exact allocation per event.
    // The block ends at the first empty line (an event's inner body follows it) or at `to`.
    int end = to;
    int lines = 0;
    for (int i = from; i < to; i++) {
      if (buf[i] == LF) {
        if (i == from || buf[i - 1] == LF) {
          end = i;
          break;
        }
        lines++;
      }
    }
    if (end == to && buf[to - 1] != LF) {
      lines++;
    }
    blockEnd = end;
    int[] idx = new int[lines + 1];
    int n = 0;
    if (lines > 0) {
      idx[n++] = from;
      for (int i = from; i < end - 1; i++) {
        if (buf[i] == LF) {
          idx[n++] = i + 1;
        }
      }
    }
    idx[n] = end < to || buf[end - 1] == LF ? end : end + 1;
    return idx;
  }

  /**
   * Returns the offset just past the header lines: the position of the empty line that closes the
   * block, or {@code to} when there is none.
   */
  int blockEnd() {
    index();
    return blockEnd;
  }

  /** Returns the number of lines. */
  int size() {
    return index().length - 1;
  }

  /** Returns the line holding header {@code name} (exact case first, then ignoring case), or -1. */
  int find(String name) {
    int[] idx = index();
    int n = name.length();
    int lines = idx.length - 1;
    for (int i = 0; i < lines; i++) {
      int s = idx[i];
      int colon = s + n;
      if (colon < idx[i + 1] - 1 && buf[colon] == ':' && sameName(s, name, false)) {
        return i;
      }
    }
    for (int i = 0; i < lines; i++) {
      int s = idx[i];
      int colon = s + n;
      if (colon < idx[i + 1] - 1 && buf[colon] == ':' && sameName(s, name, true)) {
        return i;
      }
    }
    return -1;
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
    int[] idx = index();
    int start = idx[line] + nameLength + 1;
    int end = idx[line + 1] - 1;
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
    int[] idx = index();
    Map<String, String> map = new LinkedHashMap<>(idx.length * 4 / 3 + 1);
    for (int i = 0; i < idx.length - 1; i++) {
      int s = idx[i];
      int e = idx[i + 1] - 1;
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
