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
 * @param tls whether to wrap the link in TLS (where the protocol supports it); always equal to
 *     {@code tlsSettings.enabled()}
 * @param auth the login credentials
 * @param realm the SIP realm or domain the adapter works in, empty when not needed
 * @param timeouts time limits
 * @param reconnect reconnect policy
 * @param health health thresholds
 * @param events event delivery settings
 * @param historySize how many finished call records {@code callHistory()} keeps
 * @param options adapter-specific settings, documented per adapter
 * @param tlsSettings TLS on or off and the certificates trusted ({@link TlsSettings#DISABLED} when
 *     off)
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
    Map<String, Object> options,
    TlsSettings tlsSettings) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if {@code tls} differs from {@code tlsSettings.enabled()}
   */
  public AdapterConfig {
    Objects.requireNonNull(tlsSettings, "tlsSettings");
    if (tls != tlsSettings.enabled()) {
      throw new IllegalArgumentException(
          "tls is " + tls + " but tlsSettings.enabled() is " + tlsSettings.enabled());
    }
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
   * Creates a config whose TLS, when on, trusts the JVM's default trust store.
   *
   * @param type the provider's type name
   * @param name the adapter's name
   * @param host the server's host
   * @param port the server's port, 0 for the provider's default
   * @param tls whether to wrap the link in TLS
   * @param auth the login credentials
   * @param realm the SIP realm, empty when not needed
   * @param timeouts time limits
   * @param reconnect reconnect policy
   * @param health health thresholds
   * @param events event delivery settings
   * @param historySize finished call records kept
   * @param options adapter-specific settings
   */
  public AdapterConfig(
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
    this(
        type,
        name,
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
        options,
        tls ? TlsSettings.SYSTEM_TRUST : TlsSettings.DISABLED);
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
    b.tlsSettings = tlsSettings;
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
        + tlsSettings
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
    private TlsSettings tlsSettings = TlsSettings.DISABLED;
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
     * Sets TLS on or off, keeping a trust store set with {@link #tls(TlsSettings)}.
     *
     * @param tls whether to use TLS
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tlsSettings =
          tls && tlsSettings.trustStore().isEmpty()
              ? TlsSettings.SYSTEM_TRUST
              : tlsSettings.withEnabled(tls);
      return this;
    }

    /**
     * Sets TLS with its trust settings, such as {@code
     * TlsSettings.trustStore(Path.of("/etc/pbx-ca.p12"), password)}.
     *
     * @param tlsSettings the settings, {@link TlsSettings#DISABLED} for none
     * @return this builder
     */
    public Builder tls(TlsSettings tlsSettings) {
      this.tlsSettings = Objects.requireNonNull(tlsSettings, "tlsSettings");
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
          tlsSettings.enabled(),
          auth,
          realm,
          timeouts,
          reconnect,
          health,
          events,
          historySize,
          options,
          tlsSettings);
    }
  }
}
