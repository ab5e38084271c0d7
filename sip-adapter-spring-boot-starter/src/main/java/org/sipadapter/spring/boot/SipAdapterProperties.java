package org.sipadapter.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code sipadapter.*} properties. The adapters themselves are read by {@link
 * SipAdapterRegistrar} with sip-adapter's {@link org.sipadapter.config.ConfigLoader}, so their keys
 * are exactly those of sip-adapter's YAML (docs/configuration.md); this class only documents them
 * for the IDE.
 */
@ConfigurationProperties(prefix = SipAdapterProperties.PREFIX)
public class SipAdapterProperties {
  /** The prefix of every property. */
  public static final String PREFIX = "sipadapter";

  /** Whether the starter creates adapters at all. */
  private boolean enabled = true;

  /**
   * The adapters, each with the keys of sip-adapter's YAML (type, name, host, port, auth, tls,
   * timeouts, reconnect, health, events, historySize, options).
   */
  private List<Map<String, Object>> adapters = new ArrayList<>();

  /** A sip-adapter YAML file with more adapters ({@code adapters:} list or a single adapter). */
  private String configFile;

  /** Connection on application start. */
  private final Startup startup = new Startup();

  /** Metrics through Micrometer. */
  private final Metrics metrics = new Metrics();

  /** Whether adapter events are also published as Spring application events. */
  private boolean publishEvents = true;

  /** Where adapter events and call records are published beyond the application. */
  private final Sinks sinks = new Sinks();

  /**
   * Returns whether the starter creates adapters.
   *
   * @return {@code sipadapter.enabled}, default true
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether the starter creates adapters.
   *
   * @param enabled false to create none
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns the adapters as bound, each a tree with the keys of sip-adapter's YAML.
   *
   * @return the adapters
   */
  public List<Map<String, Object>> getAdapters() {
    return adapters;
  }

  /**
   * Sets the adapters.
   *
   * @param adapters each a tree with the keys of sip-adapter's YAML
   */
  public void setAdapters(List<Map<String, Object>> adapters) {
    this.adapters = adapters;
  }

  /**
   * Returns the sip-adapter YAML file with more adapters.
   *
   * @return the path, or null
   */
  public String getConfigFile() {
    return configFile;
  }

  /**
   * Sets the sip-adapter YAML file with more adapters.
   *
   * @param configFile the path
   */
  public void setConfigFile(String configFile) {
    this.configFile = configFile;
  }

  /**
   * Returns what happens on application start.
   *
   * @return the startup settings
   */
  public Startup getStartup() {
    return startup;
  }

  /**
   * Returns the Micrometer settings.
   *
   * @return the metrics settings
   */
  public Metrics getMetrics() {
    return metrics;
  }

  /**
   * Returns whether adapter events are published as Spring application events.
   *
   * @return {@code sipadapter.publish-events}, default true
   */
  public boolean isPublishEvents() {
    return publishEvents;
  }

  /**
   * Sets whether adapter events are published as Spring application events.
   *
   * @param publishEvents false to not publish them
   */
  public void setPublishEvents(boolean publishEvents) {
    this.publishEvents = publishEvents;
  }

  /**
   * Returns the sinks.
   *
   * @return the sinks' settings
   */
  public Sinks getSinks() {
    return sinks;
  }

  /** The sinks; read by sip-adapter's own loaders, so their keys are those of its YAML. */
  public static class Sinks {
    /**
     * The Kafka sink (sip-adapter-kafka), with the keys of the {@code sinks: kafka:} YAML section:
     * bootstrap (required), topics (events, records), buffer (capacity, terminalReserve), spill
     * (directory), producer (any KafkaProducer setting).
     */
    private Map<String, Object> kafka = new LinkedHashMap<>();

    /**
     * Returns the Kafka sink's section as bound.
     *
     * @return the tree under {@code sipadapter.sinks.kafka}
     */
    public Map<String, Object> getKafka() {
      return kafka;
    }

    /**
     * Sets the Kafka sink's section.
     *
     * @param kafka the tree with the keys of the YAML's {@code sinks: kafka:} section
     */
    public void setKafka(Map<String, Object> kafka) {
      this.kafka = kafka;
    }
  }

  /** What happens on application start. */
  public static class Startup {
    /** Whether every adapter connects when the application starts. */
    private boolean connect = true;

    /** What a failed connect on start does. */
    private FailurePolicy onFailure = FailurePolicy.FAIL;

    /**
     * Returns whether every adapter connects when the application starts.
     *
     * @return {@code sipadapter.startup.connect}, default true
     */
    public boolean isConnect() {
      return connect;
    }

    /**
     * Sets whether every adapter connects when the application starts.
     *
     * @param connect false to leave connecting to the application
     */
    public void setConnect(boolean connect) {
      this.connect = connect;
    }

    /**
     * Returns what a failed connect on start does.
     *
     * @return {@code sipadapter.startup.on-failure}, default {@link FailurePolicy#FAIL}
     */
    public FailurePolicy getOnFailure() {
      return onFailure;
    }

    /**
     * Sets what a failed connect on start does.
     *
     * @param onFailure the policy
     */
    public void setOnFailure(FailurePolicy onFailure) {
      this.onFailure = onFailure;
    }
  }

  /** Micrometer settings. */
  public static class Metrics {
    /** Whether the adapters' meters are bound to the application's MeterRegistry. */
    private boolean enabled = true;

    /** How long one health check is reused by the sipadapter.health gauge. */
    private Duration healthCheckInterval = Duration.ofSeconds(10);

    /**
     * Returns whether the adapters' meters are bound to the application's registry.
     *
     * @return {@code sipadapter.metrics.enabled}, default true
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the adapters' meters are bound to the application's registry.
     *
     * @param enabled false to bind none
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Returns how long one health check is reused by the {@code sipadapter.health} gauge.
     *
     * @return the interval, default 10 s
     */
    public Duration getHealthCheckInterval() {
      return healthCheckInterval;
    }

    /**
     * Sets how long one health check is reused by the {@code sipadapter.health} gauge.
     *
     * @param healthCheckInterval the interval
     */
    public void setHealthCheckInterval(Duration healthCheckInterval) {
      this.healthCheckInterval = healthCheckInterval;
    }
  }
}
