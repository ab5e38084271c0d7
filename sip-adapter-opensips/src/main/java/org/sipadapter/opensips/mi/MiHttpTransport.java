package org.sipadapter.opensips.mi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
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
import org.sipadapter.ProtocolException;
import org.sipadapter.transport.JsonRpcClient;

/**
 * The HTTP side of core's {@link JsonRpcClient} for OpenSIPS {@code mi_http}: one POST per request
 * on OkHttp, with two OpenSIPS-specific steps.
 *
 * <ul>
 *   <li><b>Named parameters.</b> Core's client writes positional {@code params}; several MI
 *       commands ({@code dlg_list}, {@code t_uac_dlg}, ...) accept only named ones, and {@code
 *       get_statistics} refuses a positional list. {@link OpenSipsMi} therefore passes exactly one
 *       map, which this transport turns into a {@code params} object; an empty list is dropped, so
 *       the body reads as the recorded ones: {@code {"jsonrpc":"2.0","method":"dlg_list","id":7}}.
 *   <li><b>HTTP errors.</b> mi_http answers an unknown path with {@code 400} and an HTML page;
 *       those replies become a {@link ProtocolException} that names {@code options.miPath}.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops OkHttp's dispatcher and evicts pooled connections.
 */
public final class MiHttpTransport implements JsonRpcClient.HttpTransport, AutoCloseable {

  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OkHttpClient http;
  private final String url;

  /**
   * Creates the transport.
   *
   * @param uri the endpoint, e.g. {@code http://127.0.0.1:8888/mi}
   * @param connectTimeout the TCP connect timeout
   */
  public MiHttpTransport(URI uri, Duration connectTimeout) {
    this.url = Objects.requireNonNull(uri, "uri").toString();
    this.http =
        new OkHttpClient.Builder()
            .connectTimeout(connectTimeout)
            .retryOnConnectionFailure(false)
            .build();
  }

  @Override
  public CompletableFuture<JsonRpcClient.HttpReply> post(byte[] body, Duration timeout) {
    byte[] named;
    try {
      named = namedParams(body);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("bad MI request", e));
    }
    Call call =
        http.newCall(
            new Request.Builder().url(url).post(RequestBody.create(named, JSON_TYPE)).build());
    // The JSON-RPC client's own deadline fires first and cancels the call through the future.
    call.timeout().timeout(timeout.toNanos() + 500_000_000L, TimeUnit.NANOSECONDS);
    CompletableFuture<JsonRpcClient.HttpReply> result = new CompletableFuture<>();
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
            result.completeExceptionally(
                e instanceof InterruptedIOException
                    ? new HttpTimeoutException("no HTTP answer from mi_http in time")
                    : e);
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (ResponseBody rb = response.body()) {
              byte[] bytes = rb == null ? new byte[0] : rb.bytes();
              String type = response.header("Content-Type", "");
              if (response.code() != 200 && !type.startsWith("application/json")) {
                result.completeExceptionally(httpError(response.code()));
              } else {
                result.complete(new JsonRpcClient.HttpReply(response.code(), bytes));
              }
            } catch (IOException e) {
              result.completeExceptionally(e);
            }
          }
        });
    return result;
  }

  private ProtocolException httpError(int status) {
    String hint =
        switch (status) {
          case 400 ->
              "check options.miPath: it must be / plus mi_http's root parameter (default /mi)";
          case 404 -> "nothing serves this path: is mi_http loaded, and is options.miPath right?";
          case 405 -> "mi_http accepts POST only";
          default -> "is this the httpd port of OpenSIPS?";
        };
    return new ProtocolException(
        "OpenSIPS MI at " + url + " answered HTTP " + status + ": " + hint);
  }

  /** Rewrites {@code "params":[{...}]} to {@code "params":{...}} and drops {@code "params":[]}. */
  static byte[] namedParams(byte[] body) throws IOException {
    JsonNode root = JSON.readTree(body);
    if (!(root instanceof ObjectNode req)) {
      return body;
    }
    JsonNode params = req.get("params");
    if (params == null || !params.isArray()) {
      return body;
    }
    if (params.isEmpty()) {
      req.remove("params");
    } else if (params.size() == 1 && params.get(0).isObject()) {
      req.set("params", params.get(0));
    } else {
      throw new IOException("MI requests take one map of named params, not positional params");
    }
    return JSON.writeValueAsBytes(req);
  }

  /** Shuts OkHttp's dispatcher and evicts pooled connections; never blocks on the network. */
  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
