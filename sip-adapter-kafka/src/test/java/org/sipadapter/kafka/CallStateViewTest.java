package org.sipadapter.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapterListener;

class CallStateViewTest {

  private static final TopicPartition EVENTS = new TopicPartition("sipadapter.events", 0);
  private static final TopicPartition RECORDS = new TopicPartition("sipadapter.call-records", 0);

  /** What the publisher sends for call 1 (ended) and call 2 (still ringing). */
  private static List<ProducerRecord<String, String>> published() {
    MockProducer<String, String> producer =
        new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    try (KafkaEventPublisher publisher =
        new KafkaEventPublisher(KafkaSinkSettings.defaults("localhost:9092"), producer)) {
      SipAdapterListener l = publisher.listener("0123456789ab", Events::recordOf);
      l.onEvent(Events.state(1, null, CallState.DIALING));
      l.onEvent(Events.state(2, null, CallState.DIALING));
      l.onEvent(Events.state(1, CallState.DIALING, CallState.CONNECTED));
      l.onEvent(Events.state(2, CallState.DIALING, CallState.RINGING));
      l.onEvent(Events.state(1, CallState.CONNECTED, CallState.DISCONNECTED));
    }
    return producer.history();
  }

  private static MockConsumer<String, String> consumerOf(
      List<ProducerRecord<String, String>> messages) {
    MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
    consumer.assign(List.of(EVENTS, RECORDS));
    consumer.updateBeginningOffsets(Map.of(EVENTS, 0L, RECORDS, 0L));
    long[] offsets = new long[2];
    for (ProducerRecord<String, String> m : messages) {
      TopicPartition tp = m.topic().equals(EVENTS.topic()) ? EVENTS : RECORDS;
      int i = tp == EVENTS ? 0 : 1;
      consumer.addRecord(new ConsumerRecord<>(tp.topic(), 0, offsets[i]++, m.key(), m.value()));
    }
    return consumer;
  }

  @Test
  void rebuildsLiveCallsAndRecordsAppliedOnceThoughDeliveredTwice() {
    List<ProducerRecord<String, String>> once = published();
    assertThat(once).hasSize(6);
    List<ProducerRecord<String, String>> twice = new ArrayList<>(once);
    twice.addAll(once);
    // A redelivered early event of the ended call, after its end.
    twice.add(once.get(0));

    try (CallStateView view = new CallStateView(consumerOf(twice), 100, 1000)) {
      assertThat(view.poll(Duration.ZERO)).isEqualTo(6);

      assertThat(view.liveCalls()).containsOnlyKeys(Events.callId(2));
      CallStateView.LiveCall call2 = view.liveCall(Events.callId(2)).orElseThrow();
      assertThat(call2.state()).isEqualTo("RINGING");
      assertThat(call2.instanceId()).isEqualTo("0123456789ab");
      assertThat(call2.adapterName()).isEqualTo("pbx1");
      assertThat(call2.serverIds()).containsEntry("uniqueid", "1700000000.2");
      assertThat(view.recentRecords()).hasSize(1);
      assertThat(view.record(Events.callId(1)).orElseThrow().path("disposition").asText())
          .isEqualTo("ANSWERED");
      assertThat(view.applied()).isEqualTo(6);
      assertThat(view.duplicates()).isEqualTo(7);
    }
  }

  @Test
  void aLateEarlyEventWithANewIdDoesNotBringAnEndedCallBack() {
    try (CallStateView view = new CallStateView(new MockConsumer<>("earliest"), 100, 1000)) {
      java.util.UUID id = java.util.UUID.randomUUID();
      assertThat(
              view.apply(
                  EventSchema.record(
                      Events.record(3), "0123456789ab", java.util.UUID.randomUUID())))
          .isTrue();
      assertThat(
              view.apply(
                  EventSchema.event(
                      Events.state(3, CallState.DIALING, CallState.CONNECTED), "0123456789ab", id)))
          .isTrue();
      assertThat(view.liveCalls()).isEmpty();
      assertThat(view.record(Events.callId(3))).isPresent();
    }
  }

  @Test
  void unreadableMessagesAreCountedAndSkipped() {
    try (CallStateView view = new CallStateView(new MockConsumer<>("earliest"), 2, 1000)) {
      assertThat(view.apply("{not json")).isFalse();
      assertThat(view.apply("[1,2]")).isFalse();
      assertThat(view.apply("{\"kind\":\"event\"}")).isFalse();
      assertThat(view.apply(null)).isFalse();
      assertThat(view.malformed()).isEqualTo(4);
      // Only the most recent records are kept.
      for (int call = 1; call <= 3; call++) {
        view.apply(
            EventSchema.record(Events.record(call), "0123456789ab", java.util.UUID.randomUUID()));
      }
      assertThat(view.recentRecords())
          .extracting(r -> r.path("callId").asText())
          .containsExactly(Events.callId(2), Events.callId(3));
    }
  }
}
