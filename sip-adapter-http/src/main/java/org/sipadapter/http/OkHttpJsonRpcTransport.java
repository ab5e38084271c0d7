package org.sipadapter.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.sipadapter.transport.JsonRpcClient;
import org.sipadapter.transport.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of core's {@link JsonRpcClient} on OkHttp: one {@code POST} of {@code
 * application/json} per request to a fixed endpoint, such as Kamailio's {@code
 * http://127.0.0.1:5060/RPC} or OpenSIPS's {@code http://127.0.0.1:8888/mi}.
 *
 * <ul>
 *   <li><b>Deadlines.</b> {@link JsonRpcClient} enforces each call's timeout itself (a server may
 *       never answer); this transport sets OkHttp's whole-call timeout a little above it, so a
 *       transport used alone still gives up. When the returned future completes exceptionally or is
 *       cancelled (as the client's deadline does), the HTTP call is cancelled and its connection
 *       released. A timeout fails the future with {@link HttpTimeoutException}; other network
 *       trouble with the {@link IOException} OkHttp reported.
 *   <li><b>Headers.</b> Extra headers (an {@code Authorization} or token header checked by the
 *       server's routing script) go on every request. Their values are never logged nor shown in
 *       {@link #toString()} or in exception messages.
 *   <li><b>Non-JSON errors.</b> A reply outside 2xx whose {@code Content-Type} is not JSON goes to
 *       the optional {@link NonJsonReplyHandler}, which may turn it into a more helpful exception;
 *       every other reply is handed to the client as status and body.
 * </ul>
 *
 * <p>Thread-safe: one instance serves any number of concurrent calls. The owner calls {@link
 * #close()}, which releases OkHttp's dispatcher threads and pooled connections; calls posted after
 * that fail with an {@link IOException}.
 */
public final class OkHttpJsonRpcTransport implements JsonRpcClient.HttpTransport, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OkHttpJsonRpcTransport.class);
  private static final MediaType JSON = MediaType.get("application/json");

  /** How far OkHttp's own whole-call timeout lies beyond the client's deadline. */
  static final Duration DEADLINE_MARGIN = Duration.ofMillis(500);

  private final URI endpoint;
  private final HttpUrl url;
  private final Headers headers;
  private final NonJsonReplyHandler nonJsonReplies;
  private final OkHttpClient http;
  private volatile boolean closed;

  private OkHttpJsonRpcTransport(Builder b) {
    this.endpoint = b.endpoint;
    this.url = HttpUrl.get(b.endpoint.toString());
    Headers.Builder hb = new Headers.Builder();
    // Checked by the builder already; addUnsafeNonAscii keeps OkHttp from echoing values in errors.
    b.headers.forEach(hb::addUnsafeNonAscii);
    this.headers = hb.build();
    this.nonJsonReplies = b.nonJsonReplies;
    OkHttpClient.Builder client = new OkHttpClient.Builder();
    if (b.tls.enabled()) {
      // OkHttp keeps its own host name verifier on: the certificate must name the endpoint's host.
      client.sslSocketFactory(b.tls.socketFactory(), b.tls.trustManager());
    }
    this.http =
        client
            .connectTimeout(b.connectTimeout)
            // The whole-call timeout per request governs; OkHttp's 10 s read and write defaults
            // would cut off slow commands (e.g. a t_uac_wait) long before the client's deadline.
            .readTimeout(Duration.ZERO)
            .writeTimeout(Duration.ZERO)
            .retryOnConnectionFailure(false)
            .build();
  }

  /**
   * Starts a builder.
   *
   * @param endpoint the {@code http} or {@code https} endpoint, such as {@code
   *     http://127.0.0.1:5060/RPC}
   * @return a builder with a 5 s connect timeout, no extra headers and no non-JSON reply handler
   * @throws IllegalArgumentException if the URI is not an absolute http(s) URL
   */
  public static Builder builder(URI endpoint) {
    return new Builder(endpoint);
  }

  /**
   * Returns the endpoint every request is posted to.
   *
   * @return the endpoint
   */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public CompletableFuture<JsonRpcClient.HttpReply> post(byte[] body, Duration timeout) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(timeout, "timeout");
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    Request request =
        new Request.Builder()
            .url(url)
            .headers(headers)
            .post(RequestBody.create(body, JSON))
            .build();
    Call call = http.newCall(request);
    call.timeout().timeout(timeout.plus(DEADLINE_MARGIN).toNanos(), TimeUnit.NANOSECONDS);
    // Cancellation, the client's deadline or any other failure of the future ends the HTTP call.
    return OkHttpCalls.toFuture(call, this::read, e -> mapFailure(timeout, e));
  }

  private JsonRpcClient.HttpReply read(Response response) throws IOException {
    ResponseBody rb = response.body();
    MediaType type = rb == null ? null : rb.contentType();
    if (!response.isSuccessful() && !isJson(type)) {
      NonJsonReply reply =
          new NonJsonReply(endpoint, response.code(), response.header("Content-Type", ""));
      log.debug("{} answered HTTP {} ({})", endpoint, reply.status(), reply.contentType());
      Optional<RuntimeException> mapped = nonJsonReplies.toException(reply);
      if (mapped.isPresent()) {
        throw mapped.get();
      }
    }
    byte[] bytes = rb == null ? new byte[0] : rb.bytes();
    return new JsonRpcClient.HttpReply(response.code(), bytes);
  }

  private static boolean isJson(MediaType type) {
    return type != null
        && (type.subtype().equalsIgnoreCase("json") || type.subtype().endsWith("+json"));
  }

  private IOException mapFailure(Duration timeout, IOException e) {
    if (closed) {
      IOException c = closedException();
      c.initCause(e);
      return c;
    }
    // A timeout already is an HttpTimeoutException; this one names the endpoint and the deadline.
    if (e instanceof HttpTimeoutException) {
      HttpTimeoutException t =
          new HttpTimeoutException(
              "no HTTP answer from " + endpoint + " within " + timeout.toMillis() + " ms");
      t.initCause(e.getCause());
      return t;
    }
    if (e instanceof SSLPeerUnverifiedException) {
      SSLException s =
          new SSLPeerUnverifiedException(
              "TLS with "
                  + endpoint.getHost()
                  + ":"
                  + url.port()
                  + " failed: the server's certificate does not name '"
                  + endpoint.getHost()
                  + "'; connect with a host name the certificate lists");
      s.initCause(e);
      return s;
    }
    if (e instanceof SSLException) {
      SSLException s =
          new SSLHandshakeException(
              TlsContext.describeHandshakeFailure(endpoint.getHost(), url.port(), e));
      s.initCause(e);
      return s;
    }
    return e;
  }

  private IOException closedException() {
    return new IOException("the HTTP transport to " + endpoint + " is closed");
  }

  /** Tells whether OkHttp still runs or queues calls (for tests of cancellation). */
  int callsInFlight() {
    return http.dispatcher().runningCallsCount() + http.dispatcher().queuedCallsCount();
  }

  /** Tells whether {@link #close()} released the dispatcher threads and pooled connections. */
  boolean released() {
    return http.dispatcher().executorService().isShutdown()
        && http.connectionPool().connectionCount() == 0;
  }

  /**
   * Cancels calls in flight, stops OkHttp's dispatcher and evicts pooled connections. Never blocks
   * on the network; idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    http.dispatcher().cancelAll();
    OkHttpCalls.release(http);
    log.debug("HTTP transport to {} closed", endpoint);
  }

  /** Names the endpoint and the extra headers' names, never their values. */
  @Override
  public String toString() {
    return "OkHttpJsonRpcTransport{" + endpoint + ", headers=" + headers.names() + "}";
  }

  /** Collects the settings of an {@link OkHttpJsonRpcTransport}. Not thread-safe. */
  public static final class Builder {
    private final URI endpoint;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private final Map<String, String> headers = new LinkedHashMap<>();
    private NonJsonReplyHandler nonJsonReplies = r -> Optional.empty();
    private TlsContext tls = TlsContext.disabled();

    private Builder(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      String scheme = endpoint.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException(
            "endpoint must be an http:// or https:// URL, got " + endpoint);
      }
      if (HttpUrl.parse(endpoint.toString()) == null) {
        throw new IllegalArgumentException("endpoint is not a valid HTTP URL: " + endpoint);
      }
      this.endpoint = endpoint;
    }

    /**
     * Sets the TCP connect timeout.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive, got " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Adds a header to every request, replacing an earlier one of the same name. The value is never
     * logged and never appears in messages.
     *
     * @param name a header name (token characters only)
     * @param value the value; no CR, LF, NUL or other control characters
     * @return this builder
     * @throws IllegalArgumentException naming the header (not the value) if either is unusable
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "value of header " + name);
      checkName(name);
      checkValue(name, value);
      headers.put(name, value);
      return this;
    }

    /**
     * Adds headers as {@link #header(String, String)} does, in the map's iteration order.
     *
     * @param headers names to values
     * @return this builder
     */
    public Builder headers(Map<String, String> headers) {
      Objects.requireNonNull(headers, "headers").forEach(this::header);
      return this;
    }

    /**
     * Sets what replies outside 2xx without a JSON body become; by default they are handed to the
     * client as they are.
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder nonJsonReplies(NonJsonReplyHandler handler) {
      this.nonJsonReplies = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Sets the TLS trust for an {@code https} endpoint, such as the one an adapter finds in its
     * {@code ConnectTarget}. Without it (or with {@link TlsContext#disabled()}) OkHttp trusts the
     * JVM's default trust store. The host name is always checked against the certificate.
     *
     * @param tls the TLS context
     * @return this builder
     */
    public Builder tls(TlsContext tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Builds the transport, which owns an OkHttp client until {@link #close()}.
     *
     * @return the transport
     */
    public OkHttpJsonRpcTransport build() {
      return new OkHttpJsonRpcTransport(this);
    }

    private static void checkName(String name) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("header name is empty");
      }
      List<String> bad = new ArrayList<>();
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
          bad.add(String.format("%#04x at %d", (int) c, i));
        }
      }
      if (!bad.isEmpty()) {
        throw new IllegalArgumentException(
            "header name has characters HTTP does not allow in a name: " + bad);
      }
    }

    private static void checkValue(String name, String value) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
          // The value may be a secret: name the header and the position, never the value.
          throw new IllegalArgumentException(
              "value of header "
                  + name
                  + " has a control character ("
                  + String.format("%#04x", (int) c)
                  + ") at index "
                  + i
                  + "; CR, LF and NUL are not allowed");
        }
      }
    }
  }
}
