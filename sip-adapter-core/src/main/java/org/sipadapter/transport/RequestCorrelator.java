package org.sipadapter.transport;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Matches replies to requests by id (AMI {@code ActionID}, ESL {@code Job-UUID}, JSON-RPC {@code
 * id}). Each request gets a future and its own timeout; when the link drops, {@link #failAll} fails
 * every pending future at once so callers never wait for a reply that cannot come.
 *
 * <p>Thread-safe: requests register on caller threads, replies complete on the reader thread.
 *
 * @param <K> the id type
 * @param <R> the reply type
 */
public final class RequestCorrelator<K, R> {
  private final Map<K, PendingReply<R>> pending = new ConcurrentHashMap<>();
  private final String what;

  /**
   * Creates a correlator.
   *
   * @param what what a request is called in timeout messages, such as {@code AMI action}
   */
  public RequestCorrelator(String what) {
    this.what = what;
  }

  /**
   * Registers a request before it is sent.
   *
   * @param id the request's id, unique among pending requests
   * @param description what the request was, for the timeout message (no secrets)
   * @param timeout how long to wait for the reply
   * @return a future completed with the reply, or failed with {@link
   *     org.sipadapter.AdapterTimeoutException} or the reason given to {@link #fail}/{@link
   *     #failAll}
   * @throws IllegalStateException if the id is already pending
   */
  public CompletableFuture<R> register(K id, String description, Duration timeout) {
    PendingReply<R> p = new PendingReply<>();
    if (pending.putIfAbsent(id, p) != null) {
      throw new IllegalStateException("request id already pending: " + id);
    }
    p.startTimer(
        () -> {
          if (pending.remove(id, p)) {
            p.fail(PendingReply.timeout(what, description, timeout));
          }
        },
        timeout);
    return p.future;
  }

  /**
   * Completes a request with its reply.
   *
   * @param id the request's id
   * @param reply the reply
   * @return true if a request was waiting for it; false for a late or unknown reply
   */
  public boolean complete(K id, R reply) {
    PendingReply<R> p = pending.remove(id);
    if (p == null) {
      return false;
    }
    p.complete(reply);
    return true;
  }

  /**
   * Fails one request.
   *
   * @param id the request's id
   * @param error the reason
   * @return true if a request was waiting
   */
  public boolean fail(K id, Throwable error) {
    PendingReply<R> p = pending.remove(id);
    if (p == null) {
      return false;
    }
    p.fail(error);
    return true;
  }

  /**
   * Fails every pending request, for example when the link drops.
   *
   * @param error the reason, typically an {@code AdapterConnectionException}
   * @return how many requests were failed
   */
  public int failAll(Throwable error) {
    int n = 0;
    for (K id : pending.keySet()) {
      if (fail(id, error)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Tells whether a request is waiting for a reply.
   *
   * @param id the request's id
   * @return true if pending
   */
  public boolean isPending(K id) {
    return pending.containsKey(id);
  }

  /**
   * Returns the number of requests waiting.
   *
   * @return pending requests
   */
  public int size() {
    return pending.size();
  }
}
