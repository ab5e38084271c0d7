package org.sipadapter.freeswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OriginatePacerTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** A clock that moves only when the test moves it; starts far from zero, as nanoTime may. */
  private final AtomicLong clock = new AtomicLong(-7_000_000_000L);

  private OriginatePacer pacer(int perSecond) {
    return new OriginatePacer(perSecond, clock::get);
  }

  private static List<Long> reserve(OriginatePacer pacer, int times) {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      delays.add(pacer.reserve());
    }
    return delays;
  }

  @Test
  void anIdlePacerLetsOneSecondsWorthThroughAtOnce() {
    OriginatePacer pacer = pacer(5);

    assertThat(reserve(pacer, 5)).containsOnly(0L);
  }

  @Test
  void originatesBeyondTheBurstWaitForTheSecondToPass() {
    OriginatePacer pacer = pacer(4);
    reserve(pacer, 4);

    assertThat(reserve(pacer, 5)).containsExactly(SECOND, SECOND, SECOND, SECOND, 2 * SECOND);
  }

  @Test
  void aFloodBeyondTheRateIsRefusedOnceTheNextSlotIsFurtherThanTheCallerWaitsAndBooksNothing() {
    OriginatePacer pacer = pacer(2);
    reserve(pacer, 4); // slots now, now, +1 s, +1 s

    // The next slot is 2 s away: a caller that waits at most 1.5 s is refused, without booking.
    assertThat(pacer.reserveWithin(SECOND * 3 / 2)).isEqualTo(-1L);
    assertThat(pacer.reserveWithin(SECOND * 3 / 2)).isEqualTo(-1L);
    assertThat(pacer.reserveWithin(2 * SECOND)).isEqualTo(2 * SECOND);
    clock.addAndGet(SECOND);
    assertThat(pacer.reserveWithin(SECOND * 3 / 2)).isEqualTo(SECOND);
  }

  @Test
  void noOneSecondEverHoldsMoreThanTheRate() {
    // An idle spell, then a burst: the old pacer let 2N-1 through in the first second.
    int perSecond = 5;
    OriginatePacer pacer = pacer(perSecond);
    List<Long> sendTimes = new ArrayList<>();
    long[] steps = {0, 0, 3 * SECOND, 0, SECOND / 10, 0, SECOND / 3, 0, 0, 0, SECOND / 7, 0};
    for (int round = 0; round < 6; round++) {
      for (long step : steps) {
        clock.addAndGet(step);
        sendTimes.add(clock.get() + pacer.reserve());
      }
    }
    List<Long> sorted = sendTimes.stream().sorted().toList();
    for (int i = 0; i + perSecond < sorted.size(); i++) {
      assertThat(sorted.get(i + perSecond) - sorted.get(i)).isGreaterThanOrEqualTo(SECOND);
    }
  }

  @Test
  void atTheSteadyRateNoOriginateWaits() {
    OriginatePacer pacer = pacer(10);
    reserve(pacer, 10); // the burst is spent
    clock.addAndGet(SECOND);

    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      delays.add(pacer.reserve());
      clock.addAndGet(pacer.spacingNanos());
    }
    assertThat(delays).containsOnly(0L);
  }

  @Test
  void aDelayCountsFromTheCurrentTimeOfTheCaller() {
    OriginatePacer pacer = pacer(2);
    reserve(pacer, 2);

    clock.addAndGet(SECOND / 4);
    assertThat(pacer.reserve()).isEqualTo(SECOND - SECOND / 4);
    assertThat(pacer.reserve()).isEqualTo(SECOND - SECOND / 4);
    assertThat(pacer.reserve()).isEqualTo(2 * SECOND - SECOND / 4);
  }

  @Test
  void aFullIdleSecondRefillsTheBurst() {
    OriginatePacer pacer = pacer(3);
    reserve(pacer, 3);
    assertThat(pacer.reserve()).isPositive();

    clock.addAndGet(2 * SECOND); // the queued slot has passed and a second has gone by idle
    assertThat(reserve(pacer, 3)).containsOnly(0L);
    assertThat(pacer.reserve()).isEqualTo(SECOND);
  }

  @Test
  void concurrentCallersEachGetASlotOfTheirOwn() throws Exception {
    int perSecond = 20;
    int callers = 200;
    OriginatePacer pacer = pacer(perSecond);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Long>> results = new ArrayList<>();
    try {
      Callable<Long> reserveOne =
          () -> {
            start.await();
            return pacer.reserve();
          };
      for (int i = 0; i < callers; i++) {
        results.add(pool.submit(reserveOne));
      }
      start.countDown();
      List<Long> delays = new ArrayList<>();
      for (Future<Long> f : results) {
        delays.add(f.get(60, TimeUnit.SECONDS));
      }

      // The clock stands still, so the slots must be one burst per second.
      List<Long> expected = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        expected.add((long) (i / perSecond) * SECOND);
      }
      assertThat(delays).containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRateBelowOneIsRefused() {
    assertThatThrownBy(() -> pacer(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
