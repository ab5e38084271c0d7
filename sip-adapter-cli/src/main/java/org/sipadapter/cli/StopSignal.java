package org.sipadapter.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a long-running command (watch, cdr, load, a waited call) end cleanly on Ctrl-C: the JVM's
 * shutdown hook trips the signal and then waits, briefly, for the command to close its adapters and
 * flush its output. Also trips when the command's own time limit is up.
 */
final class StopSignal implements AutoCloseable {
  private static final Duration CLEANUP = Duration.ofSeconds(3);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean interrupted;

  StopSignal() {
    hook =
        new Thread(
            () -> {
              interrupted = true;
              stop.countDown();
              try {
                finished.await(CLEANUP.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "sipadapter-ctrl-c");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Trips the signal from inside the command (a condition it waited for came true). */
  void trip() {
    stop.countDown();
  }

  /**
   * Waits until Ctrl-C, {@link #trip()} or the limit.
   *
   * @param limit how long at most; null for no limit
   * @return true if stopped by Ctrl-C or trip, false if the limit passed
   */
  boolean await(Duration limit) throws InterruptedException {
    if (limit == null) {
      stop.await();
      return true;
    }
    return stop.await(limit.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Tells whether Ctrl-C ended the wait. */
  boolean interrupted() {
    return interrupted;
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down (Ctrl-C); the hook is running and waits for us.
    }
  }
}
