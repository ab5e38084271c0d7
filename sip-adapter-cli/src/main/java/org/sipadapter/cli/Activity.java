package org.sipadapter.cli;

import java.time.Duration;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.ConnectionStateChanged;

/**
 * Notices when adapters have finished reporting what they found on connect. Adapters report the
 * calls already up on a server as {@code IncomingCall} events while or right after connecting;
 * there is no "done" signal, so this waits until the adapters have been quiet for a moment.
 * Thread-safe.
 */
final class Activity implements SipAdapterListener {
  private static final Duration QUIET = Duration.ofMillis(250);

  private long lastEventNanos = System.nanoTime();

  /** Listens to the adapters; call before connecting them. */
  static Activity watch(Adapters adapters) {
    Activity a = new Activity();
    for (SipAdapter adapter : adapters.list()) {
      adapter.addListener(a);
    }
    return a;
  }

  @Override
  public synchronized void onEvent(AdapterEvent event) {
    if (!(event instanceof ConnectionStateChanged)) {
      lastEventNanos = System.nanoTime();
      notifyAll();
    }
  }

  /**
   * Waits until no call event arrived for a quarter second, or {@code max} passed.
   *
   * @param max the longest wait
   */
  synchronized void settle(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    lastEventNanos = Math.max(lastEventNanos, System.nanoTime());
    while (true) {
      long now = System.nanoTime();
      long quietUntil = lastEventNanos + QUIET.toNanos();
      long until = Math.min(quietUntil, deadline);
      if (now >= until) {
        return;
      }
      long waitNanos = until - now;
      wait(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
    }
  }
}
