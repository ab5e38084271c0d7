package org.sipadapter;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sipadapter.metrics.AdapterMetrics;

/**
 * The one timeout of every request an adapter sends for a public operation.
 *
 * <p>{@link #timed} runs a hook and bounds its future by the request timeout; the result is
 * completed on a worker (never on a socket reader), measured, and failed at once by {@link
 * #failAll} when the link drops. Outcomes feed the health window.
 */
final class RequestTracker {
  private final String name;
  private final Duration timeout;
  private final AdapterMetrics metrics;
  private final HealthEvaluator health;
  private final Executor completions;
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

  RequestTracker(
      String name,
      Duration timeout,
      AdapterMetrics metrics,
      HealthEvaluator health,
      Executor completions) {
    this.name = name;
    this.timeout = timeout;
    this.metrics = metrics;
    this.health = health;
    this.completions = completions;
  }

  /** A hook that sends one request. */
  @FunctionalInterface
  interface Hook<T> {
    CompletableFuture<T> call() throws Exception;
  }

  /** Runs a hook, measures it and bounds it by the request timeout. */
  <T> CompletableFuture<T> timed(String what, Hook<T> hook) {
    long start = System.nanoTime();
    CompletableFuture<T> f;
    try {
      f = hook.call();
    } catch (Exception e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (f == null) {
      f = CompletableFuture.failedFuture(new IllegalStateException(what + " returned no future"));
    }
    // Mirrored into a future this class can fail when the link drops, so callers learn at once.
    CompletableFuture<T> guarded = new CompletableFuture<>();
    f.whenComplete(
        (v, e) -> {
          if (e == null) {
            guarded.complete(v);
          } else {
            guarded.completeExceptionally(e);
          }
        });
    inFlight.add(guarded);
    guarded.whenComplete((v, e) -> inFlight.remove(guarded));
    return guarded
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .handleAsync(
            (v, e) -> {
              if (e == null) {
                long took = System.nanoTime() - start;
                metrics.requestLatency(took);
                health.requestSucceeded(took);
                return v;
              }
              Throwable cause = unwrap(e);
              if (cause instanceof TimeoutException) {
                health.requestTimedOut();
                cause =
                    new AdapterTimeoutException(
                        "["
                            + name
                            + "] "
                            + what
                            + " got no answer within "
                            + timeout.toMillis()
                            + " ms");
              } else if (cause instanceof AdapterConnectionException) {
                health.requestFailed();
              } else {
                // The server answered, with a refusal: it is alive.
                health.serverActive();
              }
              throw new CompletionException(cause);
            },
            completions);
  }

  /** Fails the requests still waiting for the server, so no caller waits for a dead link. */
  void failAll(String why) {
    for (CompletableFuture<?> f : List.copyOf(inFlight)) {
      f.completeExceptionally(new AdapterConnectionException("[" + name + "] " + why));
    }
  }

  /** Waits for a public operation's future, at most the request timeout plus a second. */
  <T> T await(CompletableFuture<T> f) {
    Duration limit = timeout.plusSeconds(1);
    try {
      return f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable c = unwrap(e);
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new SipAdapterException("[" + name + "] " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new AdapterTimeoutException(
          "[" + name + "] no answer within " + limit.toMillis() + " ms", e);
    } catch (CancellationException e) {
      throw new SipAdapterException("[" + name + "] request cancelled", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SipAdapterException("[" + name + "] interrupted while waiting", e);
    }
  }

  static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
