package org.sipadapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.ProtocolException;
import org.sipadapter.transport.JsonRpcClient;

/**
 * Coverage-guided check of the OkHttp transport's reply step together with the JSON-RPC client,
 * over a real loopback HTTP exchange: for any status, {@code Content-Type} and body, a call ends
 * with its result, a {@link ProtocolException}, what the {@link NonJsonReplyHandler} made of a
 * non-JSON error, or (for a reply that is not valid HTTP) an {@link AdapterConnectionException},
 * and never hangs or fails otherwise.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class OkHttpReplyFuzzTest {

  private static final List<String> CONTENT_TYPES =
      List.of(
          "application/json",
          "application/json; charset=utf-8",
          "application/problem+json",
          "text/html",
          "text/plain",
          "");

  /** What the handler below makes of a non-JSON error reply. */
  private static final class MappedReply extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MappedReply(NonJsonReply reply) {
      super("HTTP " + reply.status());
    }
  }

  private static HttpServer server;
  private static ExecutorService serverThreads;
  private static OkHttpJsonRpcTransport transport;
  private static volatile int status;
  private static volatile String contentType;
  private static volatile byte[] body;

  @BeforeAll
  static void start() throws IOException {
    // Headers and body go out in two writes: without TCP_NODELAY each reply waits a delayed ACK.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newFixedThreadPool(2);
    server.setExecutor(serverThreads);
    server.createContext("/", OkHttpReplyFuzzTest::reply);
    server.start();
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/RPC");
    transport =
        OkHttpJsonRpcTransport.builder(endpoint)
            .nonJsonReplies(
                r -> r.status() >= 500 ? Optional.of(new MappedReply(r)) : Optional.empty())
            .build();
  }

  @AfterAll
  static void stop() {
    transport.close();
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private static void reply(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes();
    if (!contentType.isEmpty()) {
      ex.getResponseHeaders().set("Content-Type", contentType);
    }
    boolean noBody = status == 204 || status == 304;
    ex.sendResponseHeaders(status, noBody ? -1 : body.length == 0 ? -1 : body.length);
    if (!noBody) {
      ex.getResponseBody().write(body);
    }
    ex.close();
  }

  @FuzzTest
  void replyOverHttp(FuzzedDataProvider data) {
    status = data.consumeBoolean() ? 200 : data.consumeInt(200, 599);
    contentType = data.consumeBoolean() ? data.pickValue(CONTENT_TYPES) : headerText(data);
    body = data.consumeRemainingAsBytes();
    // A fresh client per reply: its first request has id 1, which a fuzzed body can match.
    JsonRpcClient client = new JsonRpcClient("fuzz", transport, Duration.ofSeconds(10), n -> {});
    // Jazzer reports network connections as request forgery; this one goes to the test's server.
    int port = server.getAddress().getPort();
    try (SilentCloseable allowed = BugDetectors.allowNetworkConnections((h, p) -> p == port)) {
      assertThat(client.call("core.version").join()).isNotNull();
    } catch (CompletionException e) {
      Throwable failure = e.getCause();
      if (failure instanceof AdapterConnectionException) {
        // A reply that breaks HTTP itself (a 205 with a body) is refused by OkHttp, as a link
        // failure: the documented outcome for trouble below JSON-RPC.
        assertThat(failure).hasCauseInstanceOf(java.net.ProtocolException.class);
        return;
      }
      assertThat(failure)
          .as("HTTP %d, Content-Type '%s'", status, contentType)
          .isInstanceOfAny(ProtocolException.class, MappedReply.class);
    }
  }

  /** Printable ASCII, as an HTTP header value may carry. */
  private static String headerText(FuzzedDataProvider data) {
    StringBuilder sb = new StringBuilder();
    for (char c : data.consumeAsciiString(40).toCharArray()) {
      if (c >= 0x20 && c < 0x7f) {
        sb.append(c);
      }
    }
    return sb.toString().strip();
  }
}
