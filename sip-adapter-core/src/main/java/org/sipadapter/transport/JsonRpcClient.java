package org.sipadapter.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC 2.0 over HTTP client shared by the Kamailio and OpenSIPS adapters: positional params
 * ({@link #call(Duration, String, List)}) or named ones ({@link #callNamed(Duration, String,
 * Map)}), numeric ids, a timeout per call enforced by the client itself (Kamailio never answers
 * malformed JSON), and errors turned into exceptions.
 *
 * <p>The HTTP part is a {@link HttpTransport}, so an adapter can bring its own HTTP client; {@link
 * #jdkTransport} is the default. Thread-safe.
 */
public final class JsonRpcClient {
  private static final Logger log = LoggerFactory.getLogger(JsonRpcClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One HTTP reply: status and body bytes. */
  public record HttpReply(int status, byte[] body) {}

  /** Posts a JSON body and returns the reply. */
  @FunctionalInterface
  public interface HttpTransport {
    /**
     * Posts the body.
     *
     * @param body the JSON request
     * @param timeout how long the exchange may take
     * @return the reply; failed with an {@link IOException} (or its subclasses) on network errors
     */
    CompletableFuture<HttpReply> post(byte[] body, Duration timeout);
  }

  private final String name;
  private final HttpTransport transport;
  private final Duration defaultTimeout;
  private final LongConsumer latencyNanos;
  private final AtomicLong ids = new AtomicLong();

  /**
   * Creates a client.
   *
   * @param name a label for logs, such as {@code kamailio-edge-1}
   * @param transport the HTTP transport
   * @param defaultTimeout the timeout of {@link #call(String, Object...)}
   * @param latencyNanos receives each answered call's round trip time (for metrics)
   */
  public JsonRpcClient(
      String name, HttpTransport transport, Duration defaultTimeout, LongConsumer latencyNanos) {
    this.name = Objects.requireNonNull(name, "name");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    this.latencyNanos = Objects.requireNonNull(latencyNanos, "latencyNanos");
  }

  /**
   * Builds the default transport on the JDK's HTTP client.
   *
   * @param uri the endpoint, such as {@code http://127.0.0.1:5060/RPC}
   * @param connectTimeout the TCP connect timeout
   * @param headers extra headers for every request (an auth header, say); values never logged
   * @return the transport
   */
  public static HttpTransport jdkTransport(
      URI uri, Duration connectTimeout, Map<String, String> headers) {
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    return (body, timeout) -> {
      HttpRequest.Builder rb =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach(rb::header);
      return http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofByteArray())
          .thenApply(r -> new HttpReply(r.statusCode(), r.body()));
    };
  }

  /**
   * Calls a method with the default timeout.
   *
   * @param method the method, such as {@code dlg.list}
   * @param params positional params: strings, numbers, booleans
   * @return the {@code result} node; failed with {@link JsonRpcException}, {@link
   *     AdapterTimeoutException}, {@link AdapterConnectionException} or {@link ProtocolException}
   */
  public CompletableFuture<JsonNode> call(String method, Object... params) {
    return call(defaultTimeout, method, Arrays.asList(params));
  }

  /**
   * Calls a method.
   *
   * @param timeout how long to wait for the answer
   * @param method the method
   * @param params positional params
   * @return the {@code result} node, or a failed future as for {@link #call(String, Object...)}
   */
  public CompletableFuture<JsonNode> call(Duration timeout, String method, List<?> params) {
    ObjectNode req = JSON.createObjectNode();
    req.put("jsonrpc", "2.0");
    req.put("method", method);
    ArrayNode p = req.putArray("params");
    for (Object o : params) {
      p.addPOJO(o);
    }
    return send(timeout, method, req);
  }

  /**
   * Calls a method with named params and the default timeout.
   *
   * @param method the method, such as {@code dlg_list}
   * @param params named params as for {@link #callNamed(Duration, String, Map)}
   * @return the {@code result} node, or a failed future as for {@link #call(String, Object...)}
   */
  public CompletableFuture<JsonNode> callNamed(String method, Map<String, ?> params) {
    return callNamed(defaultTimeout, method, params);
  }

  /**
   * Calls a method with named params: {@code params} is written as a JSON object in the map's
   * iteration order, and left out of the request entirely when the map is empty, e.g. {@code
   * {"jsonrpc":"2.0","method":"dlg_list","id":7}} (the form OpenSIPS MI expects).
   *
   * @param timeout how long to wait for the answer
   * @param method the method
   * @param params names (non-null) to values that Jackson can write: strings, numbers, booleans,
   *     lists, maps, or null; the map is read before this method returns
   * @return the {@code result} node, or a failed future as for {@link #call(String, Object...)}
   */
  public CompletableFuture<JsonNode> callNamed(
      Duration timeout, String method, Map<String, ?> params) {
    Objects.requireNonNull(params, "params");
    ObjectNode req = JSON.createObjectNode();
    req.put("jsonrpc", "2.0");
    req.put("method", method);
    if (!params.isEmpty()) {
      ObjectNode p = req.putObject("params");
      params.forEach((k, v) -> p.putPOJO(Objects.requireNonNull(k, "param name"), v));
    }
    return send(timeout, method, req);
  }

  private CompletableFuture<JsonNode> send(Duration timeout, String method, ObjectNode req) {
    long id = ids.incrementAndGet();
    req.put("id", id);
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(req);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("params of " + method + " cannot be written as JSON", e));
    }
    long start = System.nanoTime();
    log.debug("[{}] -> {} id={}", name, method, id);
    CompletableFuture<HttpReply> sent;
    try {
      sent = transport.post(body, timeout);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .handle(
            (reply, error) -> {
              if (error != null) {
                throw new CompletionException(mapError(method, timeout, unwrap(error)));
              }
              latencyNanos.accept(System.nanoTime() - start);
              return parse(method, id, reply);
            });
  }

  /**
   * Calls a method and waits for the answer.
   *
   * @param method the method
   * @param params positional params
   * @return the {@code result} node
   * @throws JsonRpcException if the server answered with an error
   * @throws AdapterTimeoutException if it did not answer in time
   * @throws AdapterConnectionException if it cannot be reached
   */
  public JsonNode callSync(String method, Object... params) {
    try {
      return call(method, params).join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw e;
    }
  }

  private JsonNode parse(String method, long id, HttpReply reply) {
    JsonNode root;
    try {
      root = JSON.readTree(reply.body());
    } catch (IOException e) {
      throw new ProtocolException(
          "JSON-RPC " + method + ": HTTP " + reply.status() + " with a body that is not JSON", e);
    }
    if (root == null || !root.isObject()) {
      throw new ProtocolException(
          "JSON-RPC " + method + ": HTTP " + reply.status() + " without a JSON-RPC object");
    }
    JsonNode err = root.get("error");
    if (err != null && !err.isNull()) {
      JsonNode data = err.get("data");
      throw new JsonRpcException(
          method,
          err.path("code").asInt(0),
          err.path("message").asText("(no message)"),
          data == null || data.isNull() ? null : data);
    }
    if (reply.status() / 100 != 2) {
      throw new ProtocolException("JSON-RPC " + method + ": HTTP " + reply.status());
    }
    JsonNode rid = root.get("id");
    if (rid != null && !rid.isNull() && rid.asLong(-1) != id) {
      throw new ProtocolException(
          "JSON-RPC " + method + ": reply id " + rid + " does not match request id " + id);
    }
    if (!root.has("result")) {
      throw new ProtocolException("JSON-RPC " + method + ": reply has neither result nor error");
    }
    return root.get("result");
  }

  private RuntimeException mapError(String method, Duration timeout, Throwable e) {
    if (e instanceof TimeoutException || e instanceof HttpTimeoutException) {
      return new AdapterTimeoutException(
          "JSON-RPC " + method + " got no answer within " + timeout.toMillis() + " ms", e);
    }
    if (e instanceof ConnectException) {
      return new AdapterConnectionException(
          "JSON-RPC " + method + ": cannot connect (" + e.getMessage() + ")", e);
    }
    if (e instanceof IOException) {
      return new AdapterConnectionException(
          "JSON-RPC " + method + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
    }
    if (e instanceof RuntimeException) {
      return (RuntimeException) e;
    }
    return new ProtocolException("JSON-RPC " + method + " failed: " + e, e);
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException
            || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
