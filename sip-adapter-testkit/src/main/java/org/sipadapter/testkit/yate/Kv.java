package org.sipadapter.testkit.yate;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of Yate message parameters that, like Yate's own, may repeat a name. Not
 * thread-safe; the emulator builds one per line on its engine thread.
 */
final class Kv {
  private final List<String[]> pairs = new ArrayList<>();

  Kv add(String k, String v) {
    if (v != null) {
      pairs.add(new String[] {k, v});
    }
    return this;
  }

  Kv addAll(Kv other) {
    pairs.addAll(other.pairs);
    return this;
  }

  Kv addAll(java.util.Map<String, String> map) {
    map.forEach(this::add);
    return this;
  }

  String get(String k) {
    for (String[] p : pairs) {
      if (p[0].equals(k)) {
        return p[1];
      }
    }
    return null;
  }

  StringBuilder appendTo(StringBuilder sb) {
    for (String[] p : pairs) {
      sb.append(':').append(YateLine.escape(p[0])).append('=').append(YateLine.escape(p[1]));
    }
    return sb;
  }
}
