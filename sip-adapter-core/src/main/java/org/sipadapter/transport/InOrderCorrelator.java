package org.sipadapter.transport;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.sipadapter.AdapterTimeoutException;

/**
 * Matches replies to requests for protocols that answer strictly in order and carry no id (ESL
 * {@code api} and command replies). The caller must register and write under one lock so the queue
 * order equals the wire order: use {@link #sendInOrder}.
 *
 * <p>A request that times out stays in the queue as a placeholder, so the late reply still lines up
 * with it and is discarded instead of being handed to the next request.
 *
 * @param <R> the reply type
 */
public final class InOrderCorrelator<R> {
  private final Deque<Pending<R>> queue = new ArrayDeque<>();
  private final String what;

  /**
   * Creates a correlator.
   *
   * @param what what a request is called in timeout messages, such as {@code ESL command}
   */
  public InOrderCorrelator(String what) {
    this.what = what;
  }

  /** Writes one request to the wire. */
  @FunctionalInterface
  public interface Writer {
    /**
     * Writes the request.
     *
     * @throws Exception if the write fails; the request is then failed with it
     */
    void write() throws Exception;
  }

  /**
   * Registers a request and writes it, atomically with respect to other requests.
   *
   * @param description what the request was, for the timeout message (no secrets)
   * @param timeout how long to wait for the reply
   * @param writer writes the request
   * @return a future for the reply
   */
  public CompletableFuture<R> sendInOrder(String description, Duration timeout, Writer writer) {
    CompletableFuture<R> future = new CompletableFuture<>();
    Pending<R> p = new Pending<>(future);
    synchronized (this) {
      queue.addLast(p);
      try {
        writer.write();
      } catch (Exception e) {
        queue.remove(p);
        future.completeExceptionally(e);
        return future;
      }
    }
    p.timer =
        Schedulers.timer()
            .schedule(
                () ->
                    future.completeExceptionally(
                        new AdapterTimeoutException(
                            what
                                + " '"
                                + description
                                + "' got no reply within "
                                + timeout.toMillis()
                                + " ms")),
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    return future;
  }

  /**
   * Hands the next reply to the oldest request.
   *
   * @param reply the reply
   * @return true if a request was waiting (even one that had timed out); false if none was
   */
  public boolean completeNext(R reply) {
    Pending<R> p;
    synchronized (this) {
      p = queue.pollFirst();
    }
    if (p == null) {
      return false;
    }
    p.cancelTimer();
    p.future.complete(reply);
    return true;
  }

  /**
   * Fails every waiting request, for example when the link drops.
   *
   * @param error the reason
   * @return how many were failed
   */
  public int failAll(Throwable error) {
    Pending<R>[] all;
    synchronized (this) {
      @SuppressWarnings("unchecked")
      Pending<R>[] arr = queue.toArray(new Pending[0]);
      all = arr;
      queue.clear();
    }
    for (Pending<R> p : all) {
      p.cancelTimer();
      p.future.completeExceptionally(error);
    }
    return all.length;
  }

  /**
   * Returns the number of requests waiting.
   *
   * @return queued requests, timed-out placeholders included
   */
  public synchronized int size() {
    return queue.size();
  }

  private static final class Pending<R> {
    final CompletableFuture<R> future;
    volatile ScheduledFuture<?> timer;

    Pending(CompletableFuture<R> future) {
      this.future = future;
    }

    void cancelTimer() {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }
  }
}
