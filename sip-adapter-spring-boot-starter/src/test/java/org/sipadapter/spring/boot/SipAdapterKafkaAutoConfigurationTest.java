package org.sipadapter.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.ConfigurationException;
import org.sipadapter.SipAdapter;
import org.sipadapter.kafka.KafkaEventPublisher;
import org.sipadapter.kafka.KafkaSinkSettings;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

class SipAdapterKafkaAutoConfigurationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AmiEmulator ami = AmiEmulator.create().start();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  SipAdapterAutoConfiguration.class, SipAdapterKafkaAutoConfiguration.class))
          .withPropertyValues(
              "sipadapter.adapters[0].type=asterisk",
              "sipadapter.adapters[0].name=pbx",
              "sipadapter.adapters[0].host=" + ami.host(),
              "sipadapter.adapters[0].port=" + ami.port(),
              "sipadapter.adapters[0].auth.username=admin",
              "sipadapter.adapters[0].auth.password=amipass");

  @AfterEach
  void stop() {
    ami.close();
  }

  @Test
  void theSinkPropertiesHaveTheKeysOfTheYamlSection(@TempDir Path dir) {
    MockEnvironment env =
        new MockEnvironment()
            .withProperty("sipadapter.sinks.kafka.bootstrap", "${KAFKA:k1:9092}")
            .withProperty("sipadapter.sinks.kafka.topics.events", "pbx.events")
            .withProperty("sipadapter.sinks.kafka.topics.records", "pbx.cdr")
            .withProperty("sipadapter.sinks.kafka.buffer.capacity", "500")
            .withProperty("sipadapter.sinks.kafka.buffer.terminalReserve", "50")
            .withProperty("sipadapter.sinks.kafka.spill.directory", dir.toString())
            .withProperty("sipadapter.sinks.kafka.producer.compression.type", "lz4")
            .withProperty("sipadapter.sinks.kafka.producer.[linger.ms]", "20");
    KafkaSinkSettings s = SipAdapterKafkaAutoConfiguration.settings(env);
    assertThat(s.bootstrap()).isEqualTo("k1:9092");
    assertThat(s.eventsTopic()).isEqualTo("pbx.events");
    assertThat(s.recordsTopic()).isEqualTo("pbx.cdr");
    assertThat(s.bufferCapacity()).isEqualTo(500);
    assertThat(s.terminalReserve()).isEqualTo(50);
    assertThat(s.spillDirectory()).isEqualTo(dir);
    assertThat(s.producerProperties())
        .containsEntry("compression.type", "lz4")
        .containsEntry("linger.ms", "20")
        .containsEntry("acks", "all");
  }

  @Test
  void badSinkPropertiesFailTheStartWithTheirPropertyPaths() {
    runner
        .withPropertyValues(
            "sipadapter.sinks.kafka.bootstrap=k1:9092",
            "sipadapter.sinks.kafka.buffer.capacity=lots",
            "sipadapter.sinks.kafka.topic=x",
            "sipadapter.sinks.kafka.producer.acks=1")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("sipadapter.sinks.kafka.buffer.capacity")
                    .hasMessageContaining("sipadapter.sinks.kafka.topic: unknown key"));
    runner
        .withPropertyValues(
            "sipadapter.sinks.kafka.bootstrap=k1:9092", "sipadapter.sinks.kafka.producer.acks=1")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("acks"));
  }

  @Test
  void withoutABootstrapThereIsNoPublisher() {
    runner.run(context -> assertThat(context).doesNotHaveBean(KafkaEventPublisher.class));
  }

  /** The application's own publisher, on a producer the test can read. */
  @Configuration(proxyBeanMethods = false)
  static class OwnPublisher {
    final MockProducer<String, String> producer =
        new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());

    @Bean(destroyMethod = "close")
    KafkaEventPublisher publisher() {
      return new KafkaEventPublisher(KafkaSinkSettings.defaults("localhost:9092"), producer);
    }
  }

  private static List<String> connectionStates(MockProducer<String, String> producer)
      throws Exception {
    List<String> states = new ArrayList<>();
    for (ProducerRecord<String, String> r : producer.history()) {
      JsonNode n = JSON.readTree(r.value());
      if (n.path("type").asText().equals("ConnectionStateChanged")) {
        assertThat(n.path("adapterName").asText()).isEqualTo("pbx");
        states.add(n.path("state").asText());
      }
    }
    return states;
  }

  @Test
  void everyAdaptersEventsArePublishedFromItsConnectToItsCloseAndThePublisherClosesLast()
      throws Exception {
    OwnPublisher own = new OwnPublisher();
    runner
        .withPropertyValues("sipadapter.sinks.kafka.bootstrap=localhost:9092")
        .withBean(OwnPublisher.class, () -> own)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean("pbx", SipAdapter.class)).isNotNull();
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> connectionStates(own.producer).contains("CONNECTED"));
              assertThat(connectionStates(own.producer)).startsWith("CONNECTING");
              // The application's own publisher is used, not a second one.
              assertThat(context.getBeansOfType(KafkaEventPublisher.class)).hasSize(1);
            });
    // The adapter was closed (its last event sent) before the publisher closed the producer.
    assertThat(own.producer.closed()).isTrue();
    assertThat(connectionStates(own.producer)).endsWith("CLOSED");
  }

  @Test
  void thePublishersCountersAreMeters() {
    OwnPublisher own = new OwnPublisher();
    runner
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class))
        .withPropertyValues("sipadapter.sinks.kafka.bootstrap=localhost:9092")
        .withBean(OwnPublisher.class, () -> own)
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(
                      () ->
                          registry
                                  .get("sipadapter.kafka.messages")
                                  .tag("outcome", "acknowledged")
                                  .functionCounter()
                                  .count()
                              > 0);
              assertThat(registry.get("sipadapter.kafka.buffered").gauge().value()).isZero();
              assertThat(registry.get("sipadapter.kafka.spill.pending").gauge().value()).isZero();
            });
  }
}
