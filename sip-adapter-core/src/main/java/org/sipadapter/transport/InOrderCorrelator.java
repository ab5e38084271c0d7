package org.sipadapter.transport;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
  private final Deque<PendingReply<R>> queue = new ArrayDeque<>();
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
    PendingReply<R> p = new PendingReply<>();
    synchronized (this) {
      queue.addLast(p);
      try {
        writer.write();
      } catch (Exception e) {
        queue.remove(p);
        p.fail(e);
        return p.future;
      }
    }
    // A timed-out request stays queued as a placeholder (see the class comment).
    p.startTimer(
        () -> p.future.completeExceptionally(PendingReply.timeout(what, description, timeout)),
        timeout);
    return p.future;
  }

  /**
   * Hands the next reply to the oldest request.
   *
   * @param reply the reply
   * @return true if a request was waiting (even one that had timed out); false if none was
   */
  public boolean completeNext(R reply) {
    PendingReply<R> p;
    synchronized (this) {
      p = queue.pollFirst();
    }
    if (p == null) {
      return false;
    }
    p.complete(reply);
    return true;
  }

  /**
   * Fails every waiting request, for example when the link drops.
   *
   * @param error the reason
   * @return how many were failed
   */
  public int failAll(Throwable error) {
    List<PendingReply<R>> all;
    synchronized (this) {
      all = new ArrayList<>(queue);
      queue.clear();
    }
    for (PendingReply<R> p : all) {
      p.fail(error);
    }
    return all.size();
  }

  /**
   * Returns the number of requests waiting.
   *
   * @return queued requests, timed-out placeholders included
   */
  public synchronized int size() {
    return queue.size();
  }
}
