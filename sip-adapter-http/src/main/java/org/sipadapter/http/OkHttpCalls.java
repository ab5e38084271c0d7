package org.sipadapter.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * How every OkHttp client in the SDK runs a call asynchronously and lets go of its threads: {@link
 * #toFuture} turns a {@link Call} into a {@link CompletableFuture}, {@link #release} frees an
 * {@link OkHttpClient}'s dispatcher and connection pool.
 *
 * <p>The failures a future sees are fixed here, once: OkHttp's timeouts (whole-call, connect, read
 * and write, all reported as {@link InterruptedIOException}) become {@link HttpTimeoutException}
 * with OkHttp's exception as cause; a call refused because its client was {@linkplain #release
 * released} is a plain {@link IOException}, never a timeout; any other {@link IOException} stays as
 * OkHttp reported it. Each caller then turns these into its own exceptions.
 */
public final class OkHttpCalls {

  private OkHttpCalls() {}

  /**
   * Makes a value of a received response.
   *
   * @param <T> the value type
   */
  @FunctionalInterface
  public interface ResponseReader<T> {
    /**
     * Reads the response. Runs on an OkHttp dispatcher thread; the response is closed when this
     * returns, so nothing of it may be kept for later.
     *
     * @param response the response, any status
     * @return the value the future completes with
     * @throws IOException if reading the body fails; it goes through the caller's failure mapping
     */
    T read(Response response) throws IOException;
  }

  /**
   * Enqueues the call and returns a future of what {@code reader} makes of its response.
   *
   * <ul>
   *   <li>A response is handed to {@code reader} and closed after it; the future completes only
   *       then, so what depends on it sees the connection back in the pool. A {@link
   *       RuntimeException} from the reader fails the future as it is.
   *   <li>An {@link IOException}, from OkHttp or from the reader, is first mapped as the class
   *       description says (timeouts become {@link HttpTimeoutException}), then handed to {@code
   *       failures}, whose result fails the future.
   *   <li>When the future completes exceptionally for any reason (cancelled, failed from outside as
   *       a caller's own deadline does, or failed by the call) the call is cancelled, which ends
   *       its exchange and frees its connection. A call cancelled through OkHttp fails the future
   *       with OkHttp's {@link IOException} (not a timeout).
   * </ul>
   *
   * <p>The future is completed on an OkHttp dispatcher thread; callers that do slow work on the
   * result should switch to their own executor.
   *
   * @param call a call not yet executed nor enqueued
   * @param reader turns the response into the result
   * @param failures turns the mapped {@link IOException} into the exception the future fails with;
   *     called at most once, on an OkHttp thread
   * @param <T> the result type
   * @return a future of the reader's result
   * @throws IllegalStateException if the call was already executed or enqueued
   */
  public static <T> CompletableFuture<T> toFuture(
      Call call,
      ResponseReader<? extends T> reader,
      Function<? super IOException, ? extends Throwable> failures) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(reader, "reader");
    Objects.requireNonNull(failures, "failures");
    CompletableFuture<T> future = new CompletableFuture<>();
    future.whenComplete(
        (v, e) -> {
          if (e != null) {
            call.cancel();
          }
        });
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            fail(future, c.request(), e, failures);
          }

          @Override
          public void onResponse(Call c, Response response) {
            T value;
            try (response) {
              value = reader.read(response);
            } catch (IOException e) {
              fail(future, c.request(), e, failures);
              return;
            } catch (RuntimeException e) {
              future.completeExceptionally(e);
              return;
            }
            future.complete(value);
          }
        });
    return future;
  }

  private static void fail(
      CompletableFuture<?> future,
      Request request,
      IOException e,
      Function<? super IOException, ? extends Throwable> failures) {
    Throwable mapped;
    try {
      mapped = Objects.requireNonNull(failures.apply(classify(request, e)), "failure mapping");
    } catch (RuntimeException bug) {
      mapped = bug;
    }
    future.completeExceptionally(mapped);
  }

  private static IOException classify(Request request, IOException e) {
    if (!(e instanceof InterruptedIOException)) {
      return e;
    }
    // OkHttp reports a dispatcher that no longer accepts work as "executor rejected", an
    // InterruptedIOException too; that is a released client, not a slow server.
    if (e.getCause() instanceof RejectedExecutionException) {
      IOException released =
          new IOException("the HTTP client was released; " + describe(request) + " was not sent");
      released.initCause(e);
      return released;
    }
    HttpTimeoutException t =
        new HttpTimeoutException("no HTTP answer to " + describe(request) + " in time");
    t.initCause(e);
    return t;
  }

  /** Method and URL without user info, query or fragment, which may carry credentials. */
  private static String describe(Request request) {
    HttpUrl url =
        request.url().newBuilder().username("").password("").query(null).fragment(null).build();
    return request.method() + " " + url;
  }

  /**
   * Stops the client's dispatcher threads and closes its idle pooled connections. Calls already
   * running go on to their end (so a last request sent while closing still arrives); calls enqueued
   * afterwards fail with an {@link IOException} saying the client was released. Clients made with
   * {@link OkHttpClient#newBuilder()} share the dispatcher and pool, so releasing one releases them
   * all. Never blocks on the network; idempotent. To end calls in flight as well, call {@code
   * client.dispatcher().cancelAll()} first.
   *
   * @param client the client to release
   */
  public static void release(OkHttpClient client) {
    Objects.requireNonNull(client, "client");
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
