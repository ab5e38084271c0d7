package org.sipadapter.benchmarks.path;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;

/**
 * The counting listener of the socket-to-listener benchmarks, which also checks the delivery
 * guarantees on every event it counts: a call's {@code IncomingCall} comes before its other events,
 * a call has one terminal event, nothing carries a call's id after it, and every state change
 * starts from the state the previous one reached (per-call order; the first one from none).
 *
 * <p>The check costs one map lookup per event on the dispatcher's threads; its map is emptied by
 * {@link #forgetEnded} between invocations so it does not grow with the run.
 */
public final class OrderCheck implements SipAdapterListener {
  private static final Object ENDED = new Object();
  private static final Object ANNOUNCED = new Object();

  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong violations = new AtomicLong();
  private final ConcurrentHashMap<String, Object> calls = new ConcurrentHashMap<>();
  private volatile String firstViolation;

  @Override
  public void onEvent(AdapterEvent event) {
    String callId = event.relatedCallId().orElse(null);
    if (callId != null) {
      check(callId, event);
    }
    delivered.incrementAndGet();
  }

  private void check(String callId, AdapterEvent event) {
    Object before = calls.get(callId);
    if (before == ENDED) {
      violation(callId, "event after the terminal event: " + event);
      return;
    }
    if (event instanceof IncomingCall) {
      if (before != null) {
        violation(callId, "IncomingCall after other events");
      }
      calls.put(callId, ANNOUNCED);
    } else if (event instanceof CallStateChanged c) {
      Object expected =
          c.previous() == null ? before == ANNOUNCED ? ANNOUNCED : null : c.previous();
      if (before != expected) {
        violation(callId, "state change from " + c.previous() + " after reaching " + before);
      }
      calls.put(callId, c.state().isTerminal() ? ENDED : c.state());
    }
  }

  private void violation(String callId, String what) {
    if (violations.incrementAndGet() == 1) {
      firstViolation = callId + ": " + what;
    }
  }

  /** Events counted so far. */
  public long delivered() {
    return delivered.get();
  }

  /** Drops the ended calls from the map; call only while no event is in flight. */
  public void forgetEnded() {
    calls.values().removeIf(v -> v == ENDED);
  }

  /**
   * Throws if any event broke the guarantees.
   *
   * @throws IllegalStateException naming the first violation
   */
  public void verify() {
    long v = violations.get();
    if (v > 0) {
      throw new IllegalStateException(v + " order violations; first: " + firstViolation);
    }
  }

  /** Returns a one-line summary for the benchmark's output. */
  public String summary() {
    return "events delivered: "
        + delivered.get()
        + ", order violations: "
        + violations.get()
        + ", calls open: "
        + calls.values().stream().filter(v -> v != ENDED).count();
  }

  /**
   * Waits until no event has arrived for a whole second (on a loaded machine a lane can pause for
   * longer than 300 ms) and returns the count delivered by then.
   */
  public long settle() throws InterruptedException {
    long last = -1;
    while (true) {
      long now = delivered();
      if (now == last) {
        return now;
      }
      last = now;
      Thread.sleep(1000);
    }
  }
}
