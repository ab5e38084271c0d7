package org.sipadapter.yate.extmodule;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sipadapter.event.LazyFields;
import org.sipadapter.transport.ByteScan;

/**
 * The {@code name=value} parameters of a Yate message, in wire order. Yate allows a name to appear
 * more than once (an incoming SIP {@code call.route} carries {@code address} twice); {@link #get}
 * returns the first. Immutable and thread-safe.
 *
 * <p>Parameters read from the wire keep the message's bytes and are decoded one by one when first
 * read: a message carries 20 to 40 parameters, of which the adapter reads a handful. {@link #get}
 * compares a name with the bytes as they are when neither holds anything but ASCII and the name on
 * the wire has no escape, so looking one up decodes only its value. A parameter decoded by two
 * threads at once is decoded twice, to equal strings.
 */
public final class Params implements LazyFields.Source {
  /** No parameters. */
  public static final Params EMPTY = new Params(new String[0]);

  // Per parameter read from the wire, in spans: its first byte, its first '=' (-1 for a bare name),
  // one past its last byte, and which of its parts hold an escape.
  private static final int SPAN = 4;
  private static final int NAME_ESCAPED = 1;
  private static final int VALUE_ESCAPED = 2;

  /** Alternating names and values; for parameters read from the wire, each filled when read. */
  private final String[] pairs;

  private final byte[] raw; // the parameters as sent, escapes and all; null when built from strings
  private final int[] spans;

  private Params(String[] pairs) {
    this.pairs = pairs;
    this.raw = null;
    this.spans = null;
  }

  private Params(byte[] raw, int[] spans, int count) {
    this.pairs = new String[count * 2];
    this.raw = raw;
    this.spans = spans;
  }

  static Params ofPairs(String[] pairs) {
    return new Params(pairs);
  }

  /**
   * Parameters to be decoded when read, from the bytes of a line: {@code count} fields whose
   * offsets are in {@code fieldOffsets} from {@code at}, as {@link ExtFrameDecoder} finds them (per
   * field its start, first {@code =} and first {@code %}, each -1 when none, then the next field's
   * start, one past the separator). Every escape is checked here, so that a bad one refuses the
   * line now, not when a parameter is read.
   *
   * @throws ExtFormatException on an escape Yate never writes
   */
  static Params fromWire(byte[] buf, int[] fieldOffsets, int at, int count, int slots) {
    int base = fieldOffsets[at];
    int end = fieldOffsets[at + slots * count] - 1;
    byte[] raw = Arrays.copyOfRange(buf, base, end);
    int[] spans = new int[count * SPAN];
    for (int i = 0; i < count; i++) {
      int f = at + slots * i;
      int start = fieldOffsets[f];
      int eq = fieldOffsets[f + 1];
      int pct = fieldOffsets[f + 2];
      int fieldEnd = fieldOffsets[f + slots] - 1;
      int flags = 0;
      if (pct >= 0) {
        ExtEscaping.checkEscapes(buf, pct, fieldEnd);
        if (eq < 0 || pct < eq) {
          flags = NAME_ESCAPED;
          if (eq >= 0 && ByteScan.indexOf(buf, eq + 1, fieldEnd, (byte) '%') >= 0) {
            flags |= VALUE_ESCAPED;
          }
        } else {
          flags = VALUE_ESCAPED;
        }
      }
      int s = SPAN * i;
      spans[s] = start - base;
      spans[s + 1] = eq < 0 ? -1 : eq - base;
      spans[s + 2] = fieldEnd - base;
      spans[s + 3] = flags;
    }
    return new Params(raw, spans, count);
  }

  /**
   * Builds parameters from a map, in its iteration order.
   *
   * @param map names to values, not null, no null names or values
   * @return the parameters
   */
  public static Params of(Map<String, String> map) {
    String[] p = new String[map.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : map.entrySet()) {
      p[i++] = Objects.requireNonNull(e.getKey(), "parameter name");
      p[i++] = Objects.requireNonNull(e.getValue(), "value of " + e.getKey());
    }
    return new Params(p);
  }

  /**
   * Builds parameters from alternating names and values.
   *
   * @param namesAndValues {@code name1, value1, name2, value2, ...}
   * @return the parameters
   */
  public static Params of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must come in pairs");
    }
    for (String s : namesAndValues) {
      Objects.requireNonNull(s, "parameter name or value");
    }
    return new Params(namesAndValues.clone());
  }

  /** Returns how many parameters there are. */
  @Override
  public int size() {
    return pairs.length / 2;
  }

  /**
   * Returns the name of parameter {@code i}.
   *
   * @param i 0 to size-1
   * @return the name
   */
  public String name(int i) {
    String name = pairs[2 * i];
    if (name == null) {
      int s = SPAN * i;
      int eq = spans[s + 1];
      name = text(spans[s], eq < 0 ? spans[s + 2] : eq, (spans[s + 3] & NAME_ESCAPED) != 0);
      pairs[2 * i] = name;
    }
    return name;
  }

  /**
   * Returns the value of parameter {@code i}.
   *
   * @param i 0 to size-1
   * @return the value (empty for a bare name)
   */
  @Override
  public String value(int i) {
    String value = pairs[2 * i + 1];
    if (value == null) {
      int s = SPAN * i;
      int eq = spans[s + 1];
      value = eq < 0 ? "" : text(eq + 1, spans[s + 2], (spans[s + 3] & VALUE_ESCAPED) != 0);
      pairs[2 * i + 1] = value;
    }
    return value;
  }

  /** The same as {@link #name}, for {@link LazyFields}. */
  @Override
  public String key(int index) {
    return name(index);
  }

  /**
   * Returns the first value of {@code name}.
   *
   * @param name the parameter name
   * @return the value, or null when absent
   */
  public String get(String name) {
    boolean ascii = raw != null && isAscii(name);
    for (int i = 0, n = size(); i < n; i++) {
      if (ascii ? sameName(i, name) : name(i).equals(name)) {
        return value(i);
      }
    }
    return null;
  }

  /**
   * Returns the first value of {@code name}, or {@code fallback}.
   *
   * @param name the parameter name
   * @param fallback the value when absent
   * @return the value
   */
  public String get(String name, String fallback) {
    String v = get(name);
    return v == null ? fallback : v;
  }

  /** Returns the names in wire order (repeated names repeated). */
  public List<String> names() {
    List<String> out = new ArrayList<>(size());
    for (int i = 0, n = size(); i < n; i++) {
      out.add(name(i));
    }
    return Collections.unmodifiableList(out);
  }

  /** Returns the parameters as a map in wire order; for a repeated name the first value wins. */
  public Map<String, String> toMap() {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0, n = size(); i < n; i++) {
      out.putIfAbsent(name(i), value(i));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Params p && Arrays.equals(p.decodedPairs(), decodedPairs());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(decodedPairs());
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0, n = size(); i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(name(i)).append('=').append(value(i));
    }
    return sb.append('}').toString();
  }

  private String[] decodedPairs() {
    for (int i = 0, n = size(); i < n; i++) {
      name(i);
      value(i);
    }
    return pairs;
  }

  /** Whether parameter {@code i}'s name is {@code name}, an ASCII string, read from the bytes. */
  private boolean sameName(int i, String name) {
    String decoded = pairs[2 * i];
    if (decoded != null) {
      return decoded.equals(name);
    }
    int s = SPAN * i;
    if ((spans[s + 3] & NAME_ESCAPED) != 0) {
      return name(i).equals(name);
    }
    int from = spans[s];
    int eq = spans[s + 1];
    int to = eq < 0 ? spans[s + 2] : eq;
    if (to - from != name.length()) {
      return false; // a byte from 0x80 up never decodes to ASCII: the lengths must agree
    }
    for (int k = 0; k < name.length(); k++) {
      if (raw[from + k] != name.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private String text(int from, int to, boolean escaped) {
    return escaped
        ? ExtEscaping.unescapeToString(raw, from, to)
        : new String(raw, from, to - from, StandardCharsets.UTF_8);
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
