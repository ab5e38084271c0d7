package org.sipadapter.transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.sipadapter.dispatch.WakeBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An adapter's own event thread: runs tasks one at a time, in the order they were given, on one
 * daemon thread started by the first task.
 *
 * <p>What it adds to a single-thread executor: it takes every waiting task out of its queue in one
 * lock round and runs them inside a {@link WakeBatch}, so the dispatcher lanes those tasks feed are
 * woken once per round, not once per event; and a reader thread that hands it tasks from inside its
 * own batch (one read buffer's frames) wakes it once per buffer, not once per frame. A task that
 * throws is logged and the thread goes on with the next.
 */
public final class EventThread extends AbstractExecutorService {

  private static final Logger log = LoggerFactory.getLogger(EventThread.class);

  private final String threadName;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final Runnable wake = this::wake;
  private Thread thread;
  private boolean shutdown;
  private boolean waiting;
  private boolean wakeDeferred;

  /**
   * Creates the executor; its thread starts with the first task.
   *
   * @param threadName the thread's name
   */
  public EventThread(String threadName) {
    this.threadName = Objects.requireNonNull(threadName, "threadName");
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    lock.lock();
    try {
      if (shutdown) {
        throw new RejectedExecutionException(threadName + " is shut down");
      }
      tasks.addLast(task);
      if (thread == null) {
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
      } else if (waiting && !wakeDeferred) {
        if (WakeBatch.defer(wake)) {
          wakeDeferred = true;
        } else {
          notEmpty.signal();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void wake() {
    lock.lock();
    try {
      wakeDeferred = false;
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    List<Runnable> round = new ArrayList<>();
    while (true) {
      lock.lock();
      try {
        while (tasks.isEmpty()) {
          if (shutdown) {
            return;
          }
          waiting = true;
          try {
            notEmpty.await();
          } catch (InterruptedException e) {
            // shutdownNow: the queue was cleared; end once shut down and empty.
            if (shutdown) {
              return;
            }
          } finally {
            waiting = false;
          }
        }
        round.addAll(tasks);
        tasks.clear();
      } finally {
        lock.unlock();
      }
      try (WakeBatch batch = WakeBatch.open()) {
        for (int i = 0; i < round.size(); i++) {
          Runnable task = round.get(i);
          round.set(i, null);
          try {
            task.run();
          } catch (RuntimeException | Error e) {
            log.error("[{}] task failed; the thread goes on", threadName, e);
          }
        }
      } finally {
        round.clear();
      }
    }
  }

  @Override
  public void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    lock.lock();
    try {
      shutdown = true;
      List<Runnable> left = new ArrayList<>(tasks);
      tasks.clear();
      if (thread != null) {
        thread.interrupt();
      }
      return left;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isShutdown() {
    lock.lock();
    try {
      return shutdown;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isTerminated() {
    lock.lock();
    try {
      return shutdown && (thread == null || !thread.isAlive());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    Thread t;
    boolean down;
    lock.lock();
    try {
      t = thread;
      down = shutdown;
    } finally {
      lock.unlock();
    }
    if (!down) {
      unit.sleep(timeout); // cannot terminate before a shutdown
      return isTerminated();
    }
    if (t == null) {
      return true;
    }
    t.join(Math.max(1, unit.toMillis(timeout)));
    return !t.isAlive();
  }
}
