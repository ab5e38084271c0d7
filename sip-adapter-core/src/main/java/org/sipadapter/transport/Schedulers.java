package org.sipadapter.transport;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one timer thread of the library, shared by every adapter for request timeouts, keepalives,
 * ring timeouts and reconnect delays. Tasks run on it must be short and never block: they complete
 * futures or hand work to another executor.
 */
public final class Schedulers {
  private static final ScheduledExecutorService TIMER = createTimer();
  private static final ExecutorService BLOCKING = createBlocking();

  private Schedulers() {}

  /**
   * Returns the shared timer.
   *
   * @return a scheduler with one daemon thread named {@code sipadapter-timer}
   */
  public static ScheduledExecutorService timer() {
    return TIMER;
  }

  /**
   * Returns the shared pool for blocking background work: reconnect attempts, keepalive probes.
   * Threads are created on demand and end after a minute idle.
   *
   * @return a cached pool of daemon threads named {@code sipadapter-worker-<n>}
   */
  public static ExecutorService blocking() {
    return BLOCKING;
  }

  private static ExecutorService createBlocking() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread th = new Thread(r, "sipadapter-worker-" + n.incrementAndGet());
              th.setDaemon(true);
              return th;
            });
    return Executors.unconfigurableExecutorService(pool);
  }

  private static ScheduledExecutorService createTimer() {
    AtomicInteger n = new AtomicInteger();
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread th = new Thread(r, "sipadapter-timer-" + n.incrementAndGet());
              th.setDaemon(true);
              return th;
            });
    // Cancelled timeouts are the common case; without this they would sit in the queue until due.
    t.setRemoveOnCancelPolicy(true);
    return Executors.unconfigurableScheduledExecutorService(t);
  }
}
