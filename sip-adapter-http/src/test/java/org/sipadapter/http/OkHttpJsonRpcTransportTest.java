package org.sipadapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.ProtocolException;
import org.sipadapter.transport.JsonRpcClient;
import org.sipadapter.transport.JsonRpcException;

class OkHttpJsonRpcTransportTest {

  /** What the loopback server received. */
  record Received(String method, String path, String contentType, String token, String body) {}

  private HttpServer server;
  private ExecutorService serverThreads;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch requestArrived = new CountDownLatch(1);
  private volatile int status = 200;
  private volatile String contentType = "application/json";
  private volatile String reply = "{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":1}";
  private volatile boolean hang;
  private final List<OkHttpJsonRpcTransport> transports = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext("/", this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    transports.forEach(OkHttpJsonRpcTransport::close);
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    received.add(
        new Received(
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            ex.getRequestHeaders().getFirst("Content-Type"),
            ex.getRequestHeaders().getFirst("X-Token"),
            new String(body, StandardCharsets.UTF_8)));
    requestArrived.countDown();
    if (hang) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
      return;
    }
    byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private OkHttpJsonRpcTransport track(OkHttpJsonRpcTransport t) {
    transports.add(t);
    return t;
  }

  private OkHttpJsonRpcTransport transport() {
    return track(OkHttpJsonRpcTransport.builder(uri("/RPC")).build());
  }

  private static JsonRpcClient client(JsonRpcClient.HttpTransport t, Duration timeout) {
    return new JsonRpcClient("http-test", t, timeout, nanos -> {});
  }

  @Test
  void postsTheJsonRequestToTheEndpointWithTheExtraHeaders() {
    reply = "{\"jsonrpc\":\"2.0\",\"result\":{\"Server\":\"OpenSIPS\"},\"id\":1}";
    OkHttpJsonRpcTransport t =
        track(
            OkHttpJsonRpcTransport.builder(uri("/mi"))
                .connectTimeout(Duration.ofSeconds(2))
                .headers(Map.of("X-Token", "s3cret"))
                .build());

    JsonNode result = client(t, Duration.ofSeconds(5)).callNamed("version", Map.of()).join();

    assertThat(result.path("Server").asText()).isEqualTo("OpenSIPS");
    Received r = received.get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/mi");
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.token()).isEqualTo("s3cret");
    assertThat(r.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"version\",\"id\":1}");
  }

  @Test
  void aJsonErrorReplyWithHttp500ReachesTheClientAsIs() {
    status = 500;
    reply =
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":500,\"message\":\"Method Not Found\"},\"id\":1}";
    OkHttpJsonRpcTransport t =
        track(
            OkHttpJsonRpcTransport.builder(uri("/RPC"))
                .nonJsonReplies(r -> Optional.of(new IllegalStateException("must not be asked")))
                .build());

    assertThatThrownBy(() -> client(t, Duration.ofSeconds(5)).callSync("no.such"))
        .isInstanceOfSatisfying(JsonRpcException.class, e -> assertThat(e.code()).isEqualTo(500));
  }

  @Test
  void aNonJsonErrorReplyGoesThroughTheHandler() {
    status = 400;
    contentType = "text/html";
    reply = "<html><body>Bad Request</body></html>";
    List<NonJsonReply> seen = new CopyOnWriteArrayList<>();
    OkHttpJsonRpcTransport t =
        track(
            OkHttpJsonRpcTransport.builder(uri("/wrong"))
                .nonJsonReplies(
                    r -> {
                      seen.add(r);
                      return Optional.of(new ProtocolException("check the path"));
                    })
                .build());

    assertThatThrownBy(() -> client(t, Duration.ofSeconds(5)).callSync("version"))
        .isExactlyInstanceOf(ProtocolException.class)
        .hasMessage("check the path");
    assertThat(seen).containsExactly(new NonJsonReply(uri("/wrong"), 400, "text/html"));
  }

  @Test
  void withoutAHandlerANonJsonErrorReplyIsHandedOnWithStatusAndBody() {
    status = 404;
    contentType = "text/plain";
    reply = "Not Found";

    JsonRpcClient.HttpReply r =
        transport().post("{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)).join();

    assertThat(r.status()).isEqualTo(404);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("Not Found");
  }

  @Test
  void theClientsDeadlineFailsTheCallWithATimeoutAndCancelsTheHttpCall() throws Exception {
    hang = true;
    OkHttpJsonRpcTransport t = transport();

    assertThatThrownBy(() -> client(t, Duration.ofMillis(300)).callSync("core.version"))
        .isInstanceOf(AdapterTimeoutException.class);
    await().atMost(Duration.ofSeconds(60)).until(() -> t.callsInFlight() == 0);
  }

  @Test
  void usedAloneTheTransportGivesUpShortlyAfterTheTimeoutWithHttpTimeoutException() {
    hang = true;

    CompletableFuture<JsonRpcClient.HttpReply> f =
        transport().post("{}".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(100));

    assertThat(f)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void cancellingTheFutureCancelsTheHttpCall() throws Exception {
    hang = true;
    OkHttpJsonRpcTransport t = transport();
    CompletableFuture<JsonRpcClient.HttpReply> f =
        t.post("{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
    requestArrived.await();

    f.cancel(true);

    await().atMost(Duration.ofSeconds(60)).until(() -> t.callsInFlight() == 0);
  }

  @Test
  void aRefusedConnectionIsAnAdapterConnectionException() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    OkHttpJsonRpcTransport t =
        track(OkHttpJsonRpcTransport.builder(URI.create("http://127.0.0.1:" + port + "/")).build());

    assertThatThrownBy(() -> client(t, Duration.ofSeconds(5)).callSync("core.version"))
        .isInstanceOf(AdapterConnectionException.class);
  }

  @Test
  void closeReleasesOkHttpAndLaterCallsFailAsConnectionTrouble() {
    OkHttpJsonRpcTransport t = transport();
    client(t, Duration.ofSeconds(5)).callSync("core.version");

    t.close();

    assertThat(t.released()).isTrue();
    assertThatThrownBy(() -> client(t, Duration.ofSeconds(5)).callSync("core.version"))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void closeFailsCallsInFlight() throws Exception {
    hang = true;
    OkHttpJsonRpcTransport t = transport();
    CompletableFuture<JsonRpcClient.HttpReply> f =
        t.post("{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
    requestArrived.await();

    t.close();

    assertThat(f)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(IOException.class)
        .withMessageContaining("closed");
  }

  @Test
  void aHeaderValueWithCrLfIsRefusedWithoutEchoingTheValue() {
    OkHttpJsonRpcTransport.Builder b = OkHttpJsonRpcTransport.builder(uri("/RPC"));

    assertThatThrownBy(() -> b.header("X-Token", "s3cret\r\nX-Evil: 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Token")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aHeaderNameWithSeparatorsIsRefused() {
    OkHttpJsonRpcTransport.Builder b = OkHttpJsonRpcTransport.builder(uri("/RPC"));

    assertThatThrownBy(() -> b.header("X-Token:", "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEndpointThatIsNotHttpIsRefused() {
    assertThatThrownBy(() -> OkHttpJsonRpcTransport.builder(URI.create("tcp://127.0.0.1:8448")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://");
  }

  @Test
  void toStringNamesTheHeadersButNotTheirValues() {
    OkHttpJsonRpcTransport t =
        track(OkHttpJsonRpcTransport.builder(uri("/RPC")).header("X-Token", "s3cret").build());

    assertThat(t.toString()).contains("X-Token").doesNotContain("s3cret");
  }
}
