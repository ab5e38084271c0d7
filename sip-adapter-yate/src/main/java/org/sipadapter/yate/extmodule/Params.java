package org.sipadapter.yate.extmodule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code name=value} parameters of a Yate message, in wire order. Yate allows a name to appear
 * more than once (an incoming SIP {@code call.route} carries {@code address} twice); {@link #get}
 * returns the first. Immutable and thread-safe.
 */
public final class Params {
  /** No parameters. */
  public static final Params EMPTY = new Params(new String[0]);

  /** Alternating names and values. */
  private final String[] pairs;

  private Params(String[] pairs) {
    this.pairs = pairs;
  }

  static Params ofPairs(String[] pairs) {
    return new Params(pairs);
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
    return pairs[2 * i];
  }

  /**
   * Returns the value of parameter {@code i}.
   *
   * @param i 0 to size-1
   * @return the value (empty for a bare name)
   */
  public String value(int i) {
    return pairs[2 * i + 1];
  }

  /**
   * Returns the first value of {@code name}.
   *
   * @param name the parameter name
   * @return the value, or null when absent
   */
  public String get(String name) {
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(name)) {
        return pairs[i + 1];
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
    for (int i = 0; i < pairs.length; i += 2) {
      out.add(pairs[i]);
    }
    return Collections.unmodifiableList(out);
  }

  /** Returns the parameters as a map in wire order; for a repeated name the first value wins. */
  public Map<String, String> toMap() {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.putIfAbsent(pairs[i], pairs[i + 1]);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Params p && java.util.Arrays.equals(p.pairs, pairs);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(pairs);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < pairs.length; i += 2) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(pairs[i]).append('=').append(pairs[i + 1]);
    }
    return sb.append('}').toString();
  }
}
