package org.sipadapter.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipadapter.ConfigurationException;
import org.sipadapter.config.ConfigLoader;

class KafkaSinkYamlTest {

  private static final String YAML =
      """
      sinks:
        kafka:
          bootstrap: ${KAFKA_BOOTSTRAP}
          topics: { events: pbx.events, records: pbx.cdr }
          buffer: { capacity: 500, terminalReserve: 100 }
          producer: { compression.type: lz4, sasl.jaas.config: "${JAAS:-none}" }
      adapters:
        - { type: asterisk, name: pbx1 }
      """;

  @Test
  void readsTheSectionNextToTheAdapters() {
    KafkaSinkSettings s =
        KafkaSinkYaml.load(YAML, Map.of("KAFKA_BOOTSTRAP", "k1:9092,k2:9092")::get);
    assertThat(s.bootstrap()).isEqualTo("k1:9092,k2:9092");
    assertThat(s.eventsTopic()).isEqualTo("pbx.events");
    assertThat(s.recordsTopic()).isEqualTo("pbx.cdr");
    assertThat(s.bufferCapacity()).isEqualTo(500);
    assertThat(s.terminalReserve()).isEqualTo(100);
    assertThat(s.producerProperties())
        .containsEntry("compression.type", "lz4")
        .containsEntry("sasl.jaas.config", "none")
        .containsEntry("acks", "all");
    // The adapters' loader reads the same file and leaves the section alone.
    assertThat(new ConfigLoader(Map.<String, String>of()::get).loadAll(YAML)).hasSize(1);
  }

  @Test
  void defaultsApplyAndMistakesAreListed() {
    KafkaSinkSettings s =
        KafkaSinkYaml.load("sinks: { kafka: { bootstrap: 'k:9092' } }", k -> null);
    assertThat(s).isEqualTo(KafkaSinkSettings.defaults("k:9092"));

    assertThatThrownBy(
            () ->
                KafkaSinkYaml.load(
                    "sinks: { kafka: { topic: x, buffer: { capacity: lots } } }", k -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sinks.kafka.topic: unknown key")
        .hasMessageContaining("sinks.kafka.bootstrap: required")
        .hasMessageContaining("sinks.kafka.buffer.capacity: expected a whole number");
    assertThatThrownBy(
            () ->
                KafkaSinkYaml.load(
                    "sinks: { kafka: { bootstrap: k, producer: { acks: '1' } } }", k -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("acks");
    assertThatThrownBy(() -> KafkaSinkYaml.load("type: asterisk", k -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sinks.kafka");
  }

  @Test
  void theSpillDirectoryAndNumbersFromTheEnvironmentAreRead() {
    KafkaSinkSettings s =
        KafkaSinkYaml.load(
            """
            sinks:
              kafka:
                bootstrap: k:9092
                buffer: { capacity: "${CAPACITY:-2000}", terminalReserve: "${RESERVE}" }
                spill: { directory: "${SPILL_DIR}/kafka" }
            """,
            Map.of("RESERVE", "300", "SPILL_DIR", "/var/lib/app")::get);
    assertThat(s.bufferCapacity()).isEqualTo(2000);
    assertThat(s.terminalReserve()).isEqualTo(300);
    assertThat(s.spillDirectory()).isEqualTo(java.nio.file.Path.of("/var/lib/app/kafka"));
    assertThat(KafkaSinkYaml.load("sinks: { kafka: { bootstrap: k } }", k -> null).spillDirectory())
        .isNull();

    assertThatThrownBy(
            () ->
                KafkaSinkYaml.load(
                    "sinks: { kafka: { bootstrap: k, spill: { dir: /tmp/x } } }", k -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sinks.kafka.spill.dir: unknown key")
        .hasMessageContaining("sinks.kafka.spill.directory: required");
  }
}
