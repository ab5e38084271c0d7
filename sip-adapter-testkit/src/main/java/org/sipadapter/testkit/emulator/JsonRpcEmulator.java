package org.sipadapter.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON-RPC 2.0 server over HTTP on loopback, for emulating management interfaces such as OpenSIPS
 * {@code mi_http} and Kamailio {@code jsonrpcs}.
 *
 * <p>Register a {@link RpcMethod} per method name; a method returns any value Jackson can serialise
 * (becomes {@code result}) or throws {@link RpcError} (becomes {@code error}, with a {@code data}
 * member when the error has one). Unknown methods get {@code -32601}, unparseable bodies {@code
 * -32700}, requests without a method or without {@code "jsonrpc":"2.0"} (and batches) {@code
 * -32600}. Requests without {@code id} are notifications and get {@code 204 No Content}. Every
 * request is recorded ({@link #requests()}).
 *
 * <p>HTTP level: a method other than POST gets {@code 405}; a path other than the endpoint's gets
 * {@code 404} with a short text body, or what {@link #unknownPathReply} sets.
 *
 * <p>Faults, until {@link #restore()}: {@link #stall()} (requests wait without an answer), {@link
 * #garbage()} (200 with a body that is not JSON), {@link #httpError(int)} (an HTTP error status).
 *
 * <pre>{@code
 * try (JsonRpcEmulator mi = new JsonRpcEmulator("opensips", "/mi").start()) {
 *   mi.method("uptime", params -> Map.of("Up since", "Thu Nov 26 06:00:00 2026"));
 *   client.post(mi.url(), ...);
 * }
 * }</pre>
 *
 * <p>Thread-safe; methods run on a pool of daemon threads named {@code jsonrpc-emulator-<name>-N}
 * and may be called concurrently. {@link #close()} releases stalled requests and returns promptly.
 */
public class JsonRpcEmulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JsonRpcEmulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** JSON-RPC "method not found". */
  public static final int METHOD_NOT_FOUND = -32601;

  /** JSON-RPC "parse error". */
  public static final int PARSE_ERROR = -32700;

  /** JSON-RPC "invalid request". */
  public static final int INVALID_REQUEST = -32600;

  /** JSON-RPC "internal error", used when a method throws anything but {@link RpcError}. */
  public static final int INTERNAL_ERROR = -32603;

  /** One JSON-RPC method implementation. */
  @FunctionalInterface
  public interface RpcMethod {
    /**
     * Runs the method.
     *
     * @param params the request's {@code params} (array or object), or a {@link NullNode} when
     *     absent
     * @return the result; {@code null} becomes JSON {@code null}
     * @throws RpcError to answer with a JSON-RPC error
     */
    Object call(JsonNode params) throws RpcError;
  }

  /** Thrown by a {@link RpcMethod} to answer with a JSON-RPC error object. */
  public static final class RpcError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final transient Object data;

    /**
     * Creates an error answer without a {@code data} member.
     *
     * @param code the JSON-RPC error code
     * @param message the error message
     */
    public RpcError(int code, String message) {
      this(code, message, null);
    }

    /**
     * Creates an error answer with a {@code data} member, such as OpenSIPS's {@code -32602 "Invalid
     * params"} with {@code "Too few or too many parameters"}.
     *
     * @param code the JSON-RPC error code
     * @param message the error message
     * @param data any value Jackson can serialise, written after {@code message}; null for none
     */
    public RpcError(int code, String message, Object data) {
      super(message, null, false, false);
      this.code = code;
      this.data = data;
    }

    /** Returns the JSON-RPC error code. */
    public int code() {
      return code;
    }

    /** Returns the {@code data} member, or empty when the error has none. */
    public Optional<Object> data() {
      return Optional.ofNullable(data);
    }
  }

  /**
   * An HTTP reply that is not JSON-RPC, e.g. the HTML page a server sends for an unknown path.
   *
   * @param status the HTTP status
   * @param contentType the {@code Content-Type}
   * @param body the body
   */
  public record HttpReply(int status, String contentType, String body) {
    /** Checks the components. */
    public HttpReply {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status must be 100-599, was " + status);
      }
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(body, "body");
    }
  }

  /**
   * One request as received.
   *
   * @param method the method name, or empty when the body was not a valid request
   * @param params the params, or a {@link NullNode}
   * @param id the id, or a {@link NullNode} for notifications
   * @param body the raw body
   * @param receivedAt when it arrived
   */
  public record RpcRequest(
      String method, JsonNode params, JsonNode id, String body, Instant receivedAt) {}

  private enum Mode {
    NORMAL,
    STALL,
    GARBAGE,
    HTTP_ERROR
  }

  private final String name;
  private final String path;
  private final Map<String, RpcMethod> methods = new ConcurrentHashMap<>();
  private final List<RpcRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicReference<CountDownLatch> stallGate = new AtomicReference<>();
  private volatile Mode mode = Mode.NORMAL;
  private volatile int errorStatus = 500;
  private volatile HttpReply unknownPath =
      new HttpReply(404, "text/plain", "no JSON-RPC endpoint at this path");
  private HttpServer server;
  private ExecutorService executor;
  private volatile boolean closed;

  /**
   * Creates an emulator answering POST requests on {@code path}; call {@link #start()}.
   *
   * @param name short name for thread names and logs; not null
   * @param path the request path, starting with {@code /}, e.g. {@code "/mi"} or {@code "/RPC"}
   */
  public JsonRpcEmulator(String name, String path) {
    this.name = Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
    this.path = path;
  }

  /** Listens on a free loopback port; returns this emulator. */
  public JsonRpcEmulator start() {
    return start(0);
  }

  /**
   * Listens on the given loopback port, or a free one for {@code 0}.
   *
   * @param port 0-65535
   * @return this emulator
   * @throws UncheckedIOException if the port cannot be bound
   */
  public synchronized JsonRpcEmulator start(int port) {
    if (server != null || closed) {
      throw new IllegalStateException(name + " JSON-RPC emulator already started or closed");
    }
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on loopback port " + port, e);
    }
    AtomicInteger seq = new AtomicInteger();
    ThreadFactory threads =
        r -> {
          Thread t = new Thread(r, "jsonrpc-emulator-" + name + "-" + seq.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    executor = Executors.newCachedThreadPool(threads);
    server.setExecutor(executor);
    server.createContext(path, this::handle);
    if (!path.equals("/")) {
      server.createContext("/", this::handleUnknownPath);
    }
    server.start();
    return this;
  }

  /** Returns {@code 127.0.0.1}. */
  public String host() {
    return InetAddress.getLoopbackAddress().getHostAddress();
  }

  /** Returns the listening port; only after {@link #start()}. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException(name + " JSON-RPC emulator is not started");
    }
    return server.getAddress().getPort();
  }

  /** Returns the request path given to the constructor. */
  public String path() {
    return path;
  }

  /** Returns {@code http://127.0.0.1:<port><path>}. */
  public String url() {
    return "http://" + host() + ":" + port() + path;
  }

  /**
   * Registers (or replaces) a method.
   *
   * @param method the method name; not null
   * @param implementation not null
   * @return this emulator
   */
  public JsonRpcEmulator method(String method, RpcMethod implementation) {
    methods.put(Objects.requireNonNull(method, "method"), Objects.requireNonNull(implementation));
    return this;
  }

  /**
   * Sets the reply to requests for any path outside the endpoint's (default: {@code 404} with a
   * short text body).
   *
   * @param reply the reply; not null
   * @return this emulator
   */
  public JsonRpcEmulator unknownPathReply(HttpReply reply) {
    this.unknownPath = Objects.requireNonNull(reply, "reply");
    return this;
  }

  /**
   * The implementation registered for a method, to wrap it (delay or watch its calls) with {@link
   * #method(String, RpcMethod)}.
   *
   * @param method the method name
   * @return the implementation, if one is registered
   */
  public Optional<RpcMethod> implementation(String method) {
    return Optional.ofNullable(methods.get(method));
  }

  /** Removes a method; later calls get {@code -32601}. */
  public void removeMethod(String method) {
    methods.remove(method);
  }

  /** Returns every request received so far, oldest first (read-only view). */
  public List<RpcRequest> requests() {
    return Collections.unmodifiableList(requests);
  }

  /** Returns the requests for {@code method}, oldest first. */
  public List<RpcRequest> requests(String method) {
    return requests.stream().filter(r -> r.method().equals(method)).toList();
  }

  /** Requests wait without an answer until {@link #restore()} or {@link #close()}. */
  public void stall() {
    stallGate.compareAndSet(null, new CountDownLatch(1));
    mode = Mode.STALL;
  }

  /** Answers every request with status 200 and a body that is not JSON. */
  public void garbage() {
    releaseStall();
    mode = Mode.GARBAGE;
  }

  /**
   * Answers every request with the given HTTP status and a short text body.
   *
   * @param status 400-599
   */
  public void httpError(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 400-599, was " + status);
    }
    releaseStall();
    errorStatus = status;
    mode = Mode.HTTP_ERROR;
  }

  /** Back to normal answers; stalled requests are answered now. */
  public void restore() {
    mode = Mode.NORMAL;
    releaseStall();
  }

  private void releaseStall() {
    CountDownLatch gate = stallGate.getAndSet(null);
    if (gate != null) {
      gate.countDown();
    }
  }

  /** Stops the server and releases stalled requests; returns promptly. Idempotent. */
  @Override
  public void close() {
    HttpServer s;
    ExecutorService e;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
      e = executor;
    }
    releaseStall();
    if (s != null) {
      s.stop(0);
    }
    if (e != null) {
      e.shutdownNow();
      try {
        e.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void handleUnknownPath(HttpExchange exchange) {
    try (exchange) {
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes();
      }
      HttpReply r = unknownPath;
      respond(exchange, r.status(), r.contentType(), r.body());
    } catch (IOException | RuntimeException e) {
      LOG.debug("{} JSON-RPC emulator: exchange failed", name, e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] bodyBytes;
      try (InputStream in = exchange.getRequestBody()) {
        bodyBytes = in.readAllBytes();
      }
      String body = new String(bodyBytes, StandardCharsets.UTF_8);
      if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
        respond(exchange, 405, "text/plain", "POST only");
        return;
      }
      JsonNode request;
      try {
        request = JSON.readTree(bodyBytes);
      } catch (IOException parse) {
        request = null;
      }
      String method =
          request != null && request.path("method").isTextual()
              ? request.get("method").asText()
              : "";
      JsonNode params =
          request != null && request.has("params") ? request.get("params") : NullNode.getInstance();
      JsonNode id =
          request != null && request.has("id") ? request.get("id") : NullNode.getInstance();
      requests.add(new RpcRequest(method, params, id, body, Instant.now()));

      if (mode == Mode.STALL && !awaitStallEnd()) {
        return; // closed while stalled: drop the exchange
      }
      switch (mode) {
        case GARBAGE -> {
          respond(exchange, 200, "application/json", "<html>\u0000 not json {{{");
          return;
        }
        case HTTP_ERROR -> {
          respond(exchange, errorStatus, "text/plain", "emulated HTTP " + errorStatus);
          return;
        }
        default -> {
          // answer normally
        }
      }
      if (request == null) {
        respondJson(exchange, error(NullNode.getInstance(), PARSE_ERROR, "Parse error"));
        return;
      }
      if (!request.isObject()
          || method.isEmpty()
          || !"2.0".equals(request.path("jsonrpc").textValue())) {
        respondJson(exchange, error(id, INVALID_REQUEST, "Invalid Request"));
        return;
      }
      boolean notification = !request.has("id");
      ObjectNode response = answer(method, params, id);
      if (notification) {
        exchange.sendResponseHeaders(204, -1);
      } else {
        respondJson(exchange, response);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("{} JSON-RPC emulator: exchange failed", name, e);
    }
  }

  private ObjectNode answer(String method, JsonNode params, JsonNode id) {
    RpcMethod implementation = methods.get(method);
    if (implementation == null) {
      return error(id, METHOD_NOT_FOUND, "Method not found");
    }
    try {
      Object result = implementation.call(params);
      ObjectNode ok = JsonNodeFactory.instance.objectNode();
      ok.put("jsonrpc", "2.0");
      ok.set("result", JSON.valueToTree(result));
      ok.set("id", id);
      return ok;
    } catch (RpcError e) {
      ObjectNode err = error(id, e.code(), e.getMessage());
      e.data().ifPresent(d -> ((ObjectNode) err.get("error")).set("data", JSON.valueToTree(d)));
      return err;
    } catch (RuntimeException e) {
      LOG.warn("{} JSON-RPC emulator: method {} failed", name, method, e);
      return error(id, INTERNAL_ERROR, "Internal error");
    }
  }

  private boolean awaitStallEnd() {
    CountDownLatch gate = stallGate.get();
    if (gate == null) {
      return !closed;
    }
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !closed;
  }

  private static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("jsonrpc", "2.0");
    ObjectNode err = out.putObject("error");
    err.put("code", code);
    err.put("message", message);
    out.set("id", id);
    return out;
  }

  private static void respondJson(HttpExchange exchange, JsonNode body) throws IOException {
    respond(exchange, 200, "application/json", JSON.writeValueAsString(body));
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public String toString() {
    return "JsonRpcEmulator[" + name + " " + path + ", mode=" + mode + "]";
  }
}
