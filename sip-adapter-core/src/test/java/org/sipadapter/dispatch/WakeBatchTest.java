package org.sipadapter.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.config.EventSettings;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.metrics.AdapterMetrics;

class WakeBatchTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private EventDispatcher dispatcher;

  @AfterEach
  void close() {
    if (dispatcher != null) {
      dispatcher.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void withoutAnOpenBatchAWakeUpIsNotDeferred() {
    AtomicInteger woken = new AtomicInteger();
    assertThat(WakeBatch.defer(woken::incrementAndGet)).isFalse();
    assertThat(woken).hasValue(0);
  }

  @Test
  void deferredWakeUpsRunOnceWhenTheOutermostBatchCloses() {
    AtomicInteger woken = new AtomicInteger();
    try (WakeBatch outer = WakeBatch.open()) {
      try (WakeBatch inner = WakeBatch.open()) {
        assertThat(WakeBatch.defer(woken::incrementAndGet)).isTrue();
      }
      assertThat(woken).as("inner close does not wake").hasValue(0);
    }
    assertThat(woken).hasValue(1);
    // The batch is closed: nothing is deferred any more.
    assertThat(WakeBatch.defer(woken::incrementAndGet)).isFalse();
  }

  @Test
  void anotherThreadsBatchDoesNotDeferThisThreadsWakeUps() throws Exception {
    AtomicInteger woken = new AtomicInteger();
    boolean[] deferred = new boolean[1];
    try (WakeBatch batch = WakeBatch.open()) {
      Thread other = new Thread(() -> deferred[0] = WakeBatch.defer(woken::incrementAndGet));
      other.start();
      other.join();
    }
    assertThat(deferred[0]).isFalse();
    assertThat(woken).hasValue(0);
  }

  @Test
  void eventsDispatchedInABatchToAnIdleLaneAreAllDeliveredInOrderOnceItCloses() {
    dispatcher =
        new EventDispatcher("test", new EventSettings(1, 1000, WAIT), new AdapterMetrics());
    List<String> seen = new CopyOnWriteArrayList<>();
    dispatcher.add(listener(e -> seen.add(((DtmfReceived) e).digit())));
    // Let the lane park: the first event wakes it at once (no batch), then it waits again.
    dispatcher.dispatch(event(-1));
    await().atMost(WAIT).until(() -> seen.size() == 1);
    Thread lane = laneThread();
    await().atMost(WAIT).until(() -> lane.getState() == Thread.State.WAITING);

    try (WakeBatch batch = WakeBatch.open()) {
      for (int i = 0; i < 100; i++) {
        assertThat(dispatcher.dispatch(event(i))).isTrue();
      }
    }

    await().atMost(WAIT).until(() -> seen.size() == 101);
    assertThat(seen.subList(1, 101))
        .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(Integer::toString).toList());
  }

  private static Thread laneThread() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("sipadapter-test-events-0"))
        .findFirst()
        .orElseThrow();
  }

  private static SipAdapterListener listener(java.util.function.Consumer<AdapterEvent> c) {
    return new SipAdapterListener() {
      @Override
      public void onEvent(AdapterEvent event) {
        c.accept(event);
      }
    };
  }

  private static DtmfReceived event(int seq) {
    return new DtmfReceived("test", "t", Instant.now(), "call-1", Integer.toString(seq), Map.of());
  }
}
