package org.sipadapter.kafka;

import java.time.Instant;
import java.util.UUID;
import org.sipadapter.CallRecord;
import org.sipadapter.event.AdapterEvent;

/**
 * One message on its way to Kafka: in the buffer, in the producer, or in the spill file. It is
 * serialised when first needed, on the sender thread, so that the listener only takes the event.
 * Terminal events and call records are never dropped.
 */
final class Outgoing {

  private final String topic;
  private final String key;
  private final boolean terminal;
  private AdapterEvent event;
  private CallRecord record;
  private String instanceId;
  private UUID eventId;
  private Instant publishedAt;
  private String json;

  private Outgoing(String topic, String key, boolean terminal) {
    this.topic = topic;
    this.key = key;
    this.terminal = terminal;
  }

  /** An adapter event, taken now. */
  static Outgoing event(
      String topic, String key, boolean terminal, AdapterEvent event, String instanceId, UUID id) {
    Outgoing m = new Outgoing(topic, key, terminal);
    m.event = event;
    m.instanceId = instanceId;
    m.eventId = id;
    m.publishedAt = Instant.now();
    return m;
  }

  /** A call record, taken now; always terminal. */
  static Outgoing record(String topic, CallRecord record, String instanceId, UUID id) {
    Outgoing m = new Outgoing(topic, record.callId(), true);
    m.record = record;
    m.instanceId = instanceId;
    m.eventId = id;
    m.publishedAt = Instant.now();
    return m;
  }

  /** A message already serialised (read back from the spill file). */
  static Outgoing serialised(String topic, String key, String json) {
    Outgoing m = new Outgoing(topic, key, true);
    m.json = json;
    return m;
  }

  String topic() {
    return topic;
  }

  String key() {
    return key;
  }

  boolean terminal() {
    return terminal;
  }

  /** The message value; serialised once, the same on every resend. */
  synchronized String json() {
    if (json == null) {
      json =
          event != null
              ? EventSchema.event(event, instanceId, eventId, publishedAt)
              : EventSchema.record(record, instanceId, eventId, publishedAt);
      event = null;
      record = null;
    }
    return json;
  }
}
