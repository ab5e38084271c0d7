package org.sipadapter.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.asterisk.AsteriskAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.testkit.ami.AmiEmulator;

/**
 * Against a real KRaft broker started in this JVM: the events of a thousand calls, and a broker
 * that stays away longer than the publisher's buffer and the producer's memory can hold.
 */
@Timeout(300)
class KafkaBrokerScaleTest {

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

  private static SipAdapter adapter(AmiEmulator pbx, String name) {
    return new AsteriskAdapter(
        AdapterConfig.builder("asterisk")
            .name(name)
            .server(pbx.host(), pbx.port())
            .auth("admin", "amipass")
            .build());
  }

  private static AmiEmulator answeringPbx() {
    return AmiEmulator.create()
        .outcome("2000", AmiEmulator.Outcome.ANSWER)
        .ringTimes(Duration.ofMillis(10), Duration.ofSeconds(30))
        .start();
  }

  /** What a listener saw of each call: its events' type and state, in the order delivered. */
  private static final class CallLog implements SipAdapterListener {
    final Map<String, List<String>> byCall = new ConcurrentHashMap<>();

    @Override
    public void onEvent(AdapterEvent event) {
      event
          .relatedCallId()
          .ifPresent(
              id ->
                  byCall
                      .computeIfAbsent(
                          id, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                      .add(describe(event)));
    }

    static String describe(AdapterEvent event) {
      return event instanceof CallStateChanged c
          ? "CallStateChanged:" + c.state()
          : event.getClass().getSimpleName();
    }
  }

  private static String describe(JsonNode n) {
    String type = n.path("type").asText();
    return type.equals("CallStateChanged") ? type + ":" + n.path("state").asText() : type;
  }

  /** Places {@code n} calls, {@code wave} at a time, each answered and then hung up. */
  private static List<String> callInWaves(SipAdapter adapter, int n, int wave) {
    List<String> all = new ArrayList<>();
    while (all.size() < n) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < wave && all.size() + ids.size() < n; i++) {
        ids.add(adapter.makeCall("1000", "2000"));
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  ids.stream()
                      .allMatch(id -> adapter.getStatus(id).state() == CallState.CONNECTED));
      ids.forEach(adapter::hangup);
      all.addAll(ids);
    }
    Set<String> placed = new HashSet<>(all);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                adapter.callHistory().stream().filter(r -> placed.contains(r.callId())).count()
                    == n);
    return all;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return u;
  }

  @Test
  void theEventsOfAThousandCallsFromAnEmulatorArriveCompleteAndInPerCallOrder() throws Exception {
    String[] topics = kafka.newTopics();
    int calls = 1_000;
    CallLog seen = new CallLog();
    List<String> ids;
    try (AmiEmulator pbx = answeringPbx();
        KafkaEventPublisher publisher =
            new KafkaEventPublisher(
                KafkaSinkSettings.defaults(kafka.bootstrap()).withTopics(topics[0], topics[1]));
        SipAdapter a = adapter(pbx, "pbx")) {
      a.addListener(seen);
      publisher.attach(a);
      a.connect();
      ids = callInWaves(a, calls, 50);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  publisher.metrics().buffered() == 0
                      && publisher.metrics().acknowledged() == publisher.metrics().accepted());
      PublisherMetrics m = publisher.metrics();
      assertThat(m.droppedNonTerminal()).isZero();
      assertThat(m.failedNonTerminal()).isZero();
      assertThat(m.terminalOverflow()).isZero();
      assertThat(m.recordsMissing()).isZero();
    }
    Set<String> placed = new HashSet<>(ids);
    assertThat(seen.byCall.keySet()).containsAll(placed);

    // Every event of every call, once (by eventId), in the order the listener had them.
    Map<String, List<String>> published = new LinkedHashMap<>();
    Set<String> eventIds = new HashSet<>();
    int expected = seen.byCall.values().stream().mapToInt(List::size).sum();
    for (Map.Entry<String, JsonNode> e :
        kafka.readUntil(
            topics[0],
            read ->
                read.stream().filter(r -> r.getValue().path("callId").isTextual()).count()
                    >= expected,
            Duration.ofSeconds(120))) {
      JsonNode n = e.getValue();
      if (!n.path("callId").isTextual() || !eventIds.add(n.path("eventId").asText())) {
        continue;
      }
      assertThat(e.getKey()).isEqualTo(n.path("callId").asText());
      published.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(describe(n));
    }
    Map<String, String> differing = new TreeMap<>();
    for (String id : union(published.keySet(), seen.byCall.keySet())) {
      List<String> topic = published.get(id);
      List<String> listener = seen.byCall.get(id);
      if (!java.util.Objects.equals(topic, listener == null ? null : List.copyOf(listener))) {
        differing.put(id, "topic " + topic + " listener " + listener);
      }
    }
    assertThat(differing).as("calls whose events differ").isEmpty();
    for (String id : ids) {
      assertThat(published.get(id))
          .containsSubsequence("CallStateChanged:CONNECTED", "CallStateChanged:DISCONNECTED")
          .endsWith("CallStateChanged:DISCONNECTED");
    }

    Set<String> recorded = new HashSet<>();
    for (Map.Entry<String, JsonNode> e :
        kafka.readUntil(topics[1], read -> read.size() >= calls, Duration.ofSeconds(120))) {
      recorded.add(e.getKey());
    }
    assertThat(recorded).isEqualTo(placed);
  }

  @Test
  void aBrokerAwayLongerThanThePublisherCanHoldLosesNoTerminalEventOrRecordWithASpillDirectory(
      @TempDir Path spill) throws Exception {
    String[] topics = kafka.newTopics();
    // Small enough that the outage below overflows them: 64 KiB of producer memory, a producer
    // that waits one second for it, and a buffer of 20 messages.
    KafkaSinkSettings settings =
        KafkaSinkSettings.defaults(kafka.bootstrap())
            .withTopics(topics[0], topics[1])
            .withBuffer(20, 5)
            .withSpillDirectory(spill)
            .withProducerOverrides(Map.of("buffer.memory", "65536", "max.block.ms", "1000"));
    Set<String> calls = new HashSet<>();
    PublisherMetrics last;
    try (AmiEmulator pbx = answeringPbx();
        KafkaEventPublisher publisher = new KafkaEventPublisher(settings);
        SipAdapter a = adapter(pbx, "pbx")) {
      publisher.attach(a);
      a.connect();
      calls.addAll(callInWaves(a, 3, 3));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> publisher.metrics().acknowledged() == publisher.metrics().accepted());

      kafka.stopBroker();
      try {
        calls.addAll(callInWaves(a, 150, 10));
        assertThat(publisher.metrics().spilled()).isPositive();
      } finally {
        kafka.startBroker();
      }
      calls.addAll(callInWaves(a, 3, 3));
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () -> publisher.metrics().buffered() == 0 && publisher.metrics().spillPending() == 0);
      last = publisher.metrics();
    }
    assertThat(last.terminalOverflow()).isZero();
    assertThat(last.recordsMissing()).isZero();
    assertThat(last.replayed()).isGreaterThanOrEqualTo(last.spilled());

    Set<String> ended = new HashSet<>();
    for (Map.Entry<String, JsonNode> e :
        kafka.readUntil(
            topics[0],
            read ->
                read.stream().filter(r -> r.getValue().path("terminal").asBoolean()).count()
                    >= calls.size(),
            Duration.ofSeconds(120))) {
      if (e.getValue().path("terminal").asBoolean()) {
        ended.add(e.getKey());
      }
    }
    assertThat(ended).isEqualTo(calls);
    Set<String> recorded = new HashSet<>();
    for (Map.Entry<String, JsonNode> e :
        kafka.readUntil(topics[1], read -> read.size() >= calls.size(), Duration.ofSeconds(120))) {
      recorded.add(e.getKey());
    }
    assertThat(recorded).isEqualTo(calls);
  }
}
