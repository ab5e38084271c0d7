package org.sipadapter.asterisk.ami;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.sipadapter.event.LazyFields;

/**
 * One AMI packet: an ordered list of {@code Key: value} headers in which a key may repeat ({@code
 * Variable}, {@code ChanVariable}, {@code Output}), or the banner line.
 *
 * <p>The frame keeps the header bytes back to back in a single array with a small table of end
 * offsets, and builds a {@link String} only when one is asked for: most events are looked at for
 * two or three headers and then dropped, so creating a string per header would dominate the cost of
 * reading the stream.
 *
 * <p>Instances are immutable and safe to share between threads. Key look-ups ignore ASCII case, as
 * Asterisk does. Values are decoded as UTF-8.
 */
public final class AmiFrame implements LazyFields.Source {

  private static final byte[] EMPTY = new byte[0];

  private final AmiFrameType type;
  private final String banner;
  private final byte[] data;
  // Offsets of header i: key = [end(2i-1) or 0, end(2i)), value = [end(2i), end(2i+1)).
  // char (16 bit) offsets cover every ordinary packet at half the memory of int offsets.
  private final char[] smallEnds;
  private final int[] largeEnds;
  private final int size;

  private AmiFrame(
      AmiFrameType type, String banner, byte[] data, char[] smallEnds, int[] largeEnds, int size) {
    this.type = type;
    this.banner = banner;
    this.data = data;
    this.smallEnds = smallEnds;
    this.largeEnds = largeEnds;
    this.size = size;
  }

  /**
   * Builds a frame from header bytes laid out back to back, as the decoder collects them.
   *
   * @param data key and value bytes; copied
   * @param length how many bytes of {@code data} are used
   * @param ends two end offsets per header (key end, value end)
   * @param headerCount number of headers
   */
  static AmiFrame fromParts(byte[] data, int length, int[] ends, int headerCount) {
    byte[] bytes = Arrays.copyOf(data, length);
    int n = headerCount * 2;
    char[] small = null;
    int[] large = null;
    if (length <= Character.MAX_VALUE) {
      small = new char[n];
      for (int i = 0; i < n; i++) {
        small[i] = (char) ends[i];
      }
    } else {
      large = Arrays.copyOf(ends, n);
    }
    AmiFrameType type = classify(bytes, n == 0 ? 0 : (small != null ? small[0] : large[0]));
    return new AmiFrame(type, null, bytes, small, large, headerCount);
  }

  private static AmiFrameType classify(byte[] bytes, int firstKeyEnd) {
    if (regionEqualsIgnoreCase(bytes, 0, firstKeyEnd, "Event")) {
      return AmiFrameType.EVENT;
    }
    if (regionEqualsIgnoreCase(bytes, 0, firstKeyEnd, "Response")) {
      return AmiFrameType.RESPONSE;
    }
    if (regionEqualsIgnoreCase(bytes, 0, firstKeyEnd, "Action")) {
      return AmiFrameType.ACTION;
    }
    return AmiFrameType.UNKNOWN;
  }

  /**
   * The banner a server sends on connect.
   *
   * @param line the line without its line ending, for example {@code Asterisk Call Manager/11.0.0}
   * @return a frame of type {@link AmiFrameType#BANNER} without headers
   */
  public static AmiFrame banner(String line) {
    Objects.requireNonNull(line, "line");
    return new AmiFrame(AmiFrameType.BANNER, line, EMPTY, new char[0], null, 0);
  }

  /**
   * Builds a frame from alternating keys and values, for tests and for requests built in code.
   *
   * @param keysAndValues key, value, key, value, ...; none null
   * @return the frame, typed by its first key
   * @throws IllegalArgumentException when the argument count is odd
   */
  public static AmiFrame of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must come in pairs");
    }
    FrameBuffer buffer = new FrameBuffer(64);
    for (String part : keysAndValues) {
      buffer.append(Objects.requireNonNull(part, "key or value").getBytes(StandardCharsets.UTF_8));
    }
    return buffer.toFrame();
  }

  /** Collects key and value parts and turns them into a frame. */
  private static final class FrameBuffer {
    private byte[] bytes;
    private int length;
    private int[] ends = new int[16];
    private int parts;

    FrameBuffer(int capacity) {
      bytes = new byte[capacity];
    }

    void append(byte[] part) {
      if (length + part.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + part.length));
      }
      System.arraycopy(part, 0, bytes, length, part.length);
      length += part.length;
      if (parts == ends.length) {
        ends = Arrays.copyOf(ends, parts * 2);
      }
      ends[parts++] = length;
    }

    AmiFrame toFrame() {
      return fromParts(bytes, length, ends, parts / 2);
    }
  }

  /**
   * What kind of packet this is.
   *
   * @return never null
   */
  public AmiFrameType type() {
    return type;
  }

  /**
   * The banner text for a {@link AmiFrameType#BANNER} frame.
   *
   * @return the banner line, or empty for every other frame
   */
  public Optional<String> bannerText() {
    return Optional.ofNullable(banner);
  }

  /**
   * The version after the slash in the banner ({@code 11.0.0} for {@code Asterisk Call
   * Manager/11.0.0}).
   *
   * @return the AMI version, or empty when this is not a banner or it has no slash
   */
  public Optional<String> amiVersion() {
    if (banner == null) {
      return Optional.empty();
    }
    int slash = banner.lastIndexOf('/');
    return slash < 0 ? Optional.empty() : Optional.of(banner.substring(slash + 1).trim());
  }

  /**
   * Number of headers, repeated keys counted each time.
   *
   * @return zero for the banner
   */
  @Override
  public int size() {
    return size;
  }

  private int end(int index) {
    return smallEnds != null ? smallEnds[index] : largeEnds[index];
  }

  private int keyStart(int header) {
    return header == 0 ? 0 : end(2 * header - 1);
  }

  /**
   * The key of header {@code index}, as sent.
   *
   * @param index 0-based position
   * @return the key
   * @throws IndexOutOfBoundsException for a bad index
   */
  @Override
  public String key(int index) {
    Objects.checkIndex(index, size);
    int start = keyStart(index);
    return string(start, end(2 * index));
  }

  /**
   * The value of header {@code index}, as sent (leading blanks after the colon removed, trailing
   * blanks kept).
   *
   * @param index 0-based position
   * @return the value, possibly empty
   * @throws IndexOutOfBoundsException for a bad index
   */
  @Override
  public String value(int index) {
    Objects.checkIndex(index, size);
    return string(end(2 * index), end(2 * index + 1));
  }

  private String string(int from, int to) {
    return new String(data, from, to - from, StandardCharsets.UTF_8);
  }

  private int indexOf(String key) {
    for (int i = 0; i < size; i++) {
      if (regionEqualsIgnoreCase(data, keyStart(i), end(2 * i), key)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether the header's key looks like it carries a secret, so that it is left out of the frame's
   * {@link org.sipadapter.event.LazyFields}: the key contains {@code secret} or {@code password},
   * or is {@code Key}, ASCII case ignored. One pass over the key bytes, no strings built.
   *
   * @param index 0-based header position
   * @return true when the key looks secret
   */
  @Override
  public boolean omitted(int index) {
    return keyLooksSecret(keyStart(index), end(2 * index));
  }

  // One pass over the key; most keys are shorter than "secret" and need none.
  private boolean keyLooksSecret(int from, int to) {
    int n = to - from;
    if (n == 3) {
      return regionEqualsIgnoreCase(data, from, to, "key");
    }
    for (int p = from; p + 6 <= to; p++) {
      int c = data[p] | 0x20; // ASCII letters to lower case; a false match is compared in full
      if (c == 's' && regionEqualsIgnoreCase(data, p, p + 6, "secret")) {
        return true;
      }
      if (c == 'p' && p + 8 <= to && regionEqualsIgnoreCase(data, p, p + 8, "password")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a header with this key is present.
   *
   * @param key header name, ASCII case ignored
   * @return true when at least one header has this key
   */
  public boolean has(String key) {
    return indexOf(key) >= 0;
  }

  /**
   * The first value for a key.
   *
   * @param key header name, ASCII case ignored
   * @return the value, or empty when the key is absent
   */
  public Optional<String> get(String key) {
    int i = indexOf(key);
    return i < 0 ? Optional.empty() : Optional.of(value(i));
  }

  /**
   * The first value for a key, or a fallback.
   *
   * @param key header name, ASCII case ignored
   * @param fallback returned when the key is absent; may be null
   * @return the value or {@code fallback}
   */
  public String getOrDefault(String key, String fallback) {
    int i = indexOf(key);
    return i < 0 ? fallback : value(i);
  }

  /**
   * The first value for a key read as a decimal integer, without building a string.
   *
   * @param key header name, ASCII case ignored
   * @param fallback returned when the key is absent or the value is not a number
   * @return the number or {@code fallback}
   */
  public int intValue(String key, int fallback) {
    int i = indexOf(key);
    if (i < 0) {
      return fallback;
    }
    int from = end(2 * i);
    int to = end(2 * i + 1);
    while (to > from && data[to - 1] == ' ') {
      to--;
    }
    if (from == to) {
      return fallback;
    }
    boolean negative = data[from] == '-';
    if (negative) {
      from++;
    }
    if (from == to || to - from > 9) {
      return fallback;
    }
    int result = 0;
    for (int p = from; p < to; p++) {
      int digit = data[p] - '0';
      if (digit < 0 || digit > 9) {
        return fallback;
      }
      result = result * 10 + digit;
    }
    return negative ? -result : result;
  }

  /**
   * Whether the first value for {@code key} equals {@code expected}, ignoring ASCII case, without
   * building a string.
   *
   * @param key header name, ASCII case ignored
   * @param expected the value to compare with
   * @return false when the key is absent
   */
  public boolean valueEqualsIgnoreCase(String key, String expected) {
    int i = indexOf(key);
    return i >= 0 && regionEqualsIgnoreCase(data, end(2 * i), end(2 * i + 1), expected);
  }

  /**
   * Every value for a key, in wire order.
   *
   * @param key header name, ASCII case ignored
   * @return an unmodifiable list, empty when the key is absent
   */
  public List<String> values(String key) {
    List<String> result = null;
    for (int i = 0; i < size; i++) {
      if (regionEqualsIgnoreCase(data, keyStart(i), end(2 * i), key)) {
        if (result == null) {
          result = new ArrayList<>(4);
        }
        result.add(value(i));
      }
    }
    return result == null ? List.of() : Collections.unmodifiableList(result);
  }

  /**
   * The packet's name: the value of its first header ({@code Newchannel} for an event, {@code
   * Success} for a response, the action name for an action).
   *
   * @return the name, or the banner text for the banner
   */
  public String name() {
    if (banner != null) {
      return banner;
    }
    return size == 0 ? "" : value(0);
  }

  /**
   * Whether this is an event with the given name (ASCII case ignored), without building a string.
   *
   * @param eventName for example {@code Hangup}
   * @return true for a matching event
   */
  public boolean isEvent(String eventName) {
    return type == AmiFrameType.EVENT && regionEqualsIgnoreCase(data, end(0), end(1), eventName);
  }

  /**
   * The headers in wire order.
   *
   * @return an unmodifiable list of key/value pairs, repeated keys included
   */
  public List<Map.Entry<String, String>> headers() {
    List<Map.Entry<String, String>> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(Map.entry(key(i), value(i)));
    }
    return Collections.unmodifiableList(list);
  }

  /**
   * A read-only map view holding the first value of each key, in wire order. Entries are decoded
   * when read, so handing the view to a listener that never looks costs nothing.
   *
   * @return an unmodifiable, lazily decoded view
   */
  public Map<String, String> asMap() {
    return new HeaderMapView(this);
  }

  /**
   * The packet as it would be written on the wire: {@code Key: value} lines ending in CRLF,
   * followed by the empty line.
   *
   * @return new bytes; for the banner, the banner line and CRLF
   */
  public byte[] toWireBytes() {
    if (banner != null) {
      return (banner + "\r\n").getBytes(StandardCharsets.UTF_8);
    }
    byte[] out = new byte[data.length + size * 4 + 2];
    int p = 0;
    for (int i = 0; i < size; i++) {
      int ks = keyStart(i);
      int ke = end(2 * i);
      int ve = end(2 * i + 1);
      System.arraycopy(data, ks, out, p, ke - ks);
      p += ke - ks;
      out[p++] = ':';
      out[p++] = ' ';
      System.arraycopy(data, ke, out, p, ve - ke);
      p += ve - ke;
      out[p++] = '\r';
      out[p++] = '\n';
    }
    out[p++] = '\r';
    out[p] = '\n';
    return out;
  }

  static boolean regionEqualsIgnoreCase(byte[] bytes, int from, int to, String expected) {
    int length = expected.length();
    if (to - from != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      int a = bytes[from + i] & 0xff;
      int b = expected.charAt(i);
      if (a != b && toLower(a) != toLower(b)) {
        return false;
      }
    }
    return true;
  }

  private static int toLower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof AmiFrame other)) {
      return false;
    }
    if (type != other.type || size != other.size || !Objects.equals(banner, other.banner)) {
      return false;
    }
    if (!Arrays.equals(data, other.data)) {
      return false;
    }
    for (int i = 0; i < size * 2; i++) {
      if (end(i) != other.end(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, banner, size) * 31 + Arrays.hashCode(data);
  }

  /** Shows the type and headers; {@code Secret} and {@code Key} values are masked. */
  @Override
  public String toString() {
    if (banner != null) {
      return "AmiFrame[BANNER " + banner + "]";
    }
    StringBuilder sb = new StringBuilder("AmiFrame[").append(type);
    for (int i = 0; i < size; i++) {
      String key = key(i);
      boolean secret = key.equalsIgnoreCase("Secret") || key.equalsIgnoreCase("Key");
      sb.append(i == 0 ? " " : ", ").append(key).append(": ").append(secret ? "***" : value(i));
    }
    return sb.append(']').toString();
  }

  /** First-value-per-key view; duplicates beyond the first are skipped when iterating. */
  private static final class HeaderMapView extends AbstractMap<String, String> {
    private final AmiFrame frame;
    // Built at most a few times under a race; each build is complete before it is published.
    private volatile Map<String, String> materialized;

    HeaderMapView(AmiFrame frame) {
      this.frame = frame;
    }

    private Map<String, String> materialize() {
      Map<String, String> result = materialized;
      if (result == null) {
        // Two arrays rather than a LinkedHashMap: the view is built once per raw server event on
        // the reader thread and copied into the event record, so its entries are pure overhead.
        String[] keys = new String[frame.size];
        String[] values = new String[frame.size];
        int n = 0;
        for (int i = 0; i < frame.size; i++) {
          String key = frame.key(i);
          if (!contains(keys, n, key)) {
            keys[n] = key;
            values[n] = frame.value(i);
            n++;
          }
        }
        result = new ArrayFields(keys, values, n);
        materialized = result;
      }
      return result;
    }

    private static boolean contains(String[] keys, int n, String key) {
      for (int i = 0; i < n; i++) {
        if (keys[i].equals(key)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String get(Object key) {
      return key instanceof String k ? frame.getOrDefault(k, null) : null;
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String k && frame.has(k);
    }

    @Override
    public int size() {
      return materialize().size();
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
      return materialize().entrySet();
    }
  }

  /** Immutable, ordered headers in two arrays; entries exist only while iterating. */
  private static final class ArrayFields extends AbstractMap<String, String> {
    private final String[] keys;
    private final String[] values;
    private final int size;

    ArrayFields(String[] keys, String[] values, int size) {
      this.keys = keys;
      this.values = values;
      this.size = size;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
      return new java.util.AbstractSet<>() {
        @Override
        public int size() {
          return size;
        }

        @Override
        public java.util.Iterator<Entry<String, String>> iterator() {
          return new java.util.Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < size;
            }

            @Override
            public Entry<String, String> next() {
              if (next >= size) {
                throw new java.util.NoSuchElementException();
              }
              int i = next++;
              return new SimpleImmutableEntry<>(keys[i], values[i]);
            }
          };
        }
      };
    }
  }
}
