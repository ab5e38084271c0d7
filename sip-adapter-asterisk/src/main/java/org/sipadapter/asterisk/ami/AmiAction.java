package org.sipadapter.asterisk.ami;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sipadapter.InputGuard;

/**
 * One AMI request: {@code Action: <name>}, then headers in order (a key may repeat, as {@code
 * Variable} does). The {@code ActionID} is added by {@link AmiConnection} when the action is sent.
 *
 * <p>Immutable. Every key and value is checked for CR, LF, NUL and other control characters when it
 * is added, so a finished action can always be written as one well-formed packet. {@link
 * #toString()} masks {@code Secret} and {@code Key}.
 */
public final class AmiAction {
  private final String name;
  private final List<Map.Entry<String, String>> headers;

  private AmiAction(String name, List<Map.Entry<String, String>> headers) {
    this.name = name;
    this.headers = List.copyOf(headers);
  }

  /**
   * Starts an action.
   *
   * @param name the action's name, such as {@code Originate}
   * @return a builder
   * @throws IllegalArgumentException if the name holds characters AMI cannot carry
   */
  public static Builder of(String name) {
    return new Builder(name);
  }

  /**
   * Returns the action's name.
   *
   * @return for example {@code Originate}
   */
  public String name() {
    return name;
  }

  /**
   * Returns the headers after {@code Action}, in order.
   *
   * @return an unmodifiable list
   */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /**
   * Returns the first value of a header.
   *
   * @param key the header's name (ASCII case ignored)
   * @return the value, or null when absent
   */
  public String get(String key) {
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase(key)) {
        return h.getValue();
      }
    }
    return null;
  }

  /**
   * Writes the action as AMI wire bytes with the given ActionID: CRLF lines and an empty line.
   *
   * @param actionId the id the reply will echo
   * @return new UTF-8 bytes
   */
  public byte[] toWireBytes(String actionId) {
    StringBuilder sb = new StringBuilder(64 + headers.size() * 32);
    sb.append("Action: ").append(name).append("\r\n");
    sb.append("ActionID: ").append(actionId).append("\r\n");
    for (Map.Entry<String, String> h : headers) {
      sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Shows the name and headers with {@code Secret} and {@code Key} masked. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("AmiAction[").append(name);
    for (Map.Entry<String, String> h : headers) {
      String key = h.getKey();
      boolean secret = key.equalsIgnoreCase("Secret") || key.equalsIgnoreCase("Key");
      sb.append(", ").append(key).append(": ").append(secret ? "***" : h.getValue());
    }
    return sb.append(']').toString();
  }

  /** Collects the headers of an {@link AmiAction}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();

    private Builder(String name) {
      this.name = checkKey(name);
    }

    /**
     * Adds a header.
     *
     * @param key the header's name
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException if either holds CR, LF, NUL or another control character, or
     *     the key holds a colon or a space
     */
    public Builder add(String key, String value) {
      checkKey(key);
      InputGuard.check(key, Objects.requireNonNull(value, key));
      headers.add(Map.entry(key, value));
      return this;
    }

    /**
     * Adds a header when the value is neither null nor empty.
     *
     * @param key the header's name
     * @param value its value, or null
     * @return this builder
     */
    public Builder addIfPresent(String key, String value) {
      return value == null || value.isEmpty() ? this : add(key, value);
    }

    /**
     * Finishes the action.
     *
     * @return the immutable action
     */
    public AmiAction build() {
      return new AmiAction(name, headers);
    }

    private static String checkKey(String key) {
      InputGuard.checkNotBlank("AMI header name", Objects.requireNonNull(key, "key"), ": ");
      return key;
    }
  }
}
