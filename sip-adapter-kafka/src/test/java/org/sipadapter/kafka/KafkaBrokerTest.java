package org.sipadapter.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipadapter.CallDirection;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapter;
import org.sipadapter.asterisk.AsteriskAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.ami.AmiEmulator;

/**
 * Against a real KRaft broker started in this JVM: two adapters on one AMI emulator publish their
 * calls, and a view rebuilds them from the topics.
 */
@Timeout(300)
class KafkaBrokerTest {

  private static InJvmKafka kafka;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = InJvmKafka.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void twoAdaptersOnOneServerPublishEachTheirOwnCallsOnceAndAViewRebuildsThem() throws Exception {
    String[] topics = kafka.newTopics();
    String events = topics[0];
    String records = topics[1];
    KafkaSinkSettings settings =
        KafkaSinkSettings.defaults(kafka.bootstrap()).withTopics(events, records);
    int callsEach = 10;
    Map<String, String> instanceOfCall = new HashMap<>();
    Map<String, Long> observedEach = new HashMap<>();
    try (AmiEmulator pbx =
            AmiEmulator.create()
                .outcome("2000", AmiEmulator.Outcome.ANSWER)
                .ringTimes(Duration.ofMillis(10), Duration.ofSeconds(30))
                .start();
        KafkaEventPublisher publisher = new KafkaEventPublisher(settings);
        SipAdapter a = adapter(pbx, "app-a");
        SipAdapter b = adapter(pbx, "app-b")) {
      publisher.attach(a);
      publisher.attach(b);
      a.connect();
      b.connect();
      observedEach.put(a.instanceId(), (long) callsEach);
      observedEach.put(b.instanceId(), (long) callsEach);
      for (SipAdapter adapter : List.of(a, b)) {
        for (int i = 0; i < callsEach; i++) {
          String callId = adapter.makeCall("1000", "2000");
          instanceOfCall.put(callId, adapter.instanceId());
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> adapter.getStatus(callId).state() == CallState.CONNECTED);
          adapter.hangup(callId);
        }
      }
      // Each adapter sees the other's calls too, as calls it did not place (Asterisk sends every
      // AMI session every event): its history holds its own calls and the other's.
      for (SipAdapter adapter : List.of(a, b)) {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () ->
                    assertThat(adapter.callHistory())
                        .as("history of %s", adapter.name())
                        .hasSize(2 * callsEach));
        Map<CallDirection, Long> byDirection = new HashMap<>();
        for (CallRecord r : adapter.callHistory()) {
          byDirection.merge(r.direction(), 1L, Long::sum);
          if (r.direction() == CallDirection.OUTBOUND) {
            assertThat(instanceOfCall).containsEntry(r.callId(), adapter.instanceId());
          } else {
            assertThat(instanceOfCall).doesNotContainKey(r.callId());
          }
        }
        assertThat(byDirection)
            .containsEntry(CallDirection.OUTBOUND, (long) callsEach)
            .containsEntry(CallDirection.INBOUND, (long) callsEach);
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  publisher.metrics().recordsMissing() == 0
                      && publisher.metrics().acknowledged() == publisher.metrics().accepted()
                      && publisher.metrics().buffered() == 0);
      assertThat(publisher.metrics().droppedNonTerminal()).isZero();
      assertThat(publisher.metrics().terminalOverflow()).isZero();
    }

    try (CallStateView view =
        CallStateView.fromBeginning(kafka.bootstrap(), events, records, 100)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                view.poll(Duration.ofMillis(200));
                return view.recentRecords().size() == 4 * callsEach;
              });
      assertThat(view.liveCalls()).isEmpty();
      // Every call its owner placed, published once by its owner; and each one once more as the
      // other instance's observation of a call it did not place.
      Map<String, String> placed = new HashMap<>();
      Map<String, Long> observedBy = new HashMap<>();
      for (JsonNode r : view.recentRecords()) {
        String instance = r.path("instanceId").asText();
        if (r.path("direction").asText().equals("OUTBOUND")) {
          assertThat(placed.put(r.path("callId").asText(), instance)).isNull();
        } else {
          assertThat(r.path("direction").asText()).isEqualTo("INBOUND");
          observedBy.merge(instance, 1L, Long::sum);
        }
      }
      assertThat(placed).isEqualTo(instanceOfCall);
      assertThat(observedBy).isEqualTo(observedEach);
    }

    // Each call's events are on one partition in the order they happened, ending in its end.
    Map<String, List<String>> states = new HashMap<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "order-check");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(events));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                  JsonNode n = EventSchema.JSON.readTree(r.value());
                  if (n.path("type").asText().equals("CallStateChanged")) {
                    assertThat(r.key()).isEqualTo(n.path("callId").asText());
                    states
                        .computeIfAbsent(r.key(), k -> new ArrayList<>())
                        .add(n.path("state").asText());
                  }
                }
                return states.values().stream()
                        .filter(s -> s.get(s.size() - 1).equals("DISCONNECTED"))
                        .count()
                    == 4 * callsEach;
              });
    }
    assertThat(states).containsKeys(instanceOfCall.keySet().toArray(String[]::new));
    assertThat(states).hasSize(4 * callsEach);
    for (List<String> s : states.values()) {
      assertThat(s).containsSubsequence("CONNECTED", "DISCONNECTED").doesNotHaveDuplicates();
    }
  }

  @Test
  void aBrokerStoppedAndStartedMidRunLosesNoTerminalEventOrRecord() throws Exception {
    String[] topics = kafka.newTopics();
    String events = topics[0];
    String records = topics[1];
    KafkaSinkSettings settings =
        KafkaSinkSettings.defaults(kafka.bootstrap()).withTopics(events, records);
    Set<String> calls = new HashSet<>();
    PublisherMetrics last;
    try (AmiEmulator pbx =
            AmiEmulator.create()
                .outcome("2000", AmiEmulator.Outcome.ANSWER)
                .ringTimes(Duration.ofMillis(10), Duration.ofSeconds(30))
                .start();
        KafkaEventPublisher publisher = new KafkaEventPublisher(settings);
        SipAdapter a = adapter(pbx, "app-a")) {
      publisher.attach(a);
      a.connect();
      calls.addAll(callAndHangUp(a, 3));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> publisher.metrics().acknowledged() == publisher.metrics().accepted());

      kafka.stopBroker();
      calls.addAll(callAndHangUp(a, 3));
      long acknowledgedWhileDown = publisher.metrics().acknowledged();
      assertThat(publisher.metrics().accepted()).isGreaterThan(acknowledgedWhileDown);

      kafka.startBroker();
      calls.addAll(callAndHangUp(a, 3));
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  publisher.metrics().buffered() == 0
                      && publisher.metrics().acknowledged() == publisher.metrics().accepted());
      last = publisher.metrics();
    }
    assertThat(last.terminalOverflow()).isZero();
    assertThat(last.recordsMissing()).isZero();

    try (CallStateView view =
        CallStateView.fromBeginning(kafka.bootstrap(), events, records, 100)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                view.poll(Duration.ofMillis(200));
                return view.recentRecords().size() == calls.size();
              });
      assertThat(view.liveCalls()).isEmpty();
      Set<String> recorded = new HashSet<>();
      view.recentRecords().forEach(r -> recorded.add(r.path("callId").asText()));
      assertThat(recorded).isEqualTo(calls);
    }
  }

  private static List<String> callAndHangUp(SipAdapter adapter, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String callId = adapter.makeCall("1000", "2000");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> adapter.getStatus(callId).state() == CallState.CONNECTED);
      adapter.hangup(callId);
      ids.add(callId);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> adapter.callHistory().stream().anyMatch(r -> r.callId().equals(callId)));
    }
    return ids;
  }

  private static SipAdapter adapter(AmiEmulator pbx, String name) {
    return new AsteriskAdapter(
        AdapterConfig.builder("asterisk")
            .name(name)
            .server(pbx.host(), pbx.port())
            .auth("admin", "amipass")
            .build());
  }
}
