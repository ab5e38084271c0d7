package org.sipadapter.testkit.ami;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An AMI packet as an ordered list of headers, for the emulator: parses what a client sent and
 * builds what the emulator answers. Immutable once built.
 *
 * @param headers key/value pairs in wire order; keys may repeat
 */
public record AmiMessage(List<Map.Entry<String, String>> headers) {

  /** Copies the list. */
  public AmiMessage {
    headers = List.copyOf(headers);
  }

  /**
   * Parses one packet from bytes ({@code Key: value} lines ending in CRLF or LF). Lines without a
   * colon are ignored.
   *
   * @param bytes one packet, terminator included or not
   * @return the packet
   */
  public static AmiMessage parse(byte[] bytes) {
    List<Map.Entry<String, String>> list = new ArrayList<>();
    int start = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      int lineEnd = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
      int colon = -1;
      for (int i = start; i < lineEnd; i++) {
        if (bytes[i] == ':') {
          colon = i;
          break;
        }
      }
      if (colon > start) {
        int v = colon + 1;
        while (v < lineEnd && bytes[v] == ' ') {
          v++;
        }
        list.add(
            Map.entry(
                new String(bytes, start, colon - start, StandardCharsets.UTF_8),
                new String(bytes, v, lineEnd - v, StandardCharsets.UTF_8)));
      }
      start = end + 1;
    }
    return new AmiMessage(list);
  }

  /**
   * Starts a packet.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The first value of a header, ASCII case of the key ignored.
   *
   * @param key the header name
   * @return the value, or empty
   */
  public Optional<String> get(String key) {
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(key)) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  /**
   * The first value of a header or a fallback.
   *
   * @param key the header name
   * @param fallback returned when absent
   * @return the value or fallback
   */
  public String get(String key, String fallback) {
    return get(key).orElse(fallback);
  }

  /**
   * Every value of a header, in order.
   *
   * @param key the header name
   * @return the values, possibly empty
   */
  public List<String> all(String key) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(key)) {
        values.add(e.getValue());
      }
    }
    return values;
  }

  /**
   * The header names in order.
   *
   * @return the keys, repeated keys included
   */
  public List<String> keys() {
    return headers.stream().map(Map.Entry::getKey).toList();
  }

  /**
   * The packet on the wire: CRLF lines and the empty line.
   *
   * @return UTF-8 bytes
   */
  public byte[] toBytes() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : headers) {
      sb.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
    }
    return sb.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Builds a packet header by header. */
  public static final class Builder {
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a header.
     *
     * @param key the name
     * @param value the value; null is written as empty
     * @return this builder
     */
    public Builder add(String key, String value) {
      headers.add(Map.entry(key, value == null ? "" : value));
      return this;
    }

    /**
     * Adds {@code ActionID} when the request carried one (Asterisk echoes it only then).
     *
     * @param request the request
     * @return this builder
     */
    public Builder actionId(AmiMessage request) {
      request.get("ActionID").ifPresent(id -> add("ActionID", id));
      return this;
    }

    /**
     * Adds every header of another packet.
     *
     * @param other the packet
     * @return this builder
     */
    public Builder addAll(AmiMessage other) {
      headers.addAll(other.headers());
      return this;
    }

    /**
     * Finishes the packet.
     *
     * @return the packet
     */
    public AmiMessage build() {
      return new AmiMessage(headers);
    }
  }
}
