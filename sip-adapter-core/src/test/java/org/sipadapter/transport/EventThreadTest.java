package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.dispatch.WakeBatch;

class EventThreadTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final EventThread events = new EventThread("sipadapter-test-event-thread");

  @AfterEach
  void shutDown() {
    events.shutdownNow();
  }

  private static boolean threadRuns() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("sipadapter-test-event-thread") && t.isAlive());
  }

  @Test
  void startsItsThreadWithTheFirstTaskAndRunsTasksInOrderOnIt() {
    assertThat(threadRuns()).isFalse();
    List<Integer> ran = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 1000; i++) {
      int n = i;
      events.execute(
          () -> {
            ran.add(n);
            threads.add(Thread.currentThread().getName());
          });
    }
    await().atMost(WAIT).until(() -> ran.size() == 1000);
    assertThat(ran).containsExactlyElementsOf(IntStream.range(0, 1000).boxed().toList());
    assertThat(threads).containsOnly("sipadapter-test-event-thread");
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheTasksAfterIt() {
    List<String> ran = new CopyOnWriteArrayList<>();
    events.execute(
        () -> {
          throw new IllegalStateException("task failed");
        });
    events.execute(
        () -> {
          throw new AssertionError("task failed badly");
        });
    events.execute(() -> ran.add("next"));
    await().atMost(WAIT).until(() -> ran.size() == 1);
  }

  @Test
  void tasksGivenFromInsideABatchRunOnceTheBatchCloses() throws Exception {
    CountDownLatch first = new CountDownLatch(1);
    events.execute(first::countDown);
    first.await(60, TimeUnit.SECONDS);
    List<Integer> ran = new CopyOnWriteArrayList<>();
    try (WakeBatch batch = WakeBatch.open()) {
      for (int i = 0; i < 50; i++) {
        int n = i;
        events.execute(() -> ran.add(n));
      }
    }
    await().atMost(WAIT).until(() -> ran.size() == 50);
    assertThat(ran).containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
  }

  @Test
  void shutdownRunsWhatIsQueuedThenEndsAndRefusesMore() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    List<Integer> ran = new CopyOnWriteArrayList<>();
    events.execute(
        () -> {
          try {
            hold.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    events.execute(() -> ran.add(1));
    events.execute(() -> ran.add(2));
    events.shutdown();
    assertThat(events.isShutdown()).isTrue();
    assertThatThrownBy(() -> events.execute(() -> ran.add(3)))
        .isInstanceOf(RejectedExecutionException.class);
    hold.countDown();
    assertThat(events.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(events.isTerminated()).isTrue();
    assertThat(ran).containsExactly(1, 2);
    assertThat(threadRuns()).isFalse();
  }

  @Test
  void shutdownNowReturnsTheTasksNotRun() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch hold = new CountDownLatch(1);
    events.execute(
        () -> {
          started.countDown();
          try {
            hold.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    started.await(60, TimeUnit.SECONDS);
    Runnable never = () -> {};
    events.execute(never);
    assertThat(events.shutdownNow()).containsExactly(never);
    assertThat(events.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aNeverUsedExecutorTerminatesOnShutdown() throws Exception {
    events.shutdown();
    assertThat(events.awaitTermination(1, TimeUnit.SECONDS)).isTrue();
    assertThat(events.isTerminated()).isTrue();
  }
}
