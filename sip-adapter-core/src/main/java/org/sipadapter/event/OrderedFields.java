package org.sipadapter.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The immutable, ordered copy of a {@link ServerEvent}'s fields: two arrays instead of a linked
 * hash map.
 *
 * <p>Why: every raw server event is copied once on the reader thread, and most are never read by a
 * listener. A {@code LinkedHashMap} copy costs a table plus a 40-byte entry per field (about 1 KB
 * for a 20-field AMI event); the arrays cost 8 bytes per field. Lookups scan the keys, which for
 * the 10 to 200 fields of a server event is as fast as hashing keys whose hash was never computed.
 * Entries are made only while iterating.
 */
final class OrderedFields extends AbstractMap<String, String> {
  private static final String[] NONE = new String[0];

  private final String[] keys;
  private final String[] values;
  private Set<Map.Entry<String, String>> entries;

  private OrderedFields(String[] keys, String[] values) {
    this.keys = keys;
    this.values = values;
  }

  /** Copies a map's entries in its iteration order (nulls included, as a linked hash map would). */
  static Map<String, String> copyOf(Map<String, String> source) {
    if (source instanceof OrderedFields || source instanceof LazyFields) {
      return source; // immutable already
    }
    int n = source.size();
    if (n == 0) {
      return new OrderedFields(NONE, NONE);
    }
    String[] keys = new String[n];
    String[] values = new String[n];
    int i = 0;
    for (Map.Entry<String, String> e : source.entrySet()) {
      if (i == n) {
        break; // a concurrently growing source: keep what its size promised
      }
      keys[i] = e.getKey();
      values[i] = e.getValue();
      i++;
    }
    if (i < n) {
      keys = java.util.Arrays.copyOf(keys, i);
      values = java.util.Arrays.copyOf(values, i);
    }
    return new OrderedFields(keys, values);
  }

  private int indexOf(Object key) {
    for (int i = 0; i < keys.length; i++) {
      if (Objects.equals(keys[i], key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public String get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : values[i];
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    Set<Map.Entry<String, String>> s = entries;
    if (s == null) {
      s = new Entries();
      entries = s;
    }
    return s;
  }

  private final class Entries extends AbstractSet<Map.Entry<String, String>> {
    @Override
    public int size() {
      return keys.length;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < keys.length;
        }

        @Override
        public Map.Entry<String, String> next() {
          if (next >= keys.length) {
            throw new NoSuchElementException();
          }
          int i = next++;
          return new AbstractMap.SimpleImmutableEntry<>(keys[i], values[i]);
        }
      };
    }
  }
}
