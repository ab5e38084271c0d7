package org.sipadapter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.sipadapter.spi.AdapterDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hangups core sends on its own, not asked for by the user: a ring timeout, an orphan (a call
 * core gave up on that the server still holds), and the adapter's own calls before a disconnect or
 * close, so nothing it started is left running on the server.
 */
final class ServerHangups {
  private static final Logger log = LoggerFactory.getLogger(ServerHangups.class);

  private final String name;
  private final AdapterDriver driver;
  private final ConnectionWatchdog watchdog;
  private final CallRegistry registry;
  private final CallStateMachine machine;
  private final Executor executor;
  private final Duration timeout;
  private final UnaryOperator<String> redact;

  ServerHangups(
      String name,
      AdapterDriver driver,
      ConnectionWatchdog watchdog,
      CallRegistry registry,
      CallStateMachine machine,
      Executor executor,
      Duration timeout,
      UnaryOperator<String> redact) {
    this.name = name;
    this.driver = driver;
    this.watchdog = watchdog;
    this.registry = registry;
    this.machine = machine;
    this.executor = executor;
    this.timeout = timeout;
    this.redact = redact;
  }

  /**
   * Hangs a call up over a live link, off the caller's thread (the hook may write to a socket, and
   * the caller may be a reader), bounded by the request timeout. Fails at once when not connected.
   */
  CompletableFuture<Void> hangupIfConnected(CallEntry call, HangupCause cause) {
    if (watchdog.state() != ConnectionState.CONNECTED) {
      return CompletableFuture.failedFuture(
          new AdapterConnectionException("[" + name + "] not connected"));
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            CompletableFuture<Void> h = driver.hangup(call, cause);
            if (h == null) {
              f.completeExceptionally(new IllegalStateException("hangup returned no future"));
            } else {
              h.whenComplete(
                  (v, e) -> {
                    if (e == null) {
                      f.complete(null);
                    } else {
                      f.completeExceptionally(e);
                    }
                  });
            }
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Before disconnect and close, while the link is still up: ends the outbound calls this adapter
   * placed (with the closing cause, so their terminal event does not depend on the server's
   * timing), then hangs them up on the server, waiting at most the request timeout for it to
   * accept. They stay given up until the server reports their end.
   */
  void hangUpOwnCalls(HangupCause cause) {
    List<CallEntry> own = new ArrayList<>();
    for (CallEntry c : registry.liveCalls()) {
      if (c.direction() == CallDirection.OUTBOUND) {
        machine.hangupRequested(c);
        machine.giveUp(c, CallState.DISCONNECTED, cause);
        own.add(c);
      }
    }
    if (own.isEmpty()) {
      return;
    }
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (CallEntry c : own) {
      pending.add(hangupIfConnected(c, HangupCause.NORMAL_CLEARING));
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn(
          "[{}] not every call could be hung up before closing: {}",
          name,
          redact.apply(String.valueOf(RequestTracker.unwrap(e).getMessage())));
    }
  }
}
