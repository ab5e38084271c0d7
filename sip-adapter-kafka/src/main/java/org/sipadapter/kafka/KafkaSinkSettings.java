package org.sipadapter.kafka;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where and how {@link KafkaEventPublisher} publishes.
 *
 * @param bootstrap the brokers, {@code host:port[,host:port...]}
 * @param eventsTopic the topic for adapter events (default {@value #DEFAULT_EVENTS_TOPIC})
 * @param recordsTopic the topic for call records (default {@value #DEFAULT_RECORDS_TOPIC})
 * @param bufferCapacity how many messages the publisher holds while the producer cannot take them
 *     (default {@value #DEFAULT_BUFFER_CAPACITY})
 * @param terminalReserve how much of the buffer only terminal events and call records may use
 *     (default a tenth of the capacity)
 * @param producerOverrides further producer settings; they cannot switch off idempotence or lower
 *     {@code acks}
 * @param spillDirectory where terminal events and call records that find the buffer full are
 *     written until Kafka takes them, or null (the default) to count and log them instead
 */
public record KafkaSinkSettings(
    String bootstrap,
    String eventsTopic,
    String recordsTopic,
    int bufferCapacity,
    int terminalReserve,
    Map<String, String> producerOverrides,
    Path spillDirectory) {

  /** The default topic for adapter events. */
  public static final String DEFAULT_EVENTS_TOPIC = "sipadapter.events";

  /** The default topic for call records. */
  public static final String DEFAULT_RECORDS_TOPIC = "sipadapter.call-records";

  /** The default buffer capacity, in messages. */
  public static final int DEFAULT_BUFFER_CAPACITY = 10_000;

  /**
   * Checks the components.
   *
   * @param bootstrap the brokers
   * @param eventsTopic the events topic
   * @param recordsTopic the records topic
   * @param bufferCapacity the buffer's size, in messages, at least 2
   * @param terminalReserve the part of it kept for terminal events and records
   * @param producerOverrides further producer settings
   * @param spillDirectory the spill directory, or null
   * @throws IllegalArgumentException if a value is out of range or a setting would weaken delivery
   */
  public KafkaSinkSettings {
    Objects.requireNonNull(bootstrap, "bootstrap");
    requireTopic(eventsTopic, "eventsTopic");
    requireTopic(recordsTopic, "recordsTopic");
    if (bufferCapacity < 2) {
      throw new IllegalArgumentException(
          "bufferCapacity must be at least 2, was " + bufferCapacity);
    }
    if (terminalReserve < 1 || terminalReserve >= bufferCapacity) {
      throw new IllegalArgumentException(
          "terminalReserve must be between 1 and bufferCapacity - 1, was " + terminalReserve);
    }
    producerOverrides = Map.copyOf(producerOverrides);
    String idem = producerOverrides.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
    if (idem != null && !idem.equalsIgnoreCase("true")) {
      throw new IllegalArgumentException("enable.idempotence cannot be switched off");
    }
    String acks = producerOverrides.get(ProducerConfig.ACKS_CONFIG);
    if (acks != null && !acks.equals("all") && !acks.equals("-1")) {
      throw new IllegalArgumentException("acks must stay 'all', was '" + acks + "'");
    }
  }

  /**
   * Returns the defaults for a broker list.
   *
   * @param bootstrap the brokers
   * @return the settings
   */
  public static KafkaSinkSettings defaults(String bootstrap) {
    return new KafkaSinkSettings(
        bootstrap,
        DEFAULT_EVENTS_TOPIC,
        DEFAULT_RECORDS_TOPIC,
        DEFAULT_BUFFER_CAPACITY,
        DEFAULT_BUFFER_CAPACITY / 10,
        Map.of(),
        null);
  }

  /**
   * Returns a copy with other topic names.
   *
   * @param events the events topic
   * @param records the records topic
   * @return the settings
   */
  public KafkaSinkSettings withTopics(String events, String records) {
    return new KafkaSinkSettings(
        bootstrap,
        events,
        records,
        bufferCapacity,
        terminalReserve,
        producerOverrides,
        spillDirectory);
  }

  /**
   * Returns a copy with another buffer size.
   *
   * @param capacity the capacity, in messages
   * @param reserve the part of it kept for terminal events and records
   * @return the settings
   */
  public KafkaSinkSettings withBuffer(int capacity, int reserve) {
    return new KafkaSinkSettings(
        bootstrap, eventsTopic, recordsTopic, capacity, reserve, producerOverrides, spillDirectory);
  }

  /**
   * Returns a copy with further producer settings.
   *
   * @param overrides the settings, by Kafka name
   * @return the settings
   */
  public KafkaSinkSettings withProducerOverrides(Map<String, String> overrides) {
    return new KafkaSinkSettings(
        bootstrap,
        eventsTopic,
        recordsTopic,
        bufferCapacity,
        terminalReserve,
        overrides,
        spillDirectory);
  }

  /**
   * Returns a copy that spills terminal events and call records to a directory when the buffer is
   * full (see {@link KafkaEventPublisher}).
   *
   * @param directory the directory, created if missing; one per publisher; null to count and log
   *     instead
   * @return the settings
   */
  public KafkaSinkSettings withSpillDirectory(Path directory) {
    return new KafkaSinkSettings(
        bootstrap,
        eventsTopic,
        recordsTopic,
        bufferCapacity,
        terminalReserve,
        producerOverrides,
        directory);
  }

  /**
   * Returns the producer configuration: the overrides, then the settings delivery depends on.
   *
   * @return the properties for a {@code KafkaProducer<String, String>}
   */
  public Properties producerProperties() {
    Properties p = new Properties();
    p.putAll(producerOverrides);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sipadapter-kafka");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    return p;
  }

  private static void requireTopic(String topic, String what) {
    Objects.requireNonNull(topic, what);
    if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(what + " is not a valid topic name: '" + topic + "'");
    }
  }
}
