package org.sipadapter.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The fields of a {@link ServerEvent} decoded only when first read, from a frame that never
 * changes.
 *
 * <p>Why: an adapter passes most raw server events on with every field, and most listeners never
 * read them. Decoding every field to a string on the reader thread was most of that thread's time
 * on the AMI path; with this map the reader hands on the frame, and the first thread that reads a
 * field (a listener, a sink, {@code equals}) decodes them all, once. {@link ServerEvent} keeps such
 * a map as it is instead of copying it.
 *
 * <p>Reading is safe from any thread: the decoded fields are built completely before they are
 * published, at worst twice under a race, both times the same. A repeated key keeps its first
 * value; iteration is in the source's order; a header the source {@linkplain Source#omitted omits}
 * is not in the map at all. Once decoded, the map no longer holds the source. The map cannot be
 * modified.
 */
public final class LazyFields extends AbstractMap<String, String> {

  /**
   * An immutable list of header keys and values, such as a decoded wire frame.
   *
   * <p>It must answer the same for ever and be safe to read from any thread: the map reads it
   * lazily, on whichever thread first reads a field, after the adapter has moved on.
   */
  public interface Source {
    /**
     * Number of headers, repeated keys counted each time.
     *
     * @return zero or more
     */
    int size();

    /**
     * The key of a header.
     *
     * @param index 0-based position
     * @return the key, never null
     */
    String key(int index);

    /**
     * The value of a header.
     *
     * @param index 0-based position
     * @return the value, never null
     */
    String value(int index);

    /**
     * Whether the header is left out of the map, such as one whose key looks like it holds a
     * secret. Asked when the map is decoded; must answer the same for every header of one key.
     *
     * @param index 0-based position
     * @return true to leave the header out; the default keeps every header
     */
    default boolean omitted(int index) {
      return false;
    }
  }

  // Dropped once decoded, so that the frame (and anything left out of the map) is not kept.
  private volatile Source source;
  private volatile Decoded decoded;
  private Set<Map.Entry<String, String>> entries;

  private LazyFields(Source source) {
    this.source = source;
  }

  /**
   * A map over a source's headers, decoded when first read.
   *
   * @param source an immutable source; never null
   * @return an unmodifiable map
   */
  public static Map<String, String> of(Source source) {
    return new LazyFields(Objects.requireNonNull(source, "source"));
  }

  private record Decoded(String[] keys, String[] values, int size) {}

  private Decoded decoded() {
    Decoded d = decoded;
    if (d == null) {
      Source source = this.source;
      if (source == null) {
        return decoded; // decoded by another thread, which published it before dropping the source
      }
      int n = source.size();
      String[] keys = new String[n];
      String[] values = new String[n];
      int size = 0;
      for (int i = 0; i < n; i++) {
        if (source.omitted(i)) {
          continue;
        }
        String key = source.key(i);
        if (indexOf(keys, size, key) < 0) {
          keys[size] = key;
          values[size] = source.value(i);
          size++;
        }
      }
      d = new Decoded(keys, values, size);
      decoded = d;
      this.source = null;
    }
    return d;
  }

  private static int indexOf(String[] keys, int size, Object key) {
    for (int i = 0; i < size; i++) {
      if (keys[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return decoded().size();
  }

  @Override
  public boolean containsKey(Object key) {
    Decoded d = decoded();
    return indexOf(d.keys(), d.size(), key) >= 0;
  }

  @Override
  public String get(Object key) {
    Decoded d = decoded();
    int i = indexOf(d.keys(), d.size(), key);
    return i < 0 ? null : d.values()[i];
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
      return decoded().size();
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
      Decoded d = decoded();
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < d.size();
        }

        @Override
        public Map.Entry<String, String> next() {
          if (next >= d.size()) {
            throw new NoSuchElementException();
          }
          int i = next++;
          return new AbstractMap.SimpleImmutableEntry<>(d.keys()[i], d.values()[i]);
        }
      };
    }
  }
}
