package org.sipadapter.dispatch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.sipadapter.ListenerRegistration;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.config.EventSettings;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.metrics.AdapterMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to listeners off the socket reader thread.
 *
 * <p>Events go into lanes, one thread and one bounded queue each. All events of one call go to the
 * same lane (chosen by the call id's hash), so a call's events arrive in order while different
 * calls are delivered in parallel. {@link #dispatch} never blocks: when a lane's queue is full a
 * non-terminal event is dropped, counted and logged, so a stuck listener cannot stall the
 * connection. Terminal call events and connection state changes are never dropped: when their lane
 * is full, the oldest droppable event of that lane makes room for them (and is counted); when a
 * lane holds only such events it grows past its capacity, which stays bounded by the number of
 * calls, since each call has one terminal event. A listener that throws is logged and counted; the
 * others still get the event. A listener call slower than the threshold is logged and counted.
 *
 * <p>Cost: one hand-off per event (the caller's thread to a lane). A lane takes up to {@value
 * #BATCH} waiting events per lock round and delivers them outside the lock, so under load the
 * reader thread and a lane rarely meet on the lock; the events a lane has taken are out of reach of
 * eviction, so a lane holds at most its capacity plus one batch of droppable events.
 */
public final class EventDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

  /**
   * Most events a lane takes from its queue at once. Large enough that a burst costs a lane one
   * lock round per this many events, small enough that the events taken out of reach of the
   * eviction of a full queue stay few.
   */
  static final int BATCH = 64;

  private final String name;
  private final EventSettings settings;
  private final AdapterMetrics metrics;
  private final List<SipAdapterListener> listeners = new CopyOnWriteArrayList<>();
  private final Lane[] lanes;
  private final AtomicLong lastDropLogNanos = new AtomicLong(System.nanoTime() - 10_000_000_000L);
  private volatile boolean closed;

  /**
   * Creates the dispatcher and starts its delivery threads (daemon threads named {@code
   * sipadapter-<name>-events-<n>}).
   *
   * @param name the adapter's name, for thread names and logs
   * @param settings lane count, queue capacity and slow-listener threshold
   * @param metrics where drops, slow calls and listener errors are counted
   */
  public EventDispatcher(String name, EventSettings settings, AdapterMetrics metrics) {
    this.name = name;
    this.settings = settings;
    this.metrics = metrics;
    this.lanes = new Lane[settings.threads()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane(i);
      lanes[i].thread.start();
    }
  }

  /**
   * Registers a listener.
   *
   * @param listener the listener
   * @return a handle whose {@code close()} unregisters it
   */
  public ListenerRegistration add(SipAdapterListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Unregisters a listener.
   *
   * @param listener the listener
   * @return true if it was registered
   */
  public boolean remove(SipAdapterListener listener) {
    return listeners.remove(listener);
  }

  /**
   * Queues an event for delivery. Never blocks. When the event's lane is full, a terminal call
   * event or a connection state change takes the place of the lane's oldest other event; any other
   * event is dropped. Drops are counted; after {@link #close} every event is dropped.
   *
   * @param event the event
   * @return true if queued
   */
  public boolean dispatch(AdapterEvent event) {
    if (closed) {
      metrics.eventDropped();
      return false;
    }
    String key = event.relatedCallId().orElse("");
    Lane lane = lanes[(key.hashCode() & 0x7fffffff) % lanes.length];
    boolean essential = isEssential(event);
    if (lane.queue.offer(event, essential)) {
      return true;
    }
    metrics.eventDropped();
    long now = System.nanoTime();
    long last = lastDropLogNanos.get();
    if (now - last > 1_000_000_000L && lastDropLogNanos.compareAndSet(last, now)) {
      log.warn(
          "[{}] event queue full ({} events): dropping {}; a listener is too slow",
          name,
          settings.queueCapacity(),
          event.getClass().getSimpleName());
    }
    return false;
  }

  /**
   * Tells whether an event may never be dropped: a call's terminal state change, whose absence
   * would leave the call open forever for the listener, and a connection state change.
   */
  static boolean isEssential(AdapterEvent event) {
    return (event instanceof CallStateChanged c && c.state().isTerminal())
        || event instanceof ConnectionStateChanged;
  }

  /**
   * Returns the number of events waiting for delivery.
   *
   * @return queued events over all lanes
   */
  public int pending() {
    int n = 0;
    for (Lane lane : lanes) {
      n += lane.queue.size() + lane.inHand;
    }
    return n;
  }

  /**
   * Stops accepting events, delivers what is queued (up to {@code drain}), then stops the threads.
   * Called from a listener, it does not wait for (or interrupt) the lane running that listener.
   *
   * @param drain how long to wait for queued events to be delivered
   */
  public void close(Duration drain) {
    closed = true;
    long deadline = System.nanoTime() + drain.toNanos();
    for (Lane lane : lanes) {
      lane.stopping = true;
      // Wakes an idle lane at once. A full queue refuses it; that lane stops once it has drained.
      lane.queue.stop();
    }
    for (Lane lane : lanes) {
      if (lane.thread == Thread.currentThread()) {
        // Closed from a listener: this lane ends once the listener returns and its queue is empty.
        continue;
      }
      long left = deadline - System.nanoTime();
      try {
        lane.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (lane.thread.isAlive()) {
        lane.abandoned = true;
        lane.thread.interrupt();
      }
    }
  }

  /** Same as {@code close(Duration.ofSeconds(2))}. */
  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }

  private void deliver(AdapterEvent event) {
    long slowNanos = settings.slowListenerThreshold().toNanos();
    for (SipAdapterListener l : listeners) {
      long start = System.nanoTime();
      try {
        l.onEvent(event);
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError) {
          throw (VirtualMachineError) t;
        }
        metrics.listenerError();
        log.warn(
            "[{}] listener {} threw on {}; other listeners still get it",
            name,
            l.getClass().getName(),
            event.getClass().getSimpleName(),
            t);
      }
      long took = System.nanoTime() - start;
      if (took > slowNanos) {
        metrics.slowListener();
        log.warn(
            "[{}] listener {} took {} ms on {} (threshold {} ms); events of calls in its lane wait",
            name,
            l.getClass().getName(),
            TimeUnit.NANOSECONDS.toMillis(took),
            event.getClass().getSimpleName(),
            settings.slowListenerThreshold().toMillis());
      }
    }
  }

  /**
   * A lane's queue: bounded for droppable events, never refusing an essential one. One lock; the
   * eviction scan runs only when the queue is full.
   */
  private final class LaneQueue {
    private final ArrayDeque<AdapterEvent> events = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private boolean stopped;
    // The lane is parked in drainTo; a wake-up for it is deferred to the offering thread's batch.
    private boolean waiting;
    private boolean wakeDeferred;
    private final Runnable wake = this::wake;
    // Droppable events in the queue: a full queue of essential events only (a flood of call ends
    // behind a slow listener) is not scanned in vain on every further essential event.
    private int droppable;

    boolean offer(AdapterEvent event, boolean essential) {
      lock.lock();
      try {
        if (events.size() >= settings.queueCapacity()) {
          if (!essential) {
            return false;
          }
          if (droppable > 0) {
            evictOldestDroppable();
          }
        }
        if (!essential) {
          droppable++;
        }
        events.addLast(event);
        if (waiting && !wakeDeferred) {
          if (WakeBatch.defer(wake)) {
            wakeDeferred = true;
          } else {
            notEmpty.signal();
          }
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    private void evictOldestDroppable() {
      for (Iterator<AdapterEvent> it = events.iterator(); it.hasNext(); ) {
        if (!isEssential(it.next())) {
          it.remove();
          droppable--;
          metrics.eventDropped();
          return;
        }
      }
    }

    /** The deferred wake-up, run when the offering thread's batch closes. */
    private void wake() {
      lock.lock();
      try {
        wakeDeferred = false;
        notEmpty.signal();
      } finally {
        lock.unlock();
      }
    }

    /** Wakes the lane so it can stop once its queue is empty. */
    void stop() {
      lock.lock();
      try {
        stopped = true;
        notEmpty.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /**
     * Moves the waiting events, up to {@code batch.length}, into {@code batch}, waiting while there
     * are none. One lock round per batch instead of one per event: while the lane delivers a batch,
     * the reader thread offers the next events without meeting the lane on the lock.
     *
     * @return how many were moved, or -1 once stopped and empty
     */
    int drainTo(AdapterEvent[] batch) throws InterruptedException {
      lock.lockInterruptibly();
      try {
        while (events.isEmpty()) {
          if (stopped) {
            return -1;
          }
          waiting = true;
          try {
            notEmpty.await();
          } finally {
            waiting = false;
          }
        }
        int n = 0;
        while (n < batch.length) {
          AdapterEvent e = events.pollFirst();
          if (e == null) {
            break;
          }
          if (!isEssential(e)) {
            droppable--;
          }
          batch[n++] = e;
        }
        return n;
      } finally {
        lock.unlock();
      }
    }

    boolean isEmpty() {
      lock.lock();
      try {
        return events.isEmpty();
      } finally {
        lock.unlock();
      }
    }

    int size() {
      lock.lock();
      try {
        return events.size();
      } finally {
        lock.unlock();
      }
    }
  }

  private final class Lane implements Runnable {
    final LaneQueue queue = new LaneQueue();
    final Thread thread;
    private final AdapterEvent[] batch = new AdapterEvent[BATCH];
    volatile boolean stopping;
    volatile boolean abandoned;
    volatile int inHand; // events taken from the queue and not yet delivered (at most)

    Lane(int index) {
      thread = new Thread(this, "sipadapter-" + name + "-events-" + index);
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      while (!abandoned) {
        int n;
        try {
          n = queue.drainTo(batch);
        } catch (InterruptedException ie) {
          return;
        }
        if (n < 0) {
          return;
        }
        inHand = n;
        try {
          for (int i = 0; i < n; i++) {
            AdapterEvent e = batch[i];
            batch[i] = null;
            if (!abandoned) {
              deliver(e);
            }
          }
        } finally {
          inHand = 0;
        }
        if (stopping && queue.isEmpty()) {
          return;
        }
      }
    }
  }
}
