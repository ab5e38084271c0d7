package org.sipadapter.transport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.SipAdapterException;

/** Waiting for a reply inside an adapter's blocking steps (login, subscribe, keepalive). */
public final class Futures {
  private Futures() {}

  /**
   * Waits for a future. On timeout the future is cancelled; a failure is rethrown as the exception
   * it failed with, so callers see the adapter's own exception types.
   *
   * @param f the future
   * @param timeout how long to wait
   * @param what what the reply answers, for the timeout message (such as {@code FreeSWITCH auth})
   * @param <T> the reply type
   * @return the reply
   * @throws AdapterTimeoutException if no reply came within {@code timeout}
   * @throws AdapterConnectionException if the waiting thread was interrupted
   * @throws RuntimeException the exception the future failed with
   */
  public static <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new AdapterTimeoutException(
          what + " got no answer within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdapterConnectionException("interrupted while waiting for " + what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new SipAdapterException(what + " failed: " + cause, cause);
    }
  }
}
