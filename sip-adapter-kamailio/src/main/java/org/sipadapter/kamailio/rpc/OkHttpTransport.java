package org.sipadapter.kamailio.rpc;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.sipadapter.transport.JsonRpcClient;

/**
 * The HTTP side of core's {@link JsonRpcClient} on OkHttp: one POST per request to Kamailio's
 * {@code jsonrpcs} endpoint, with a whole-call timeout per request (Kamailio never answers
 * malformed JSON, so the client must give up by itself).
 *
 * <p>Thread-safe. {@link #close()} releases OkHttp's connection pool and dispatcher threads.
 */
public final class OkHttpTransport implements JsonRpcClient.HttpTransport, AutoCloseable {

  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient http;
  private final String url;
  private final Map<String, String> headers;

  /**
   * Creates the transport.
   *
   * @param uri the endpoint, e.g. {@code http://127.0.0.1:5060/RPC}
   * @param connectTimeout the TCP connect timeout
   * @param headers extra headers for every request, e.g. an {@code Authorization} header checked by
   *     the routing script; values are never logged
   */
  public OkHttpTransport(URI uri, Duration connectTimeout, Map<String, String> headers) {
    this.url = Objects.requireNonNull(uri, "uri").toString();
    this.headers = Map.copyOf(headers);
    this.http =
        new OkHttpClient.Builder()
            .connectTimeout(connectTimeout)
            .retryOnConnectionFailure(false)
            .build();
  }

  @Override
  public CompletableFuture<JsonRpcClient.HttpReply> post(byte[] body, Duration timeout) {
    Request.Builder rb = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
    headers.forEach(rb::header);
    Call call = http.newCall(rb.build());
    // A little longer than the client's own deadline, which fires first and cancels the call.
    call.timeout().timeout(timeout.toNanos() + 500_000_000L, TimeUnit.NANOSECONDS);
    CompletableFuture<JsonRpcClient.HttpReply> result = new CompletableFuture<>();
    // Cancelling the future (e.g. by the client's own timeout) cancels the HTTP call.
    result.whenComplete(
        (r, e) -> {
          if (e != null) {
            call.cancel();
          }
        });
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            if (e instanceof InterruptedIOException) {
              result.completeExceptionally(new HttpTimeoutException("no HTTP answer in time"));
            } else {
              result.completeExceptionally(e);
            }
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (ResponseBody rbody = response.body()) {
              byte[] bytes = rbody == null ? new byte[0] : rbody.bytes();
              result.complete(new JsonRpcClient.HttpReply(response.code(), bytes));
            } catch (IOException e) {
              result.completeExceptionally(e);
            }
          }
        });
    return result;
  }

  /** Shuts OkHttp's dispatcher and evicts pooled connections; never blocks on the network. */
  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
