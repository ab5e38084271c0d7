package org.sipadapter.metrics;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.sipadapter.LatencyObserver;
import org.sipadapter.MetricsSnapshot;

/**
 * The live counters behind {@link MetricsSnapshot}. Every update is a lock-free add, safe from any
 * thread; the adapter base class owns one instance.
 */
public final class AdapterMetrics {
  private final long createdNanos = System.nanoTime();
  private final LongAdder attempted = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder incoming = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder rejectedTransitions = new LongAdder();
  private final LongAdder droppedEvents = new LongAdder();
  private final LongAdder slowListenerCalls = new LongAdder();
  private final LongAdder listenerErrors = new LongAdder();
  private final LongAdder orphansHungUp = new LongAdder();
  private final LatencyHistogram requestLatency = new LatencyHistogram();
  private final LatencyHistogram setupTime = new LatencyHistogram();
  // Usually empty: iterating an empty copy-on-write list costs one array read on the hot path.
  private final CopyOnWriteArrayList<LatencyObserver> observers = new CopyOnWriteArrayList<>();

  /**
   * Adds an observer of every latency sample.
   *
   * @param observer the observer
   */
  public void addLatencyObserver(LatencyObserver observer) {
    observers.add(observer);
  }

  /**
   * Removes an observer.
   *
   * @param observer the observer
   */
  public void removeLatencyObserver(LatencyObserver observer) {
    observers.remove(observer);
  }

  /** Counts an outbound call placed. */
  public void callAttempted() {
    attempted.increment();
  }

  /**
   * Counts an outbound call answered.
   *
   * @param setupNanos time from placing to answer
   */
  public void callSucceeded(long setupNanos) {
    succeeded.increment();
    setupTime.recordNanos(setupNanos);
    for (LatencyObserver o : observers) {
      try {
        o.callAnswered(setupNanos);
      } catch (RuntimeException e) {
        // An observer must not stop the thread that reports the call (it may read the socket).
      }
    }
  }

  /** Counts an outbound call that ended without being answered. */
  public void callFailed() {
    failed.increment();
  }

  /** Counts a call that arrived from outside. */
  public void incomingCall() {
    incoming.increment();
  }

  /** Counts a successful reconnection. */
  public void reconnected() {
    reconnects.increment();
  }

  /** Counts a state change refused by the transition table. */
  public void transitionRejected() {
    rejectedTransitions.increment();
  }

  /** Counts an event dropped because a delivery queue was full. */
  public void eventDropped() {
    droppedEvents.increment();
  }

  /** Counts a listener call slower than the threshold. */
  public void slowListener() {
    slowListenerCalls.increment();
  }

  /** Counts a listener call that threw. */
  public void listenerError() {
    listenerErrors.increment();
  }

  /**
   * Records one request round trip.
   *
   * @param nanos its latency
   */
  /** Counts a call the adapter gave up on that the server still held, and that was hung up. */
  public void orphanHungUp() {
    orphansHungUp.increment();
  }

  public void requestLatency(long nanos) {
    requestLatency.recordNanos(nanos);
    for (LatencyObserver o : observers) {
      try {
        o.requestCompleted(nanos);
      } catch (RuntimeException e) {
        // An observer must not stop the thread that completes the request.
      }
    }
  }

  /**
   * Returns the mean request latency so far.
   *
   * @return milliseconds, 0 without samples
   */
  public double averageLatencyMs() {
    return requestLatency.snapshot().avgMs();
  }

  /**
   * Copies the counters.
   *
   * @param activeCalls calls in progress now
   * @return the snapshot
   */
  public MetricsSnapshot snapshot(long activeCalls) {
    long ok = succeeded.sum();
    long ko = failed.sum();
    double rate = ok + ko == 0 ? 1.0 : (double) ok / (ok + ko);
    return new MetricsSnapshot(
        attempted.sum(),
        ok,
        ko,
        rate,
        requestLatency.snapshot(),
        setupTime.snapshot(),
        activeCalls,
        incoming.sum(),
        reconnects.sum(),
        rejectedTransitions.sum(),
        droppedEvents.sum(),
        slowListenerCalls.sum(),
        listenerErrors.sum(),
        orphansHungUp.sum(),
        Duration.ofNanos(System.nanoTime() - createdNanos));
  }
}
