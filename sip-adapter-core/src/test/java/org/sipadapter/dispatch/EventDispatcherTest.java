package org.sipadapter.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.ConnectionState;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.config.EventSettings;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.metrics.AdapterMetrics;

class EventDispatcherTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final AdapterMetrics metrics = new AdapterMetrics();
  private EventDispatcher dispatcher;

  private EventDispatcher start(int threads, int capacity, Duration slow) {
    dispatcher = new EventDispatcher("test", new EventSettings(threads, capacity, slow), metrics);
    return dispatcher;
  }

  @AfterEach
  void close() {
    if (dispatcher != null) {
      dispatcher.close(Duration.ofSeconds(1));
    }
  }

  private static SipAdapterListener listener(java.util.function.Consumer<AdapterEvent> c) {
    return new SipAdapterListener() {
      @Override
      public void onEvent(AdapterEvent event) {
        c.accept(event);
      }
    };
  }

  private static DtmfReceived event(String callId, int seq) {
    return new DtmfReceived("test", "t", Instant.now(), callId, Integer.toString(seq), Map.of());
  }

  /** Finds a call id whose events go to the given lane of {@code lanes}. */
  private static String callOnLane(int lane, int lanes, String prefix) {
    for (int i = 0; ; i++) {
      String id = prefix + i;
      if ((id.hashCode() & 0x7fffffff) % lanes == lane) {
        return id;
      }
    }
  }

  @Test
  void eventsOfOneCallArriveInOrderWhileManyThreadsDispatchManyCalls() throws Exception {
    start(4, 100_000, Duration.ofSeconds(5));
    int callsPerProducer = 25;
    int producers = 4;
    int perCall = 200;
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    Map<String, java.util.Set<String>> threadsOfCall = new ConcurrentHashMap<>();
    AtomicInteger total = new AtomicInteger();
    dispatcher.add(
        new SipAdapterListener() {
          @Override
          public void onDtmfReceived(DtmfReceived e) {
            seen.computeIfAbsent(e.callId(), k -> new CopyOnWriteArrayList<>())
                .add(Integer.parseInt(e.digit()));
            threadsOfCall
                .computeIfAbsent(e.callId(), k -> ConcurrentHashMap.newKeySet())
                .add(Thread.currentThread().getName());
            total.incrementAndGet();
          }
        });
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    CountDownLatch go = new CountDownLatch(1);
    for (int p = 0; p < producers; p++) {
      int producer = p;
      pool.execute(
          () -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              return;
            }
            // Interleave the calls of this producer so their events mix on the lanes.
            for (int seq = 0; seq < perCall; seq++) {
              for (int c = 0; c < callsPerProducer; c++) {
                dispatcher.dispatch(event("call-" + producer + "-" + c, seq));
              }
            }
          });
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    int expected = producers * callsPerProducer * perCall;
    await().atMost(WAIT).until(() -> total.get() == expected);
    List<Integer> inOrder = new ArrayList<>();
    for (int i = 0; i < perCall; i++) {
      inOrder.add(i);
    }
    assertThat(seen).hasSize(producers * callsPerProducer);
    seen.forEach((call, seqs) -> assertThat(seqs).as(call).isEqualTo(inOrder));
    threadsOfCall.forEach((call, threads) -> assertThat(threads).as(call).hasSize(1));
    assertThat(metrics.snapshot(0).droppedEvents()).isZero();
  }

  @Test
  void aBlockedListenerOnOneLaneDoesNotHoldUpAnotherLane() throws Exception {
    start(2, 100, Duration.ofSeconds(30));
    String blocked = callOnLane(0, 2, "a-");
    String free = callOnLane(1, 2, "b-");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch freeDelivered = new CountDownLatch(1);
    dispatcher.add(
        new SipAdapterListener() {
          @Override
          public void onDtmfReceived(DtmfReceived e) {
            if (e.callId().equals(blocked)) {
              entered.countDown();
              try {
                release.await();
              } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
              }
            } else {
              freeDelivered.countDown();
            }
          }
        });

    dispatcher.dispatch(event(blocked, 0));
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
    dispatcher.dispatch(event(free, 0));

    assertThat(freeDelivered.await(60, TimeUnit.SECONDS)).isTrue();
    release.countDown();
  }

  @Test
  void aFullQueueDropsAndCountsEventsWithoutBlockingDispatch() throws Exception {
    start(1, 16, Duration.ofSeconds(30));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger delivered = new AtomicInteger();
    dispatcher.add(
        new SipAdapterListener() {
          @Override
          public void onDtmfReceived(DtmfReceived e) {
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
            delivered.incrementAndGet();
          }
        });
    assertThat(dispatcher.dispatch(event("c", 0))).isTrue();
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

    int accepted = 0;
    int refused = 0;
    for (int i = 1; i <= 26; i++) {
      if (dispatcher.dispatch(event("c", i))) {
        accepted++;
      } else {
        refused++;
      }
    }

    assertThat(accepted).isEqualTo(16);
    assertThat(refused).isEqualTo(10);
    assertThat(metrics.snapshot(0).droppedEvents()).isEqualTo(10);
    release.countDown();
    await().atMost(WAIT).until(() -> delivered.get() == 17);
  }

  @Test
  void aThrowingListenerDoesNotStopTheOthers() {
    start(2, 100, Duration.ofSeconds(30));
    List<AdapterEvent> got = new CopyOnWriteArrayList<>();
    dispatcher.add(
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent e) {
            throw new IllegalStateException("listener bug");
          }
        });
    dispatcher.add(listener(got::add));

    dispatcher.dispatch(event("c", 1));
    dispatcher.dispatch(event("c", 2));

    await().atMost(WAIT).until(() -> got.size() == 2);
    assertThat(metrics.snapshot(0).listenerErrors()).isEqualTo(2);
  }

  @Test
  void aSlowListenerIsCounted() {
    start(1, 100, Duration.ofMillis(1));
    AtomicInteger done = new AtomicInteger();
    dispatcher.add(
        listener(
            e -> {
              // Busy for longer than the 1 ms threshold.
              long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3);
              while (System.nanoTime() < until) {
                Thread.onSpinWait();
              }
              done.incrementAndGet();
            }));
    dispatcher.add(listener(e -> done.incrementAndGet()));

    dispatcher.dispatch(event("c", 1));

    await().atMost(WAIT).until(() -> done.get() == 2);
    assertThat(metrics.snapshot(0).slowListenerCalls()).isEqualTo(1);
  }

  @Test
  void closingARegistrationUnregistersTheListener() {
    start(1, 100, Duration.ofSeconds(30));
    List<AdapterEvent> removed = new CopyOnWriteArrayList<>();
    List<AdapterEvent> kept = new CopyOnWriteArrayList<>();
    var registration = dispatcher.add(listener(removed::add));
    dispatcher.add(listener(kept::add));
    dispatcher.dispatch(event("c", 1));
    await().atMost(WAIT).until(() -> kept.size() == 1);

    registration.close();
    registration.close();
    dispatcher.dispatch(event("c", 2));

    await().atMost(WAIT).until(() -> kept.size() == 2);
    assertThat(removed).hasSize(1);
  }

  @Test
  void closeDeliversQueuedEventsThenRefusesNewOnes() {
    start(1, 100, Duration.ofSeconds(30));
    List<AdapterEvent> got = new CopyOnWriteArrayList<>();
    dispatcher.add(listener(got::add));
    for (int i = 0; i < 50; i++) {
      dispatcher.dispatch(event("c", i));
    }

    dispatcher.close(Duration.ofSeconds(5));

    assertThat(got).hasSize(50);
    assertThat(
            dispatcher.dispatch(
                new ConnectionStateChanged(
                    "test",
                    "t",
                    Instant.now(),
                    ConnectionState.CONNECTED,
                    ConnectionState.CLOSED,
                    "closed")))
        .isFalse();
    assertThat(metrics.snapshot(0).droppedEvents()).isEqualTo(1);
  }

  @Test
  void closeFromInsideAListenerNeitherWaitsForNorInterruptsItsOwnLane() throws Exception {
    start(1, 100, Duration.ofSeconds(30));
    CountDownLatch closed = new CountDownLatch(1);
    AtomicInteger interrupted = new AtomicInteger(-1);
    dispatcher.add(
        listener(
            e -> {
              dispatcher.close(Duration.ofSeconds(5));
              interrupted.set(Thread.currentThread().isInterrupted() ? 1 : 0);
              closed.countDown();
            }));

    dispatcher.dispatch(event("c", 1));

    assertThat(closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(interrupted.get()).as("listener thread interrupted by close").isZero();
  }

  @Test
  void terminalEventsAreNeverDroppedWhenTheLaneIsFullAndOlderEventsMakeRoom() throws Exception {
    start(1, 4, Duration.ofSeconds(5));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    List<AdapterEvent> seen = new CopyOnWriteArrayList<>();
    dispatcher.add(
        listener(
            e -> {
              if (blocked.getCount() == 1) {
                blocked.countDown();
                awaitLatch(release);
              }
              seen.add(e);
            }));
    dispatcher.dispatch(event("c0", 0));
    blocked.await(60, TimeUnit.SECONDS);
    for (int i = 1; i <= 10; i++) {
      dispatcher.dispatch(event("c" + i, i));
    }
    List<String> ends = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      String id = "call-" + i;
      ends.add(id);
      assertThat(dispatcher.dispatch(terminal(id))).isTrue();
    }
    release.countDown();

    await()
        .atMost(WAIT)
        .until(() -> seen.stream().filter(e -> e instanceof CallStateChanged).count() == 6);
    assertThat(seen)
        .filteredOn(e -> e instanceof CallStateChanged)
        .extracting(e -> ((CallStateChanged) e).callId())
        .containsExactlyElementsOf(ends);
    // 10 DTMF events offered to a queue of 4: 6 refused at once, 4 evicted by the terminals.
    assertThat(metrics.snapshot(0).droppedEvents()).isEqualTo(10);
  }

  private static CallStateChanged terminal(String callId) {
    return new CallStateChanged(
        "test",
        "t",
        Instant.now(),
        callId,
        org.sipadapter.CallState.CONNECTED,
        org.sipadapter.CallState.DISCONNECTED,
        org.sipadapter.HangupCause.NORMAL_CLEARING,
        Map.of());
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
