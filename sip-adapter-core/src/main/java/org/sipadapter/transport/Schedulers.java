package org.sipadapter.transport;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library's shared threads: one timer thread for request timeouts, keepalives, ring timeouts
 * and reconnect delays, and one bounded pool for blocking background work. Both are shared by every
 * adapter of the process, live as long as it, and cannot be shut down through this class: their
 * threads are daemons, idle pool threads end after a minute.
 *
 * <p>Tasks run on the timer must be short and never block: they complete futures or hand work to
 * {@link #blocking()}.
 */
public final class Schedulers {
  /** Threads of the blocking pool at most; tasks beyond them wait in its queue. */
  static final int BLOCKING_THREADS = 64;

  /** Tasks that may wait for a blocking thread; more are refused. */
  static final int BLOCKING_QUEUE = 100_000;

  private static final ScheduledThreadPoolExecutor TIMER_POOL = createTimer();
  private static final ScheduledExecutorService TIMER = new Unstoppable(TIMER_POOL);
  private static final Executor BLOCKING = createBlocking();

  private Schedulers() {}

  /**
   * Returns the shared timer. Its {@code shutdown} methods throw {@link
   * UnsupportedOperationException}: the timer serves every adapter of the process.
   *
   * @return a scheduler with one daemon thread named {@code sipadapter-timer-1}
   */
  public static ScheduledExecutorService timer() {
    return TIMER;
  }

  /**
   * Returns how many tasks wait on the shared timer now: pending timeouts, keepalives and delays of
   * every adapter of the process (a cancelled task leaves the queue at once). Leak checks compare
   * it before and after an adapter's life.
   *
   * @return the number of scheduled tasks not yet run
   */
  public static int pendingTimerTasks() {
    return TIMER_POOL.getQueue().size();
  }

  /**
   * Returns the shared pool for blocking background work: reconnect attempts, keepalive probes,
   * hangups sent by the core, completions of the public futures. At most {@value #BLOCKING_THREADS}
   * threads, created on demand and ended after a minute idle; at most {@value #BLOCKING_QUEUE}
   * tasks waiting, beyond which {@code execute} throws {@link
   * java.util.concurrent.RejectedExecutionException}.
   *
   * @return an executor of daemon threads named {@code sipadapter-worker-<n>}
   */
  public static Executor blocking() {
    return BLOCKING;
  }

  private static Executor createBlocking() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            BLOCKING_THREADS,
            BLOCKING_THREADS,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(BLOCKING_QUEUE),
            r -> {
              Thread th = new Thread(r, "sipadapter-worker-" + n.incrementAndGet());
              th.setDaemon(true);
              return th;
            });
    pool.allowCoreThreadTimeOut(true);
    // Only execute(): no handle through which the pool could be shut down.
    return pool::execute;
  }

  private static ScheduledThreadPoolExecutor createTimer() {
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
    return t;
  }

  /** The timer, minus the ways to stop it. */
  private static final class Unstoppable implements ScheduledExecutorService {
    private final ScheduledExecutorService d;

    Unstoppable(ScheduledExecutorService d) {
      this.d = d;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      return d.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      return d.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      return d.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      return d.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
      throw new UnsupportedOperationException("the shared sip-adapter timer cannot be shut down");
    }

    @Override
    public List<Runnable> shutdownNow() {
      throw new UnsupportedOperationException("the shared sip-adapter timer cannot be shut down");
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return false;
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
      return d.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
      return d.submit(task, result);
    }

    @Override
    public Future<?> submit(Runnable task) {
      return d.submit(task);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
        throws InterruptedException {
      return d.invokeAll(tasks);
    }

    @Override
    public <T> List<Future<T>> invokeAll(
        Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws InterruptedException {
      return d.invokeAll(tasks, timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
        throws InterruptedException, java.util.concurrent.ExecutionException {
      return d.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws InterruptedException,
            java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
      return d.invokeAny(tasks, timeout, unit);
    }

    @Override
    public void execute(Runnable command) {
      d.execute(command);
    }
  }
}
