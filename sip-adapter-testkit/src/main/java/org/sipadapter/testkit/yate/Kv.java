package org.sipadapter.testkit.yate;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of Yate message parameters that, like Yate's own, may repeat a name. {@link #add}
 * appends; {@link #set} replaces a value where the name already is (Yate's {@code setParam}), which
 * is why a message's parameter order tells which module added what. Not thread-safe; the emulator
 * builds one per line on its engine thread.
 */
final class Kv {
  private final List<String[]> pairs = new ArrayList<>();

  Kv add(String k, String v) {
    if (v != null) {
      pairs.add(new String[] {k, v});
    }
    return this;
  }

  Kv set(String k, String v) {
    if (v == null) {
      return this;
    }
    for (String[] p : pairs) {
      if (p[0].equals(k)) {
        p[1] = v;
        return this;
      }
    }
    pairs.add(new String[] {k, v});
    return this;
  }

  Kv remove(String k) {
    pairs.removeIf(p -> p[0].equals(k));
    return this;
  }

  Kv addAll(Kv other) {
    for (String[] p : other.pairs) {
      pairs.add(new String[] {p[0], p[1]});
    }
    return this;
  }

  Kv addAll(java.util.Map<String, String> map) {
    map.forEach(this::add);
    return this;
  }

  Kv copy() {
    return new Kv().addAll(this);
  }

  String get(String k) {
    for (String[] p : pairs) {
      if (p[0].equals(k)) {
        return p[1];
      }
    }
    return null;
  }

  List<String> names() {
    List<String> out = new ArrayList<>(pairs.size());
    pairs.forEach(p -> out.add(p[0]));
    return out;
  }

  StringBuilder appendTo(StringBuilder sb) {
    for (String[] p : pairs) {
      sb.append(':').append(YateLine.escape(p[0])).append('=').append(YateLine.escape(p[1]));
    }
    return sb;
  }
}
