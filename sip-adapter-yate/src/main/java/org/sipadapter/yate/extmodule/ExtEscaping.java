package org.sipadapter.yate.extmodule;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.sipadapter.transport.ByteScan;

/**
 * The extmodule escaping of message fields, as Yate's own code does it ({@code
 * String::msgEscape}/{@code msgUnescape}): a byte below 0x20 is sent as {@code %} followed by the
 * byte plus 0x40 (LF is {@code %J}, CR is {@code %M}), {@code %} as {@code %%}, and the field
 * separator {@code :} as {@code %z} (0x3A + 0x40). Yate's HTML documentation shows {@code %Z} for a
 * colon, but that decodes to 0x1A; this class always emits {@code %z}.
 *
 * <p>Decoding accepts {@code %@} to {@code %_}, {@code %z}, {@code %%} and {@code %}} (which Yate
 * writes for {@code =} inside parameter names); anything else after a {@code %} is an error. Works
 * on bytes so that any byte value survives a round trip. Stateless and thread-safe.
 */
public final class ExtEscaping {
  private ExtEscaping() {}

  /**
   * Escapes a string's UTF-8 bytes.
   *
   * @param value the field value, not null
   * @return the escaped text (pure ASCII for ASCII input)
   */
  public static String escape(String value) {
    return new String(escape(value.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  /**
   * Escapes raw bytes.
   *
   * @param raw the bytes, not null
   * @return the escaped bytes
   */
  public static byte[] escape(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 8);
    appendEscaped(out, raw);
    return out.toByteArray();
  }

  /**
   * Appends the escaped form of {@code raw} to {@code out}.
   *
   * @param out where to write
   * @param raw the bytes to escape
   */
  static void appendEscaped(ByteArrayOutputStream out, byte[] raw) {
    for (byte b : raw) {
      int u = b & 0xff;
      if (u < 0x20 || u == ':') {
        out.write('%');
        out.write(u + 0x40);
      } else if (u == '%') {
        out.write('%');
        out.write('%');
      } else {
        out.write(u);
      }
    }
  }

  /**
   * Decodes an escaped field.
   *
   * @param buf the bytes
   * @param from first byte of the field
   * @param to one past its last byte
   * @return the raw bytes
   * @throws ExtFormatException on an escape Yate never writes
   */
  public static byte[] unescape(byte[] buf, int from, int to) {
    byte[] out = new byte[to - from];
    int n = unescapeInto(buf, from, to, out);
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }

  /**
   * Decodes {@code buf[from, to)} into {@code out} from its start.
   *
   * @param out at least {@code to - from} bytes
   * @return the number of bytes decoded
   * @throws ExtFormatException on an escape Yate never writes
   */
  private static int unescapeInto(byte[] buf, int from, int to, byte[] out) {
    int n = 0;
    for (int i = from; i < to; i++) {
      byte b = buf[i];
      if (b != '%') {
        out[n++] = b;
        continue;
      }
      out[n++] = (byte) escaped(buf, ++i, to);
    }
    return n;
  }

  /**
   * Checks that every {@code %} in {@code buf[from, to)} starts an escape Yate writes, without
   * decoding anything: so that a line is refused as a whole when it is read, even where its fields
   * are decoded only later, when asked for.
   *
   * @param buf the bytes
   * @param from first byte checked
   * @param to one past the last
   * @throws ExtFormatException on an escape Yate never writes
   */
  static void checkEscapes(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '%') {
        escaped(buf, ++i, to);
      }
    }
  }

  /** The byte the escape whose second byte is at {@code at} stands for. */
  private static int escaped(byte[] buf, int at, int to) {
    if (at >= to) {
      throw new ExtFormatException("'%' at the end of a field");
    }
    int c = buf[at] & 0xff;
    if (c == '%') {
      return '%';
    } else if (c >= '@' && c <= '_') {
      return c - 0x40;
    } else if (c == 'z') {
      return ':';
    } else if (c == '}') {
      return '=';
    }
    throw new ExtFormatException("invalid escape %" + (char) c);
  }

  /**
   * Decodes a field that holds a {@code %}, through a caller's scratch buffer (one string made, no
   * array of its own).
   *
   * @param buf the bytes
   * @param from first byte of the field
   * @param to one past its last byte
   * @param scratch at least {@code to - from} bytes; overwritten
   * @return the text
   * @throws ExtFormatException on an escape Yate never writes
   */
  static String decodeEscaped(byte[] buf, int from, int to, byte[] scratch) {
    int n = unescapeInto(buf, from, to, scratch);
    return new String(scratch, 0, n, StandardCharsets.UTF_8);
  }

  /**
   * Decodes an escaped field to a string (UTF-8).
   *
   * @param buf the bytes
   * @param from first byte of the field
   * @param to one past its last byte
   * @return the text
   * @throws ExtFormatException on an escape Yate never writes
   */
  public static String unescapeToString(byte[] buf, int from, int to) {
    // Most fields carry no escape: decode them in place without a copy.
    return ByteScan.indexOf(buf, from, to, (byte) '%') < 0
        ? new String(buf, from, to - from, StandardCharsets.UTF_8)
        : new String(unescape(buf, from, to), StandardCharsets.UTF_8);
  }
}
