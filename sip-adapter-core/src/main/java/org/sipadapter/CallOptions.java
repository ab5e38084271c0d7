package org.sipadapter;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-call settings for {@link SipAdapter#makeCall(String, String, CallOptions)}. Immutable; build
 * with {@link #builder()}. Every string here reaches the wire and is checked by the adapter for
 * characters its protocol forbids.
 */
public final class CallOptions {
  /** No options: the adapter's configured defaults apply. */
  public static final CallOptions DEFAULTS = builder().build();

  private final Duration timeout;
  private final String callerIdName;
  private final String callerIdNumber;
  private final Map<String, String> variables;
  private final Map<String, String> headers;
  private final boolean record;
  private final boolean earlyMedia;

  private CallOptions(Builder b) {
    this.timeout = b.timeout;
    this.callerIdName = b.callerIdName;
    this.callerIdNumber = b.callerIdNumber;
    this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(b.variables));
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.record = b.record;
    this.earlyMedia = b.earlyMedia;
  }

  /**
   * Starts a builder.
   *
   * @return a new builder with no options set
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns how long the call may ring before it ends with {@code NO_ANSWER}.
   *
   * @return the ring timeout, or empty for the config's {@code timeouts.ring}
   */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /**
   * Returns the caller id name to present.
   *
   * @return the name, or empty for the server's default
   */
  public Optional<String> callerIdName() {
    return Optional.ofNullable(callerIdName);
  }

  /**
   * Returns the caller id number to present.
   *
   * @return the number, or empty to use the call's {@code from}
   */
  public Optional<String> callerIdNumber() {
    return Optional.ofNullable(callerIdNumber);
  }

  /**
   * Returns the channel variables to set on the call.
   *
   * @return an unmodifiable map, possibly empty
   */
  public Map<String, String> variables() {
    return variables;
  }

  /**
   * Returns custom SIP headers to add to the INVITE.
   *
   * @return an unmodifiable map, possibly empty
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * Tells whether to record the call from the start.
   *
   * @return true to record
   */
  public boolean record() {
    return record;
  }

  /**
   * Tells whether to connect media before answer (183 Session Progress).
   *
   * @return true to accept early media
   */
  public boolean earlyMedia() {
    return earlyMedia;
  }

  /**
   * Returns a builder holding these options.
   *
   * @return a builder to derive changed options
   */
  public Builder newBuilder() {
    Builder b = new Builder();
    b.timeout = timeout;
    b.callerIdName = callerIdName;
    b.callerIdNumber = callerIdNumber;
    b.variables.putAll(variables);
    b.headers.putAll(headers);
    b.record = record;
    b.earlyMedia = earlyMedia;
    return b;
  }

  @Override
  public String toString() {
    return "CallOptions[timeout="
        + timeout
        + ", callerIdName="
        + callerIdName
        + ", callerIdNumber="
        + callerIdNumber
        + ", variables="
        + variables.keySet()
        + ", headers="
        + headers.keySet()
        + ", record="
        + record
        + ", earlyMedia="
        + earlyMedia
        + "]";
  }

  /** Builds {@link CallOptions}. Not thread-safe. */
  public static final class Builder {
    private Duration timeout;
    private String callerIdName;
    private String callerIdNumber;
    private final Map<String, String> variables = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private boolean record;
    private boolean earlyMedia;

    private Builder() {}

    /**
     * Sets how long the call may ring.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the caller id name.
     *
     * @param name the name to present
     * @return this builder
     */
    public Builder callerIdName(String name) {
      this.callerIdName = Objects.requireNonNull(name, "callerIdName");
      return this;
    }

    /**
     * Sets the caller id number.
     *
     * @param number the number to present
     * @return this builder
     */
    public Builder callerIdNumber(String number) {
      this.callerIdNumber = Objects.requireNonNull(number, "callerIdNumber");
      return this;
    }

    /**
     * Sets one channel variable.
     *
     * @param name the variable name
     * @param value its value
     * @return this builder
     */
    public Builder variable(String name, String value) {
      variables.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Adds one custom SIP header.
     *
     * @param name the header name, such as {@code X-Campaign}
     * @param value its value
     * @return this builder
     */
    public Builder header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Records the call from the start.
     *
     * @param record true to record
     * @return this builder
     */
    public Builder record(boolean record) {
      this.record = record;
      return this;
    }

    /**
     * Accepts early media.
     *
     * @param earlyMedia true to connect media before answer
     * @return this builder
     */
    public Builder earlyMedia(boolean earlyMedia) {
      this.earlyMedia = earlyMedia;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return immutable options
     */
    public CallOptions build() {
      return new CallOptions(this);
    }
  }
}
