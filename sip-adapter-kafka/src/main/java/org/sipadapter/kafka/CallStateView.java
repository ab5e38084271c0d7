package org.sipadapter.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the current calls and the recent call records from the topics {@link
 * KafkaEventPublisher} writes, for a service in another JVM. Messages seen twice (delivery is at
 * least once) are recognised by their {@code eventId} and applied once; a call whose terminal event
 * or record has been seen is not brought back by a late duplicate of an earlier event.
 *
 * <p>Not thread-safe for {@link #poll(Duration)}: call it from one thread. The read methods return
 * copies and may be called from any thread.
 */
public final class CallStateView implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CallStateView.class);

  /**
   * A call that has not ended, as the messages so far describe it.
   *
   * @param callId the call's id
   * @param adapterName the adapter's name
   * @param adapterType the adapter's type
   * @param instanceId the adapter object's instance id
   * @param state the latest state
   * @param from the caller, if an incoming-call event said so, else null
   * @param to the called party, or null
   * @param serverIds the server's ids from the latest event
   * @param since when the latest state began
   */
  public record LiveCall(
      String callId,
      String adapterName,
      String adapterType,
      String instanceId,
      String state,
      String from,
      String to,
      Map<String, String> serverIds,
      Instant since) {}

  private final Consumer<String, String> consumer;
  private final int recentRecords;
  private final int dedupeWindow;
  private final Set<String> seen = new LinkedHashSet<>();
  private final Set<String> ended = new LinkedHashSet<>();
  private final Map<String, LiveCall> live = new HashMap<>();
  private final LinkedHashMap<String, JsonNode> records = new LinkedHashMap<>();
  private long applied;
  private long duplicates;
  private long malformed;

  /**
   * Creates a view on a consumer that is already subscribed to (or assigned) the topics.
   *
   * @param consumer the consumer; closed by {@link #close()}
   * @param recentRecords how many call records to keep, newest last
   * @param dedupeWindow how many event ids to remember for duplicate detection
   */
  public CallStateView(Consumer<String, String> consumer, int recentRecords, int dedupeWindow) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    if (recentRecords < 1 || dedupeWindow < 1) {
      throw new IllegalArgumentException("recentRecords and dedupeWindow must be positive");
    }
    this.recentRecords = recentRecords;
    this.dedupeWindow = dedupeWindow;
  }

  /**
   * Opens a view that reads both topics from their beginning, under a group of its own and without
   * committing offsets, so every new view rebuilds the whole state.
   *
   * @param bootstrap the brokers
   * @param eventsTopic the events topic
   * @param recordsTopic the records topic
   * @param recentRecords how many call records to keep
   * @return the view
   */
  public static CallStateView fromBeginning(
      String bootstrap, String eventsTopic, String recordsTopic, int recentRecords) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "sipadapter-view-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
    c.subscribe(List.of(eventsTopic, recordsTopic));
    return new CallStateView(c, recentRecords, 1_000_000);
  }

  /**
   * Reads what has arrived and applies it.
   *
   * @param timeout how long to wait for messages
   * @return how many messages changed the view (duplicates and unreadable messages not counted)
   */
  public int poll(Duration timeout) {
    ConsumerRecords<String, String> batch = consumer.poll(timeout);
    int n = 0;
    for (ConsumerRecord<String, String> r : batch) {
      if (apply(r.value())) {
        n++;
      }
    }
    return n;
  }

  /**
   * Applies one message's JSON; for consumers that read the topics themselves.
   *
   * @param json the message value
   * @return true if it was new and readable
   */
  public synchronized boolean apply(String json) {
    JsonNode n;
    try {
      n = json == null ? null : EventSchema.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      n = null;
    }
    if (n == null || !n.isObject() || !n.hasNonNull("eventId") || !n.hasNonNull("kind")) {
      malformed++;
      LOG.warn("unreadable message skipped");
      return false;
    }
    if (n.path("schema").asInt(0) > EventSchema.VERSION) {
      LOG.debug("message of a newer schema version read with version {}", EventSchema.VERSION);
    }
    if (!remember(seen, n.get("eventId").asText(), dedupeWindow)) {
      duplicates++;
      return false;
    }
    applied++;
    String callId = n.path("callId").isTextual() ? n.get("callId").asText() : null;
    if (callId == null) {
      return true;
    }
    if (EventSchema.KIND_RECORD.equals(n.get("kind").asText())) {
      end(callId);
      records.remove(callId);
      records.put(callId, n);
      while (records.size() > recentRecords) {
        Iterator<String> it = records.keySet().iterator();
        it.next();
        it.remove();
      }
      return true;
    }
    String type = n.path("type").asText();
    if (ended.contains(callId)) {
      return true;
    }
    if ("CallStateChanged".equals(type) && n.path("terminal").asBoolean(false)) {
      end(callId);
    } else if ("CallStateChanged".equals(type) || "IncomingCall".equals(type)) {
      LiveCall old = live.get(callId);
      String state =
          n.hasNonNull("state") ? n.get("state").asText() : old == null ? null : old.state();
      String from = n.hasNonNull("from") ? n.get("from").asText() : old == null ? null : old.from();
      String to = n.hasNonNull("to") ? n.get("to").asText() : old == null ? null : old.to();
      Map<String, String> ids = new LinkedHashMap<>();
      n.path("serverIds")
          .fields()
          .forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asText()));
      Instant since = n.hasNonNull("timestamp") ? Instant.parse(n.get("timestamp").asText()) : null;
      live.put(
          callId,
          new LiveCall(
              callId,
              n.path("adapterName").asText(null),
              n.path("adapterType").asText(null),
              n.path("instanceId").asText(null),
              state,
              from,
              to,
              Map.copyOf(ids),
              since));
    }
    return true;
  }

  private void end(String callId) {
    live.remove(callId);
    remember(ended, callId, dedupeWindow);
  }

  private static boolean remember(Set<String> set, String value, int limit) {
    if (!set.add(value)) {
      return false;
    }
    if (set.size() > limit) {
      Iterator<String> it = set.iterator();
      it.next();
      it.remove();
    }
    return true;
  }

  /**
   * Returns the calls that have not ended.
   *
   * @return the calls, by call id
   */
  public synchronized Map<String, LiveCall> liveCalls() {
    return Map.copyOf(live);
  }

  /**
   * Returns one call, if it has not ended.
   *
   * @param callId the call
   * @return the call
   */
  public synchronized Optional<LiveCall> liveCall(String callId) {
    return Optional.ofNullable(live.get(callId));
  }

  /**
   * Returns the most recent call records as their JSON trees, oldest first.
   *
   * @return the records
   */
  public synchronized List<JsonNode> recentRecords() {
    List<JsonNode> out = new ArrayList<>();
    records.values().forEach(r -> out.add(r.deepCopy()));
    return Collections.unmodifiableList(out);
  }

  /**
   * Returns the record of an ended call, if it is among the recent ones.
   *
   * @param callId the call
   * @return the record's JSON tree
   */
  public synchronized Optional<JsonNode> record(String callId) {
    JsonNode r = records.get(callId);
    return r == null ? Optional.empty() : Optional.of(r.deepCopy());
  }

  /**
   * Returns how many messages were applied.
   *
   * @return the count
   */
  public synchronized long applied() {
    return applied;
  }

  /**
   * Returns how many messages were skipped as duplicates of an event id already seen.
   *
   * @return the count
   */
  public synchronized long duplicates() {
    return duplicates;
  }

  /**
   * Returns how many messages could not be read.
   *
   * @return the count
   */
  public synchronized long malformed() {
    return malformed;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
