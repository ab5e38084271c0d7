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

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<Map<String, Object>> getAdapters() {
    return adapters;
  }

  public void setAdapters(List<Map<String, Object>> adapters) {
    this.adapters = adapters;
  }

  public String getConfigFile() {
    return configFile;
  }

  public void setConfigFile(String configFile) {
    this.configFile = configFile;
  }

  public Startup getStartup() {
    return startup;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public boolean isPublishEvents() {
    return publishEvents;
  }

  public void setPublishEvents(boolean publishEvents) {
    this.publishEvents = publishEvents;
  }

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

    public Map<String, Object> getKafka() {
      return kafka;
    }

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

    public boolean isConnect() {
      return connect;
    }

    public void setConnect(boolean connect) {
      this.connect = connect;
    }

    public FailurePolicy getOnFailure() {
      return onFailure;
    }

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

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getHealthCheckInterval() {
      return healthCheckInterval;
    }

    public void setHealthCheckInterval(Duration healthCheckInterval) {
      this.healthCheckInterval = healthCheckInterval;
    }
  }
}
