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
  void originatesBeyondTheBurstAreSpacedOneIntervalApart() {
    OriginatePacer pacer = pacer(4);
    long spacing = SECOND / 4;
    reserve(pacer, 4);

    assertThat(reserve(pacer, 3)).containsExactly(spacing, 2 * spacing, 3 * spacing);
  }

  @Test
  void atTheSteadyRateNoOriginateWaits() {
    OriginatePacer pacer = pacer(10);
    reserve(pacer, 10); // the burst is spent

    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      clock.addAndGet(pacer.spacingNanos());
      delays.add(pacer.reserve());
    }
    assertThat(delays).containsOnly(0L);
  }

  @Test
  void aDelayCountsFromTheCurrentTimeOfTheCaller() {
    OriginatePacer pacer = pacer(2);
    reserve(pacer, 2);
    long spacing = SECOND / 2;

    clock.addAndGet(spacing / 4);
    assertThat(pacer.reserve()).isEqualTo(spacing - spacing / 4);
    assertThat(pacer.reserve()).isEqualTo(2 * spacing - spacing / 4);
  }

  @Test
  void aFullIdleSecondRefillsTheBurst() {
    OriginatePacer pacer = pacer(3);
    reserve(pacer, 3);
    assertThat(pacer.reserve()).isPositive();

    clock.addAndGet(2 * SECOND); // the queued slot has passed and a second has gone by idle
    assertThat(reserve(pacer, 3)).containsOnly(0L);
    assertThat(pacer.reserve()).isEqualTo(pacer.spacingNanos());
  }

  @Test
  void aPartlyIdleSpellRefillsOnlyPartOfTheBurst() {
    OriginatePacer pacer = pacer(4);
    reserve(pacer, 4);

    clock.addAndGet(2 * pacer.spacingNanos()); // two slots' worth of idle time
    assertThat(reserve(pacer, 3)).containsExactly(0L, 0L, pacer.spacingNanos());
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
        delays.add(f.get(10, TimeUnit.SECONDS));
      }

      // The clock stands still, so the slots must be exactly the burst and then one per spacing.
      List<Long> expected = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        expected.add(Math.max(0, (i - (perSecond - 1)) * pacer.spacingNanos()));
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
