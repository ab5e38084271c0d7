package org.sipadapter.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapterListener;

class KafkaEventPublisherTest {

  private static final KafkaSinkSettings SETTINGS = KafkaSinkSettings.defaults("localhost:9092");

  private static MockProducer<String, String> producer(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new StringSerializer(), new StringSerializer());
  }

  private static JsonNode json(ProducerRecord<String, String> r) throws Exception {
    return EventSchema.JSON.readTree(r.value());
  }

  @Test
  void aCallsEventsAndItsRecordArriveKeyedByCallIdInOrder() throws Exception {
    MockProducer<String, String> producer = producer(true);
    try (KafkaEventPublisher publisher = new KafkaEventPublisher(SETTINGS, producer)) {
      SipAdapterListener l = publisher.listener("0123456789ab", Events::recordOf);
      l.onEvent(Events.state(1, null, CallState.DIALING));
      l.onEvent(Events.state(1, CallState.DIALING, CallState.RINGING));
      l.onEvent(Events.state(1, CallState.RINGING, CallState.CONNECTED));
      l.onEvent(Events.dtmf(1, "5"));
      l.onEvent(Events.state(1, CallState.CONNECTED, CallState.DISCONNECTED));

      await().atMost(Duration.ofSeconds(60)).until(() -> publisher.metrics().acknowledged() == 6);
      List<ProducerRecord<String, String>> sent = producer.history();
      assertThat(sent).extracting(ProducerRecord::key).containsOnly(Events.callId(1));
      assertThat(sent)
          .extracting(ProducerRecord::topic)
          .containsExactly(
              "sipadapter.events",
              "sipadapter.events",
              "sipadapter.events",
              "sipadapter.events",
              "sipadapter.events",
              "sipadapter.call-records");
      assertThat(sent.subList(0, 5))
          .extracting(r -> json(r).path("type").asText() + ":" + json(r).path("state").asText(""))
          .containsExactly(
              "CallStateChanged:DIALING",
              "CallStateChanged:RINGING",
              "CallStateChanged:CONNECTED",
              "DtmfReceived:",
              "CallStateChanged:DISCONNECTED");
      JsonNode terminal = json(sent.get(4));
      assertThat(terminal.path("schema").asInt()).isEqualTo(EventSchema.VERSION);
      assertThat(terminal.path("kind").asText()).isEqualTo("event");
      assertThat(terminal.path("instanceId").asText()).isEqualTo("0123456789ab");
      assertThat(terminal.path("adapterName").asText()).isEqualTo("pbx1");
      assertThat(terminal.path("adapterType").asText()).isEqualTo("asterisk");
      assertThat(terminal.path("previous").asText()).isEqualTo("CONNECTED");
      assertThat(terminal.path("terminal").asBoolean()).isTrue();
      assertThat(terminal.path("cause").path("q850").asInt()).isEqualTo(16);
      assertThat(terminal.path("serverIds").path("uniqueid").asText()).isEqualTo("1700000000.1");
      JsonNode record = json(sent.get(5));
      assertThat(record.path("kind").asText()).isEqualTo("record");
      assertThat(record.path("disposition").asText()).isEqualTo("ANSWERED");
      assertThat(record.path("durationMs").asLong()).isEqualTo(57_000);
      assertThat(sent).extracting(r -> json(r).path("eventId").asText()).doesNotHaveDuplicates();
    }
  }

  @Test
  void producerSettingsCannotWeakenDelivery() {
    assertThat(SETTINGS.producerProperties())
        .containsEntry("enable.idempotence", "true")
        .containsEntry("acks", "all");
    assertThat(
            SETTINGS
                .withProducerOverrides(Map.of("linger.ms", "20", "acks", "-1"))
                .producerProperties())
        .containsEntry("linger.ms", "20")
        .containsEntry("acks", "all");
    assertThatThrownBy(() -> SETTINGS.withProducerOverrides(Map.of("acks", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acks");
    assertThatThrownBy(() -> SETTINGS.withProducerOverrides(Map.of("enable.idempotence", "false")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SETTINGS.withTopics("events\r\nx", "records"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SETTINGS.withBuffer(10, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A producer whose send blocks, as KafkaProducer's does while no broker answers. */
  private static final class StuckProducer extends MockProducer<String, String> {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    StuckProducer() {
      super(true, null, new StringSerializer(), new StringSerializer());
    }

    @Override
    public synchronized Future<RecordMetadata> send(
        ProducerRecord<String, String> record, Callback callback) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.send(record, callback);
    }
  }

  /** Waits until the sender has taken the first message and is held in the stuck producer. */
  private static void awaitSenderStuck(StuckProducer producer) {
    await().atMost(Duration.ofSeconds(60)).until(() -> producer.entered.getCount() == 0);
  }

  @Test
  void whenKafkaIsUnreachableNonTerminalEventsAreDroppedFirstAndNothingIsLostUncounted() {
    StuckProducer producer = new StuckProducer();
    KafkaSinkSettings small = SETTINGS.withBuffer(10, 3);
    KafkaEventPublisher publisher = new KafkaEventPublisher(small, producer);
    try {
      SipAdapterListener l = publisher.listener("0123456789ab", Events::recordOf);
      // The listener returns at once although the producer takes nothing.
      for (int i = 0; i < 20; i++) {
        l.onEvent(Events.dtmf(1, "1"));
      }
      assertThat(publisher.metrics().accepted()).isEqualTo(7);
      assertThat(publisher.metrics().droppedNonTerminal()).isEqualTo(13);

      // Terminal events and records may use the reserve; past it they are counted and logged.
      for (int call = 2; call <= 6; call++) {
        l.onEvent(Events.state(call, CallState.CONNECTED, CallState.DISCONNECTED));
      }
      PublisherMetrics m = publisher.metrics();
      assertThat(m.accepted()).isEqualTo(10);
      assertThat(m.buffered()).isEqualTo(10);
      assertThat(m.terminalOverflow()).isEqualTo(7);
      assertThat(m.droppedNonTerminal()).isEqualTo(13);

      producer.release.countDown();
      await().atMost(Duration.ofSeconds(60)).until(() -> publisher.metrics().acknowledged() == 10);
      assertThat(publisher.metrics().buffered()).isZero();
      // The terminal messages accepted are call 2's event and record and call 3's event.
      assertThat(producer.history().subList(7, 10))
          .extracting(r -> r.topic() + " " + r.key())
          .containsExactly(
              "sipadapter.events " + Events.callId(2),
              "sipadapter.call-records " + Events.callId(2),
              "sipadapter.events " + Events.callId(3));
    } finally {
      producer.release.countDown();
      publisher.close();
    }
  }

  @Test
  void aTerminalEventTheProducerGivesUpOnIsSentAgainWithTheSameEventId() throws Exception {
    MockProducer<String, String> producer = producer(false);
    try (KafkaEventPublisher publisher = new KafkaEventPublisher(SETTINGS, producer)) {
      SipAdapterListener l = publisher.listener("0123456789ab", id -> Optional.empty());
      l.onEvent(Events.dtmf(1, "9"));
      l.onEvent(Events.state(1, CallState.CONNECTED, CallState.FAILED));
      await().atMost(Duration.ofSeconds(60)).until(() -> producer.history().size() == 2);
      assertThat(producer.errorNext(new TimeoutException("no broker"))).isTrue();
      assertThat(producer.errorNext(new TimeoutException("no broker"))).isTrue();

      await().atMost(Duration.ofSeconds(60)).until(() -> producer.history().size() == 3);
      assertThat(producer.completeNext()).isTrue();
      await().atMost(Duration.ofSeconds(60)).until(() -> publisher.metrics().acknowledged() == 1);
      List<ProducerRecord<String, String>> sent = producer.history();
      assertThat(sent.get(2).value()).isEqualTo(sent.get(1).value());
      PublisherMetrics m = publisher.metrics();
      assertThat(m.failedNonTerminal()).isEqualTo(1);
      assertThat(m.retriedTerminal()).isEqualTo(1);
      assertThat(m.recordsMissing()).isEqualTo(1);
      assertThat(m.terminalOverflow()).isZero();
    }
  }

  /** Every call's terminal event and record, as "topic key" lines. */
  private static List<String> terminalMessages(int firstCall, int lastCall) {
    List<String> out = new ArrayList<>();
    for (int call = firstCall; call <= lastCall; call++) {
      out.add("sipadapter.events " + Events.callId(call));
      out.add("sipadapter.call-records " + Events.callId(call));
    }
    return out;
  }

  private static List<String> terminalSent(MockProducer<String, String> producer) {
    List<String> out = new ArrayList<>();
    for (ProducerRecord<String, String> r : producer.history()) {
      if (r.topic().equals("sipadapter.call-records") || r.value().contains("\"terminal\":true")) {
        out.add(r.topic() + " " + r.key());
      }
    }
    return out;
  }

  private static long spillLines(Path dir) throws Exception {
    long n = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
        n += Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count();
      }
    }
    return n;
  }

  @Test
  void withASpillDirectoryTerminalMessagesThatFindTheBufferFullAreSentOnceKafkaTakesMessages(
      @TempDir Path dir) throws Exception {
    StuckProducer producer = new StuckProducer();
    KafkaEventPublisher publisher =
        new KafkaEventPublisher(SETTINGS.withBuffer(10, 3).withSpillDirectory(dir), producer);
    try {
      SipAdapterListener l = publisher.listener("0123456789ab", Events::recordOf);
      for (int i = 0; i < 20; i++) {
        l.onEvent(Events.dtmf(1, "1"));
      }
      for (int call = 2; call <= 6; call++) {
        l.onEvent(Events.state(call, CallState.CONNECTED, CallState.DISCONNECTED));
      }
      PublisherMetrics m = publisher.metrics();
      assertThat(m.accepted()).isEqualTo(10);
      assertThat(m.droppedNonTerminal()).isEqualTo(13);
      assertThat(m.spilled()).isEqualTo(7);
      assertThat(m.spillPending()).isEqualTo(7);
      assertThat(m.terminalOverflow()).isZero();
      assertThat(spillLines(dir)).isEqualTo(7);

      producer.release.countDown();
      await().atMost(Duration.ofSeconds(60)).until(() -> publisher.metrics().acknowledged() == 17);
      m = publisher.metrics();
      assertThat(m.replayed()).isEqualTo(7);
      assertThat(m.spillPending()).isZero();
      assertThat(terminalSent(producer))
          .containsExactlyInAnyOrderElementsOf(terminalMessages(2, 6));
      assertThat(spillLines(dir)).isZero();
      // A spilled message goes out as it was written: the same eventId, once.
      assertThat(producer.history())
          .extracting(r -> json(r).path("eventId").asText())
          .doesNotHaveDuplicates();
    } finally {
      producer.release.countDown();
      publisher.close();
    }
  }

  @Test
  void whatAClosedPublisherCouldNotSendIsSentByTheNextOneOnItsSpillDirectory(@TempDir Path dir)
      throws Exception {
    StuckProducer stuck = new StuckProducer();
    KafkaSinkSettings settings = SETTINGS.withBuffer(10, 3).withSpillDirectory(dir);
    KafkaEventPublisher first = new KafkaEventPublisher(settings, stuck);
    try {
      SipAdapterListener l = first.listener("0123456789ab", Events::recordOf);
      l.onEvent(Events.dtmf(1, "1"));
      awaitSenderStuck(stuck);
      for (int call = 2; call <= 6; call++) {
        l.onEvent(Events.state(call, CallState.CONNECTED, CallState.DISCONNECTED));
      }
      // One directory, one publisher.
      assertThatThrownBy(() -> new KafkaEventPublisher(settings, producer(true)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use by another publisher");

      // Kafka never came: what is in the buffer at close goes to the spill file too.
      first.close(Duration.ofMillis(200));
      PublisherMetrics m = first.metrics();
      assertThat(m.spilled()).isEqualTo(10);
      assertThat(m.terminalOverflow()).isZero();
    } finally {
      stuck.release.countDown();
    }
    assertThat(spillLines(dir)).isEqualTo(10);

    MockProducer<String, String> producer = producer(true);
    try (KafkaEventPublisher next = new KafkaEventPublisher(settings, producer)) {
      assertThat(next.metrics().spillPending()).isEqualTo(10);
      await().atMost(Duration.ofSeconds(60)).until(() -> next.metrics().acknowledged() == 10);
      assertThat(terminalSent(producer))
          .containsExactlyInAnyOrderElementsOf(terminalMessages(2, 6));
      assertThat(next.metrics().spillPending()).isZero();
    }
    assertThat(spillLines(dir)).isZero();
  }

  @Test
  void withoutASpillDirectoryTheTerminalMessagesLeftAtCloseAreCountedAndLogged() {
    StuckProducer stuck = new StuckProducer();
    KafkaEventPublisher publisher = new KafkaEventPublisher(SETTINGS.withBuffer(10, 3), stuck);
    try {
      SipAdapterListener l = publisher.listener("0123456789ab", Events::recordOf);
      l.onEvent(Events.dtmf(1, "1"));
      awaitSenderStuck(stuck);
      l.onEvent(Events.state(2, CallState.CONNECTED, CallState.DISCONNECTED));
      publisher.close(Duration.ofMillis(200));
      assertThat(publisher.metrics().terminalOverflow()).isEqualTo(2);
      assertThat(publisher.metrics().spilled()).isZero();
    } finally {
      stuck.release.countDown();
    }
  }
}
