package org.sipadapter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.sipadapter.config.HealthThresholds;
import org.sipadapter.config.Redaction;

/**
 * Computes the health report from recent facts only (see docs/overview.md, "Health"):
 *
 * <ul>
 *   <li>the link: not {@code CONNECTED} is {@code CRITICAL};
 *   <li>liveness: a keepalive unanswered for longer than the request timeout is {@code CRITICAL} (a
 *       frozen server); a failed keepalive, or no reply and no event from the server for two
 *       keepalive intervals plus the request timeout, is {@code DEGRADED};
 *   <li>the server probe ({@code doHealthDetails}): failing or unanswered within the request
 *       timeout is {@code DEGRADED};
 *   <li>requests of the last 60 s (at most the last 256): any timeout is {@code DEGRADED}, and so
 *       is an average latency above the threshold;
 *   <li>outbound calls finished in the last 60 s (at most the last 256), once there are enough of
 *       them: a success rate below the thresholds is {@code DEGRADED} or {@code CRITICAL}.
 * </ul>
 *
 * <p>Thread-safe; the recording methods are cheap and called on hot paths.
 */
final class HealthEvaluator {
  static final Duration WINDOW = Duration.ofSeconds(60);
  static final int WINDOW_SAMPLES = 256;

  private final HealthThresholds thresholds;
  private final Duration keepaliveInterval;
  private final Duration requestTimeout;
  private final LongSupplier nanoTime;
  private final RecentWindow requests;
  private final RecentWindow calls;
  private volatile long lastActivityNanos;
  private volatile long keepaliveSinceNanos;
  private volatile boolean lastKeepaliveFailed;

  HealthEvaluator(
      HealthThresholds thresholds,
      Duration keepaliveInterval,
      Duration requestTimeout,
      LongSupplier nanoTime) {
    this.thresholds = thresholds;
    this.keepaliveInterval = keepaliveInterval;
    this.requestTimeout = requestTimeout;
    this.nanoTime = nanoTime;
    this.requests = new RecentWindow(WINDOW_SAMPLES, WINDOW.toNanos(), nanoTime);
    this.calls = new RecentWindow(WINDOW_SAMPLES, WINDOW.toNanos(), nanoTime);
    this.lastActivityNanos = nanoTime.getAsLong();
  }

  /** The server said something: a reply, an event, a successful keepalive. */
  void serverActive() {
    lastActivityNanos = nanoTime.getAsLong();
  }

  /** A link came up: liveness starts afresh. */
  void linkUp() {
    lastActivityNanos = nanoTime.getAsLong();
    keepaliveSinceNanos = 0;
    lastKeepaliveFailed = false;
  }

  void requestSucceeded(long latencyNanos) {
    serverActive();
    requests.record(RecentWindow.Outcome.OK, latencyNanos);
  }

  void requestFailed() {
    requests.record(RecentWindow.Outcome.FAILED, 0);
  }

  void requestTimedOut() {
    requests.record(RecentWindow.Outcome.TIMED_OUT, 0);
  }

  void keepaliveStarted() {
    keepaliveSinceNanos = nanoTime.getAsLong();
  }

  void keepaliveSucceeded(long latencyNanos) {
    keepaliveSinceNanos = 0;
    lastKeepaliveFailed = false;
    requestSucceeded(latencyNanos);
  }

  void keepaliveFailed() {
    keepaliveSinceNanos = 0;
    lastKeepaliveFailed = true;
  }

  /** An outbound call ended: answered or not. */
  void callFinished(boolean answered) {
    calls.record(answered ? RecentWindow.Outcome.OK : RecentWindow.Outcome.FAILED, 0);
  }

  /**
   * Builds the report.
   *
   * @param name the adapter's name
   * @param type its type
   * @param link the connection state now
   * @param serverVersion the server's version
   * @param activeCalls live calls
   * @param details the adapter's server probe, run only when connected
   * @param probeExecutor where the probe runs, so a frozen server cannot block the caller for more
   *     than the request timeout
   * @param redact masks secrets in a message
   * @return the report
   */
  HealthReport evaluate(
      String name,
      String type,
      ConnectionState link,
      String serverVersion,
      long activeCalls,
      Supplier<Map<String, Object>> details,
      Executor probeExecutor,
      UnaryOperator<String> redact) {
    long now = nanoTime.getAsLong();
    List<String> reasons = new ArrayList<>();
    HealthStatus status = HealthStatus.HEALTHY;
    if (link != ConnectionState.CONNECTED) {
      status = HealthStatus.CRITICAL;
      reasons.add("not connected (" + link + ")");
    } else {
      long since = keepaliveSinceNanos;
      if (since != 0 && now - since > requestTimeout.toNanos()) {
        status = HealthStatus.CRITICAL;
        reasons.add(
            "server not answering: keepalive unanswered for " + millis(now - since) + " ms");
      }
      if (lastKeepaliveFailed) {
        status = worse(status, HealthStatus.DEGRADED);
        reasons.add("the last keepalive failed");
      }
      long silent = now - lastActivityNanos;
      long silentLimit = keepaliveInterval.multipliedBy(2).plus(requestTimeout).toNanos();
      if (silent > silentLimit) {
        status = worse(status, HealthStatus.DEGRADED);
        reasons.add("no reply or event from the server for " + millis(silent) + " ms");
      }
    }
    RecentWindow.Figures req = requests.figures();
    if (req.timedOut() > 0) {
      status = worse(status, HealthStatus.DEGRADED);
      reasons.add(req.timedOut() + " of " + req.count() + " requests in the last 60 s timed out");
    }
    if (req.avgLatencyMs() > thresholds.degradedLatencyMs()) {
      status = worse(status, HealthStatus.DEGRADED);
      reasons.add(
          String.format(
              "average request latency %.1f ms (last %d requests, 60 s) above %d ms",
              req.avgLatencyMs(), req.count(), thresholds.degradedLatencyMs()));
    }
    RecentWindow.Figures c = calls.figures();
    double rate = c.successRate();
    if (c.count() >= thresholds.minCallsForRate()) {
      if (rate < thresholds.criticalSuccessRate()) {
        status = HealthStatus.CRITICAL;
        reasons.add(
            String.format(
                "call success rate %.2f (last %d calls, 60 s) below %.2f",
                rate, c.count(), thresholds.criticalSuccessRate()));
      } else if (rate < thresholds.degradedSuccessRate()) {
        status = worse(status, HealthStatus.DEGRADED);
        reasons.add(
            String.format(
                "call success rate %.2f (last %d calls, 60 s) below %.2f",
                rate, c.count(), thresholds.degradedSuccessRate()));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    if (link == ConnectionState.CONNECTED) {
      CompletableFuture<Map<String, Object>> probe =
          CompletableFuture.supplyAsync(details, probeExecutor);
      try {
        Map<String, Object> d = probe.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        if (d != null) {
          out.putAll(d);
        }
      } catch (TimeoutException e) {
        probe.cancel(true);
        status = worse(status, HealthStatus.DEGRADED);
        reasons.add("server check got no answer within " + requestTimeout.toMillis() + " ms");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        status = worse(status, HealthStatus.DEGRADED);
        reasons.add("server check failed: " + redact.apply(String.valueOf(cause.getMessage())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        status = worse(status, HealthStatus.DEGRADED);
        reasons.add("server check interrupted");
      }
    }
    return new HealthReport(
        name,
        type,
        status,
        link,
        serverVersion,
        rate,
        req.avgLatencyMs(),
        activeCalls,
        reasons,
        Redaction.redactOptions(out),
        Instant.now());
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static HealthStatus worse(HealthStatus a, HealthStatus b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }
}
