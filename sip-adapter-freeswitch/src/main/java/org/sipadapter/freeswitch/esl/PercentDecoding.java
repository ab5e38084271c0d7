package org.sipadapter.freeswitch.esl;

import java.nio.charset.StandardCharsets;
import org.sipadapter.transport.ByteScan;

/**
 * Percent-decoding of ESL plain-event header values.
 *
 * <p>FreeSWITCH URL-encodes every value of a {@code text/event-plain} event. Unlike HTML form
 * decoding, {@code +} stays a plus sign (FreeSWITCH encodes a space as {@code %20}), and a broken
 * escape such as {@code %G1} or a trailing {@code %} is kept literally rather than rejected: a
 * value is data, and losing an event over it would be worse. The decoded bytes are read as UTF-8.
 */
final class PercentDecoding {
  private PercentDecoding() {}

  /**
   * Decodes {@code buf[from, to)}.
   *
   * @return the decoded string, never null
   */
  static String decode(byte[] buf, int from, int to) {
    int pct = ByteScan.indexOf(buf, from, to, (byte) '%');
    if (pct < 0) {
      // Most values (ids, numbers, names) have no escape: one copy, straight into the String.
      return new String(buf, from, to - from, StandardCharsets.UTF_8);
    }
    byte[] out = new byte[to - from];
    int n = pct - from;
    System.arraycopy(buf, from, out, 0, n);
    for (int i = pct; i < to; i++) {
      byte b = buf[i];
      if (b == '%' && i + 2 < to) {
        int hi = hex(buf[i + 1]);
        int lo = hex(buf[i + 2]);
        if (hi >= 0 && lo >= 0) {
          out[n++] = (byte) ((hi << 4) | lo);
          i += 2;
          continue;
        }
      }
      out[n++] = b;
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  /** Decodes a whole string (used for values that arrive as text). */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return decode(b, 0, b.length);
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}
