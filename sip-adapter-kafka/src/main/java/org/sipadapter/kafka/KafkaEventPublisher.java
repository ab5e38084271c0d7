package org.sipadapter.kafka;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.sipadapter.CallRecord;
import org.sipadapter.ListenerRegistration;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the events and call records of one or many adapters to Kafka. {@link
 * #attach(SipAdapter)} adds a listener to an adapter; every event becomes one message on the events
 * topic, and every call's record (looked up in {@link SipAdapter#callRecord(String)} when the
 * call's terminal event arrives) one message on the records topic. Messages are keyed by call id
 * (events not about a call by adapter name), so one call's messages share a partition and keep
 * their order.
 *
 * <p>Delivery is at least once: the producer is idempotent with {@code acks=all}, and a terminal
 * event or record the producer gives up on is handed to it again. A consumer drops duplicates by
 * the {@code eventId} field (see {@link CallStateView}).
 *
 * <p>The listener never waits for Kafka: it serialises the event and puts it into a bounded buffer,
 * which one sender thread drains into the producer. When Kafka is unreachable the producer stops
 * taking messages and the buffer fills. Then non-terminal events are dropped and counted once the
 * buffer holds {@code bufferCapacity - terminalReserve} messages; terminal events and records may
 * use the whole buffer. If even that is full (or the publisher is closing):
 *
 * <ul>
 *   <li>with a {@linkplain KafkaSinkSettings#spillDirectory() spill directory}, they are appended
 *       to a file there ({@code spilled}) and sent once the buffer has drained and Kafka takes
 *       messages again, also by the next publisher on that directory after a restart ({@code
 *       replayed});
 *   <li>without one, or if the file cannot be written, they are counted as {@code terminalOverflow}
 *       and logged at ERROR with their full JSON (logger {@code
 *       org.sipadapter.kafka.KafkaEventPublisher}), from where they can be replayed by hand.
 * </ul>
 *
 * Nothing is dropped without a count.
 */
public final class KafkaEventPublisher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventPublisher.class);

  private final KafkaSinkSettings settings;
  private final Producer<String, String> producer;
  private final LinkedBlockingQueue<Outgoing> buffer = new LinkedBlockingQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread sender;
  private final SpillFile spill;
  private final AtomicInteger replaying = new AtomicInteger();
  private volatile boolean lastSendFailed;
  private volatile long lastFailureNanos;

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong overflow = new AtomicLong();
  private final AtomicLong recordsMissing = new AtomicLong();
  private final AtomicLong spilled = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final long idHigh = new SecureRandom().nextLong();
  private final AtomicLong idCounter = new AtomicLong();

  /** After a failed send, how long the sender waits before it tries the spill file again. */
  private static final long REPLAY_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(5);

  /**
   * Creates a publisher with its own {@link KafkaProducer}.
   *
   * @param settings where to publish
   */
  public KafkaEventPublisher(KafkaSinkSettings settings) {
    this(settings, new KafkaProducer<>(settings.producerProperties()));
  }

  /**
   * Creates a publisher on a given producer, which it closes on {@link #close()}.
   *
   * @param settings where to publish
   * @param producer the producer; it should be idempotent with {@code acks=all}
   * @throws IllegalStateException if the spill directory cannot be used or another publisher holds
   *     it (the producer is closed then)
   */
  public KafkaEventPublisher(KafkaSinkSettings settings, Producer<String, String> producer) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.producer = Objects.requireNonNull(producer, "producer");
    try {
      this.spill =
          settings.spillDirectory() == null ? null : new SpillFile(settings.spillDirectory());
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
    this.sender = new Thread(this::drain, "sipadapter-kafka-sender");
    sender.setDaemon(true);
    sender.start();
  }

  /**
   * Publishes an adapter's events and call records from now on.
   *
   * @param adapter the adapter
   * @return the registration; closing it stops publishing this adapter's events
   */
  public ListenerRegistration attach(SipAdapter adapter) {
    Objects.requireNonNull(adapter, "adapter");
    return adapter.addListener(listener(adapter.instanceId(), adapter::callRecord));
  }

  /**
   * Returns a listener that publishes what it receives, for adapters not reachable as a {@link
   * SipAdapter} object.
   *
   * @param instanceId the instance id written into every message
   * @param records finds the record of a call that has just ended
   * @return the listener
   */
  public SipAdapterListener listener(
      String instanceId, Function<String, Optional<CallRecord>> records) {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(records, "records");
    return new SipAdapterListener() {
      @Override
      public void onEvent(AdapterEvent event) {
        publish(event, instanceId, records);
      }
    };
  }

  private void publish(
      AdapterEvent event, String instanceId, Function<String, Optional<CallRecord>> records) {
    boolean terminal = event instanceof CallStateChanged c && c.isTerminal();
    String key = event.relatedCallId().orElse(event.adapterName());
    offer(Outgoing.event(settings.eventsTopic(), key, terminal, event, instanceId, nextEventId()));
    if (terminal) {
      String callId = ((CallStateChanged) event).callId();
      Optional<CallRecord> record = records.apply(callId);
      if (record.isPresent()) {
        offer(Outgoing.record(settings.recordsTopic(), record.get(), instanceId, nextEventId()));
      } else {
        recordsMissing.incrementAndGet();
        LOG.warn("no call record in the history of {} for ended call {}", instanceId, callId);
      }
    }
  }

  /**
   * A message id unique without asking the system's entropy source for each message: random high
   * bits, drawn once per publisher, and a counter.
   */
  private UUID nextEventId() {
    return new UUID(idHigh, idCounter.incrementAndGet());
  }

  private void offer(Outgoing m) {
    int limit =
        m.terminal()
            ? settings.bufferCapacity()
            : settings.bufferCapacity() - settings.terminalReserve();
    if (closed.get()) {
      lose(m, "publisher closed");
      return;
    }
    while (true) {
      int n = size.get();
      if (n >= limit) {
        lose(m, "buffer full");
        return;
      }
      if (size.compareAndSet(n, n + 1)) {
        break;
      }
    }
    accepted.incrementAndGet();
    buffer.add(m);
  }

  private void lose(Outgoing m, String why) {
    if (m.terminal()) {
      if (spill != null && spill.append(m)) {
        spilled.incrementAndGet();
        return;
      }
      overflow.incrementAndGet();
      LOG.error("not published ({}), topic {} key {}: {}", why, m.topic(), m.key(), m.json());
    } else {
      dropped.incrementAndGet();
    }
  }

  private void drain() {
    while (true) {
      Outgoing m;
      try {
        m = buffer.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (m == null) {
        if (closed.get()) {
          return;
        }
        replaySpill();
        continue;
      }
      send(m);
    }
  }

  /**
   * With the buffer drained, hands the oldest spilled segment to the producer, unless one is still
   * on its way or the last send failed a moment ago.
   */
  private void replaySpill() {
    if (spill == null || replaying.get() > 0 || spill.pending() == 0) {
      return;
    }
    if (lastSendFailed && System.nanoTime() - lastFailureNanos < REPLAY_PAUSE_NANOS) {
      return;
    }
    SpillFile.Segment segment = spill.takeOldest();
    if (segment == null) {
      return;
    }
    List<Outgoing> messages = segment.messages();
    replaying.set(messages.size() + 1);
    for (int i = 0; i < messages.size(); i++) {
      Outgoing m = messages.get(i);
      long failuresBefore = failures.get();
      try {
        producer.send(
            new ProducerRecord<>(m.topic(), m.key(), m.json()),
            (meta, error) -> {
              if (error == null) {
                sent();
              } else {
                failed(m, error);
              }
              replayDone(segment);
            });
        replayed.incrementAndGet();
      } catch (RuntimeException e) {
        failed(m, e);
        replayDone(segment);
      }
      if (failures.get() != failuresBefore && i + 1 < messages.size()) {
        // Kafka is still away (the producer waited max.block.ms for it): the rest waits in a
        // newer segment instead of holding the sender up once per message.
        LOG.warn("sending spilled messages stopped by a failure; retried later");
        for (Outgoing rest : messages.subList(i + 1, messages.size())) {
          lose(rest, "not sent from the spill file");
          replayDone(segment);
        }
        break;
      }
    }
    replayDone(segment);
  }

  private void replayDone(SpillFile.Segment segment) {
    if (replaying.decrementAndGet() == 0) {
      spill.done(segment);
    }
  }

  private void sent() {
    lastSendFailed = false;
    acknowledged.incrementAndGet();
  }

  private void noteFailure() {
    failures.incrementAndGet();
    lastFailureNanos = System.nanoTime();
    lastSendFailed = true;
  }

  private void send(Outgoing m) {
    try {
      producer.send(
          new ProducerRecord<>(m.topic(), m.key(), m.json()),
          (meta, error) -> {
            if (error == null) {
              sent();
            } else {
              failed(m, error);
            }
          });
    } catch (RuntimeException e) {
      failed(m, e);
    } finally {
      size.decrementAndGet();
    }
  }

  private void failed(Outgoing m, Exception error) {
    noteFailure();
    if (!m.terminal()) {
      failed.incrementAndGet();
      LOG.warn("event not published to {}: {}", m.topic(), error.toString());
      return;
    }
    retried.incrementAndGet();
    LOG.warn(
        "terminal message to {} key {} failed, sending again: {}",
        m.topic(),
        m.key(),
        error.toString());
    offer(m);
  }

  /**
   * Returns the counters.
   *
   * @return a snapshot
   */
  public PublisherMetrics metrics() {
    return new PublisherMetrics(
        accepted.get(),
        acknowledged.get(),
        size.get(),
        dropped.get(),
        failed.get(),
        retried.get(),
        overflow.get(),
        recordsMissing.get(),
        spilled.get(),
        replayed.get(),
        spill == null ? 0 : spill.pending());
  }

  /**
   * Sends what is buffered, waits for the acknowledgements and closes the producer.
   *
   * @param timeout how long to wait for the sender and the producer
   */
  public void close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      sender.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Outgoing m; (m = buffer.poll()) != null; ) {
      size.decrementAndGet();
      lose(m, "publisher closed");
    }
    // Messages the producer still fails on come back through failed() and are spilled or logged;
    // a send the sender was blocked in ends with the producer's close.
    producer.close(timeout);
    if (spill != null) {
      try {
        sender.join(Math.max(1, timeout.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      spill.close();
    }
  }

  /** Closes with a timeout of ten seconds. */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
