package org.sipadapter;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.sipadapter.config.ReconnectPolicy;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.metrics.AdapterMetrics;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.transport.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the connection state and the one path that brings a link up, for {@code connect()} and
 * reconnects alike.
 *
 * <p>Every link has a generation. A link-up attempt starts a new one; the loss of a link counts
 * only for the current generation, so a stale link's close changes nothing. The loss of the current
 * link while connected moves to {@code RECONNECTING} (or {@code ERROR} when reconnect is off), once
 * per outage; its loss while it is still being brought up fails that attempt, so the state never
 * says {@code CONNECTED} for a link that is gone. A reconnected link is re-read ({@code
 * Resync.resync}) before the calls are trusted again, also when the user's {@code connect()} ends
 * the outage; if that {@code connect()} fails, the reconnect loop goes on.
 *
 * <p>Two locks: {@code lifecycle} serialises connect, disconnect, close and reconnect attempts (it
 * is held across the blocking login); {@code linkLock} guards the state and the generation for a
 * moment only, so a reader thread reporting a lost link never waits for a login.
 */
final class ConnectionWatchdog {
  private static final Logger log = LoggerFactory.getLogger(ConnectionWatchdog.class);

  /** What the watchdog asks of the adapter. */
  interface Driver {
    void open(ConnectTarget target) throws Exception;

    /** Closes the current link; never throws. */
    void close();

    Optional<List<CallSnapshot>> resync() throws Exception;

    void keepalive() throws Exception;

    void applyResync(List<CallSnapshot> snapshot);

    /** The link is gone: fail requests waiting for it. */
    void linkDown(String why);

    /** Reconnecting was given up (or is off): end every call. */
    void giveUp(HangupCause cause);

    RuntimeException connectFailure(Exception e, ConnectTarget target);

    String redact(String text);
  }

  private final String name;
  private final String type;
  private final Driver driver;
  private final ReconnectPolicy policy;
  private final Backoff backoff;
  private final Duration keepaliveInterval;
  private final Timers timers;
  private final AdapterMetrics metrics;
  private final HealthEvaluator health;
  private final Consumer<AdapterEvent> emit;

  private final Object lifecycle = new Object();
  private final Object linkLock = new Object();
  private final AtomicReference<ConnectionState> state =
      new AtomicReference<>(ConnectionState.DISCONNECTED);
  private final AtomicBoolean keepaliveRunning = new AtomicBoolean();

  // Guarded by linkLock.
  private long generation;
  private boolean currentLost;

  private volatile ConnectTarget target;
  private volatile Runnable cancelKeepalive;
  private volatile Runnable cancelReconnect;
  private volatile long loop;

  ConnectionWatchdog(
      String name,
      String type,
      Driver driver,
      ReconnectPolicy policy,
      Duration keepaliveInterval,
      Timers timers,
      AdapterMetrics metrics,
      HealthEvaluator health,
      Consumer<AdapterEvent> emit) {
    this.name = name;
    this.type = type;
    this.driver = driver;
    this.policy = policy;
    this.backoff = Backoff.of(policy);
    this.keepaliveInterval = keepaliveInterval;
    this.timers = timers;
    this.metrics = metrics;
    this.health = health;
    this.emit = emit;
  }

  ConnectionState state() {
    return state.get();
  }

  Optional<ConnectTarget> target() {
    return Optional.ofNullable(target);
  }

  /** The generation of the link being brought up or in use. */
  long generation() {
    synchronized (linkLock) {
      return generation;
    }
  }

  /**
   * Connects, or ends an outage now. Does nothing when connected.
   *
   * @throws IllegalStateException when closed
   * @throws RuntimeException the mapped login failure
   */
  void connect(ConnectTarget newTarget) {
    synchronized (lifecycle) {
      ConnectionState now = state.get();
      if (now == ConnectionState.CLOSED) {
        throw new IllegalStateException("[" + name + "] adapter is closed");
      }
      if (now == ConnectionState.CONNECTED) {
        return;
      }
      boolean outage = now == ConnectionState.RECONNECTING;
      target = newTarget;
      if (!outage) {
        moveTo(
            ConnectionState.CONNECTING,
            "connecting to " + newTarget.host() + ":" + newTarget.port());
      }
      try {
        linkUp(newTarget, outage, outage ? "reconnected on connect()" : null);
      } catch (Exception e) {
        driver.close();
        RuntimeException mapped = driver.connectFailure(e, newTarget);
        if (outage) {
          // The reconnect loop is still scheduled and goes on.
          log.warn("[{}] connect() during an outage failed: {}", name, mapped.getMessage());
        } else {
          moveTo(ConnectionState.ERROR, mapped.getMessage());
        }
        throw mapped;
      }
    }
  }

  /** Closes the link on request and ends every call. Does nothing when not connected. */
  void disconnect(Consumer<HangupCause> beforeClose) {
    synchronized (lifecycle) {
      ConnectionState now = state.get();
      if (now == ConnectionState.CLOSED || now == ConnectionState.DISCONNECTED) {
        return;
      }
      shutdown(
          beforeClose,
          "the adapter was disconnected",
          HangupCause.ADAPTER_CLOSED.withText("adapter disconnected"));
      moveTo(ConnectionState.DISCONNECTED, "disconnected on request");
    }
  }

  /** Closes for good. Returns false if already closed. */
  boolean close(Consumer<HangupCause> beforeClose) {
    synchronized (lifecycle) {
      if (state.get() == ConnectionState.CLOSED) {
        return false;
      }
      shutdown(beforeClose, "the adapter was closed", HangupCause.ADAPTER_CLOSED);
      moveTo(ConnectionState.CLOSED, "closed");
      return true;
    }
  }

  private void shutdown(Consumer<HangupCause> beforeClose, String why, HangupCause cause) {
    stopKeepalive();
    stopReconnect();
    if (state.get() == ConnectionState.CONNECTED) {
      beforeClose.accept(cause);
    }
    synchronized (linkLock) {
      // Whatever the closing link reports from now on is stale.
      generation++;
      currentLost = true;
    }
    driver.close();
    driver.linkDown(why);
    driver.giveUp(cause);
  }

  /**
   * The link of {@code linkGeneration} was lost. Safe from any thread; returns at once.
   *
   * @param linkGeneration the generation of the link that was lost
   * @param cause why
   */
  void lost(long linkGeneration, Throwable cause) {
    String why = driver.redact(cause == null ? "link lost" : String.valueOf(cause.getMessage()));
    ConnectionState next;
    synchronized (linkLock) {
      if (linkGeneration != generation || currentLost) {
        log.debug("[{}] stale or repeated link loss ignored: {}", name, why);
        return;
      }
      currentLost = true;
      if (state.get() != ConnectionState.CONNECTED) {
        // Lost while being brought up: the attempt sees it and fails.
        log.debug("[{}] link lost while logging in: {}", name, why);
        return;
      }
      next = policy.enabled() ? ConnectionState.RECONNECTING : ConnectionState.ERROR;
      moveTo(next, "connection lost: " + why);
    }
    stopKeepalive();
    driver.linkDown("connection lost: " + why);
    if (next == ConnectionState.RECONNECTING) {
      log.warn("[{}] connection lost ({}); reconnecting", name, why);
      scheduleReconnect(1, loop);
    } else {
      log.warn("[{}] connection lost ({}); reconnect is disabled", name, why);
      timers.schedule(
          () -> {
            synchronized (lifecycle) {
              driver.close();
              driver.giveUp(HangupCause.CONNECTION_LOST);
            }
          },
          Duration.ZERO);
    }
  }

  /** The one path that brings a link up. Called holding {@code lifecycle}. */
  private void linkUp(ConnectTarget t, boolean outage, String reconnectReason) throws Exception {
    if (outage) {
      driver.close();
    }
    long gen;
    synchronized (linkLock) {
      gen = ++generation;
      currentLost = false;
    }
    driver.open(t);
    checkStillCurrent(gen);
    Optional<List<CallSnapshot>> snapshot = outage ? driver.resync() : Optional.empty();
    synchronized (linkLock) {
      checkStillCurrent(gen);
      health.linkUp();
      moveTo(
          ConnectionState.CONNECTED,
          reconnectReason != null ? reconnectReason : "connected to " + t.host() + ":" + t.port());
    }
    stopReconnect();
    if (outage) {
      metrics.reconnected();
      log.info("[{}] reconnected to {}:{}", name, t.host(), t.port());
    }
    snapshot.ifPresent(driver::applyResync);
    startKeepalive(gen);
  }

  private void checkStillCurrent(long gen) {
    synchronized (linkLock) {
      if (gen != generation || currentLost) {
        throw new AdapterConnectionException("[" + name + "] the link was lost while logging in");
      }
    }
  }

  private void scheduleReconnect(int attempt, long loopId) {
    Duration delay = backoff.delay(attempt);
    log.debug("[{}] reconnect attempt {} in {} ms", name, attempt, delay.toMillis());
    cancelReconnect = timers.schedule(() -> reconnect(attempt, loopId), delay);
  }

  private void reconnect(int attempt, long loopId) {
    synchronized (lifecycle) {
      if (loopId != loop || state.get() != ConnectionState.RECONNECTING) {
        return;
      }
      ConnectTarget t = target;
      try {
        linkUp(t, true, "reconnected after " + attempt + " attempt(s)");
      } catch (AuthenticationException e) {
        log.error("[{}] reconnect refused: credentials rejected; giving up", name);
        driver.close();
        moveTo(ConnectionState.ERROR, "authentication failed on reconnect");
        driver.giveUp(HangupCause.CONNECTION_LOST);
      } catch (Exception e) {
        driver.close();
        int max = policy.maxAttempts();
        if (max > 0 && attempt >= max) {
          log.error(
              "[{}] reconnect failed {} times; giving up: {}",
              name,
              attempt,
              driver.redact(String.valueOf(e.getMessage())));
          moveTo(ConnectionState.ERROR, "reconnect failed " + attempt + " times");
          driver.giveUp(HangupCause.CONNECTION_LOST);
        } else {
          log.warn(
              "[{}] reconnect attempt {} failed: {}",
              name,
              attempt,
              driver.redact(String.valueOf(e.getMessage())));
          scheduleReconnect(attempt + 1, loopId);
        }
      }
    }
  }

  private void stopReconnect() {
    loop++;
    Runnable r = cancelReconnect;
    if (r != null) {
      r.run();
      cancelReconnect = null;
    }
  }

  private void startKeepalive(long gen) {
    stopKeepalive();
    scheduleKeepalive(gen);
  }

  private void scheduleKeepalive(long gen) {
    cancelKeepalive =
        timers.schedule(
            () -> {
              if (keepaliveOnce(gen)) {
                scheduleKeepalive(gen);
              }
            },
            keepaliveInterval);
  }

  /** Runs one keepalive on the link of {@code gen}; returns whether the next one is due. */
  private boolean keepaliveOnce(long gen) {
    synchronized (linkLock) {
      if (gen != generation || currentLost || state.get() != ConnectionState.CONNECTED) {
        return false;
      }
    }
    if (!keepaliveRunning.compareAndSet(false, true)) {
      return true;
    }
    long start = System.nanoTime();
    try {
      health.keepaliveStarted();
      driver.keepalive();
      health.keepaliveSucceeded(System.nanoTime() - start);
      metrics.requestLatency(System.nanoTime() - start);
      return true;
    } catch (Exception e) {
      health.keepaliveFailed();
      lost(gen, new AdapterConnectionException("keepalive failed: " + e.getMessage(), e));
      return false;
    } finally {
      keepaliveRunning.set(false);
    }
  }

  private void stopKeepalive() {
    Runnable k = cancelKeepalive;
    if (k != null) {
      k.run();
      cancelKeepalive = null;
    }
  }

  private void moveTo(ConnectionState next, String reason) {
    ConnectionState prev = state.getAndSet(next);
    if (prev != next) {
      emit.accept(new ConnectionStateChanged(name, type, Instant.now(), prev, next, reason));
    }
  }
}
