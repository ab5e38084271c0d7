package org.sipadapter.tracking;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.transport.JsonRpcClient;

/**
 * The JSON-RPC-over-HTTP control link of a proxy adapter (Kamailio jsonrpcs, OpenSIPS mi_http):
 * HTTP has no connection to lose, so a network failure of a request is what says the link is lost.
 */
public final class ControlLink {

  private ControlLink() {}

  /**
   * The endpoint of the control link: {@code http://host:port<path>}, or https with TLS on.
   *
   * @param target the connect target
   * @param path the HTTP path, starting with {@code /}
   * @return the URI
   */
  public static URI uri(ConnectTarget target, String path) {
    return URI.create(
        (target.tls() ? "https" : "http") + "://" + target.host() + ":" + target.port() + path);
  }

  /**
   * Wraps a transport so that a request failing with a network error reports the link lost. A
   * timeout is not a network error: the server may just be slow, and the request tracker times the
   * request out.
   *
   * @param transport the HTTP transport
   * @param lost receives the failure, e.g. {@code e -> reportConnectionLost(generation, e)}
   * @return the watched transport
   */
  public static JsonRpcClient.HttpTransport watched(
      JsonRpcClient.HttpTransport transport, Consumer<Throwable> lost) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(lost, "lost");
    return (body, timeout) ->
        transport
            .post(body, timeout)
            .whenComplete(
                (reply, e) -> {
                  if (e != null && isNetworkFailure(e)) {
                    lost.accept(unwrap(e));
                  }
                });
  }

  /**
   * Tells whether a request failed on the network (refused, reset, closed), not by a timeout.
   *
   * @param e the failure, possibly wrapped in a {@link CompletionException}
   * @return true for a network failure
   */
  public static boolean isNetworkFailure(Throwable e) {
    Throwable c = unwrap(e);
    return c instanceof IOException
        && !(c instanceof InterruptedIOException)
        && !(c instanceof HttpTimeoutException);
  }

  /**
   * The cause inside a {@link CompletionException}.
   *
   * @param e the failure
   * @return its cause, or {@code e} itself
   */
  public static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /**
   * Waits for a request the adapter makes on a blocking path (connect, keepalive, health), throwing
   * its own exception rather than a wrapper.
   *
   * @param f the request
   * @param <T> the result type
   * @return the result
   */
  public static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
