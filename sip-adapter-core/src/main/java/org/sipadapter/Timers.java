package org.sipadapter;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.sipadapter.transport.Schedulers;

/**
 * Where the core schedules its timers (ring timeouts, hangup grace, keepalive, reconnect). The
 * production form runs the task on the shared blocking executor once the shared timer fires, so a
 * task may write to a socket; tests give a manual form to drive time by hand.
 */
interface Timers {

  /**
   * Runs a task once after a delay.
   *
   * @param task the task; may block
   * @param delay the delay
   * @return cancels the task if it has not started
   */
  Runnable schedule(Runnable task, Duration delay);

  /** The shared timer and blocking executor. */
  Timers SHARED =
      (task, delay) -> {
        var f =
            Schedulers.timer()
                .schedule(
                    () -> Schedulers.blocking().execute(task),
                    delay.toNanos(),
                    TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      };
}
