package org.sipadapter.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The typed configuration of one adapter, as read from YAML by {@link ConfigLoader} or built in
 * code with {@link #builder(String)}. Immutable; {@link #toString()} masks the credentials.
 *
 * @param type the provider's type name, such as {@code asterisk}
 * @param name the adapter's name in logs, metrics and events (defaults to the type)
 * @param host the server's host name or address
 * @param port the server's port; 0 means the provider's default
 * @param tls whether to wrap the link in TLS (where the protocol supports it)
 * @param auth the login credentials
 * @param realm the SIP realm or domain the adapter works in, empty when not needed
 * @param timeouts time limits
 * @param reconnect reconnect policy
 * @param health health thresholds
 * @param events event delivery settings
 * @param historySize how many finished call records {@code callHistory()} keeps
 * @param options adapter-specific settings, documented per adapter
 */
public record AdapterConfig(
    String type,
    String name,
    String host,
    int port,
    boolean tls,
    Credentials auth,
    String realm,
    Timeouts timeouts,
    ReconnectPolicy reconnect,
    HealthThresholds health,
    EventSettings events,
    int historySize,
    Map<String, Object> options) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public AdapterConfig {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(realm, "realm");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(reconnect, "reconnect");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(events, "events");
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /**
   * Starts a builder with the defaults of the architecture (loopback host, 5 s timeouts, reconnect
   * on).
   *
   * @param type the provider's type name
   * @return a builder
   */
  public static Builder builder(String type) {
    return new Builder(type);
  }

  /**
   * Returns a builder holding this config's values.
   *
   * @return a builder to derive a changed copy
   */
  public Builder toBuilder() {
    Builder b = new Builder(type);
    b.name = name;
    b.host = host;
    b.port = port;
    b.tls = tls;
    b.auth = auth;
    b.realm = realm;
    b.timeouts = timeouts;
    b.reconnect = reconnect;
    b.health = health;
    b.events = events;
    b.historySize = historySize;
    b.options.putAll(options);
    return b;
  }

  /**
   * Reads an adapter-specific option as a string.
   *
   * @param key the option name
   * @return the value, if set
   */
  public Optional<String> option(String key) {
    Object v = options.get(key);
    return v == null ? Optional.empty() : Optional.of(String.valueOf(v));
  }

  /**
   * Reads an adapter-specific option as a string, with a default.
   *
   * @param key the option name
   * @param fallback the value when unset
   * @return the value
   */
  public String option(String key, String fallback) {
    return option(key).orElse(fallback);
  }

  /**
   * Reads an adapter-specific option as an int.
   *
   * @param key the option name
   * @param fallback the value when unset
   * @return the value
   * @throws IllegalArgumentException if the value is not a whole number
   */
  public int intOption(String key, int fallback) {
    return option(key).map(v -> parseInt(key, v)).orElse(fallback);
  }

  /**
   * Reads an adapter-specific option as a boolean ({@code true}/{@code false}).
   *
   * @param key the option name
   * @param fallback the value when unset
   * @return the value
   */
  public boolean booleanOption(String key, boolean fallback) {
    return option(key).map(Boolean::parseBoolean).orElse(fallback);
  }

  /**
   * Reads an adapter-specific option as a duration ({@code 500ms}, {@code 5s}, {@code 2m}).
   *
   * @param key the option name
   * @param fallback the value when unset
   * @return the value
   * @throws IllegalArgumentException if the value is not a duration
   */
  public Duration durationOption(String key, Duration fallback) {
    return option(key).map(Durations::parse).orElse(fallback);
  }

  private static int parseInt(String key, String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("options." + key + ": not a whole number: " + v, e);
    }
  }

  @Override
  public String toString() {
    return "AdapterConfig[type="
        + type
        + ", name="
        + name
        + ", host="
        + host
        + ", port="
        + port
        + ", tls="
        + tls
        + ", auth="
        + auth
        + ", realm="
        + realm
        + ", timeouts="
        + timeouts
        + ", reconnect="
        + reconnect
        + ", health="
        + health
        + ", events="
        + events
        + ", historySize="
        + historySize
        + ", options="
        + Redaction.redactOptions(options)
        + "]";
  }

  /** Builds an {@link AdapterConfig}. Not thread-safe. */
  public static final class Builder {
    private final String type;
    private String name;
    private String host = "127.0.0.1";
    private int port;
    private boolean tls;
    private Credentials auth = Credentials.NONE;
    private String realm = "";
    private Timeouts timeouts = Timeouts.DEFAULTS;
    private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULTS;
    private HealthThresholds health = HealthThresholds.DEFAULTS;
    private EventSettings events = EventSettings.DEFAULTS;
    private int historySize = 1000;
    private final Map<String, Object> options = new LinkedHashMap<>();

    private Builder(String type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    /**
     * Sets the adapter's name.
     *
     * @param name used in logs, metrics and events
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the server's address.
     *
     * @param host host name or address
     * @param port port, 0 for the provider's default
     * @return this builder
     */
    public Builder server(String host, int port) {
      this.host = host;
      this.port = port;
      return this;
    }

    /**
     * Sets TLS on or off.
     *
     * @param tls whether to use TLS
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Sets the credentials.
     *
     * @param username login name
     * @param password password or token
     * @return this builder
     */
    public Builder auth(String username, String password) {
      this.auth = Credentials.of(username, password);
      return this;
    }

    /**
     * Sets the credentials.
     *
     * @param auth credentials
     * @return this builder
     */
    public Builder auth(Credentials auth) {
      this.auth = auth;
      return this;
    }

    /**
     * Sets the realm.
     *
     * @param realm SIP realm or domain
     * @return this builder
     */
    public Builder realm(String realm) {
      this.realm = realm;
      return this;
    }

    /**
     * Sets the timeouts.
     *
     * @param timeouts time limits
     * @return this builder
     */
    public Builder timeouts(Timeouts timeouts) {
      this.timeouts = timeouts;
      return this;
    }

    /**
     * Sets the reconnect policy.
     *
     * @param reconnect the policy
     * @return this builder
     */
    public Builder reconnect(ReconnectPolicy reconnect) {
      this.reconnect = reconnect;
      return this;
    }

    /**
     * Sets the health thresholds.
     *
     * @param health thresholds
     * @return this builder
     */
    public Builder health(HealthThresholds health) {
      this.health = health;
      return this;
    }

    /**
     * Sets the event delivery settings.
     *
     * @param events settings
     * @return this builder
     */
    public Builder events(EventSettings events) {
      this.events = events;
      return this;
    }

    /**
     * Sets how many finished call records are kept.
     *
     * @param historySize records kept, at least 0
     * @return this builder
     */
    public Builder historySize(int historySize) {
      this.historySize = historySize;
      return this;
    }

    /**
     * Sets one adapter-specific option.
     *
     * @param key option name
     * @param value option value
     * @return this builder
     */
    public Builder option(String key, Object value) {
      options.put(key, value);
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the immutable config
     */
    public AdapterConfig build() {
      return new AdapterConfig(
          type,
          name == null || name.isBlank() ? type : name,
          host,
          port,
          tls,
          auth,
          realm,
          timeouts,
          reconnect,
          health,
          events,
          historySize,
          options);
    }
  }
}
