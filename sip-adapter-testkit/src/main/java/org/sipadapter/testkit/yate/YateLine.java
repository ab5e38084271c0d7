package org.sipadapter.testkit.yate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The emulator's side of the extmodule line format: splitting at raw {@code :}, the {@code %}
 * escaping ({@code %z} for {@code :}, {@code %%}, {@code %@}..{@code %_} for control bytes), and
 * building {@code k=v} parameter lists in order. Kept separate from any adapter's codec so the
 * emulator checks an adapter against the protocol, not against itself.
 */
public final class YateLine {
  private YateLine() {}

  /**
   * Escapes a field as Yate does.
   *
   * @param s the value
   * @return the escaped text
   */
  public static String escape(String s) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 8);
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
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Unescapes a field as Yate does.
   *
   * @param s the escaped field
   * @return the value
   * @throws IllegalArgumentException for an escape Yate does not accept
   */
  public static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] != '%') {
        out.write(in[i]);
        continue;
      }
      if (++i >= in.length) {
        throw new IllegalArgumentException("'%' at end of field");
      }
      int c = in[i] & 0xff;
      if (c == '%') {
        out.write('%');
      } else if (c == 'z') {
        out.write(':');
      } else if (c > '@' && c <= '_') {
        out.write(c - 0x40);
      } else {
        throw new IllegalArgumentException("bad escape %" + (char) c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Splits a line (no terminator) at every raw {@code :}.
   *
   * @param line the line
   * @return the raw (still escaped) fields
   */
  public static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == ':') {
        out.add(line.substring(start, i));
        start = i + 1;
      }
    }
    out.add(line.substring(start));
    return out;
  }

  /**
   * Decodes {@code k=v} fields from {@code from} on, in order (a later duplicate replaces the value
   * but keeps the first position).
   *
   * @param fields raw fields
   * @param from the first parameter field
   * @return the parameters
   */
  public static LinkedHashMap<String, String> params(List<String> fields, int from) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (int i = from; i < fields.size(); i++) {
      String f = fields.get(i);
      if (f.isEmpty() && i == fields.size() - 1) {
        continue;
      }
      int eq = f.indexOf('=');
      if (eq < 0) {
        out.put(unescape(f), "");
      } else {
        out.put(unescape(f.substring(0, eq)), unescape(f.substring(eq + 1)));
      }
    }
    return out;
  }

  /**
   * Appends {@code :k=v} for each parameter, escaped.
   *
   * @param sb where to write
   * @param params the parameters in order
   * @return {@code sb}
   */
  public static StringBuilder appendParams(StringBuilder sb, Map<String, String> params) {
    params.forEach((k, v) -> sb.append(':').append(escape(k)).append('=').append(escape(v)));
    return sb;
  }
}
