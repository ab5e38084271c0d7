package org.sipadapter.transport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.sipadapter.AdapterTimeoutException;

/**
 * A request waiting for its reply, with its timeout on the shared timer: the piece both correlators
 * share. The timeout task only completes the future (or runs the given short action), so it is fit
 * for the timer thread.
 *
 * @param <R> the reply type
 */
final class PendingReply<R> {
  final CompletableFuture<R> future = new CompletableFuture<>();
  private volatile ScheduledFuture<?> timer;

  /**
   * Starts the timeout. If the reply came in first, the timer is cancelled at once so it does not
   * sit in the timer's queue until due.
   */
  void startTimer(Runnable onTimeout, Duration timeout) {
    ScheduledFuture<?> t =
        Schedulers.timer().schedule(onTimeout, timeout.toNanos(), TimeUnit.NANOSECONDS);
    timer = t;
    if (future.isDone()) {
      t.cancel(false);
    }
  }

  void complete(R reply) {
    cancelTimer();
    future.complete(reply);
  }

  void fail(Throwable error) {
    cancelTimer();
    future.completeExceptionally(error);
  }

  private void cancelTimer() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
  }

  static AdapterTimeoutException timeout(String what, String description, Duration timeout) {
    return new AdapterTimeoutException(
        what + " '" + description + "' got no reply within " + timeout.toMillis() + " ms");
  }
}
