package org.sipadapter.testkit.esl;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** FreeSWITCH's URL encoding of plain event values: {@code %XX} for all but [A-Za-z0-9-_.~]. */
final class UrlCoding {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private UrlCoding() {}

  static String encode(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 8);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~'
          || c == '+'
          || c == '@'
          || c == '/') {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      }
    }
    return sb.toString();
  }

  static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    byte[] in = raw.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length) {
        int hi = Character.digit(in[i + 1], 16);
        int lo = Character.digit(in[i + 2], 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      out.write(in[i]);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
