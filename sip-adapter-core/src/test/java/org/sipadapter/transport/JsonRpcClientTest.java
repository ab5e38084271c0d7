package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.ProtocolException;

class JsonRpcClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpServer http;
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicLong latencies = new AtomicLong();
  private volatile int status = 200;
  private volatile String body;

  @BeforeEach
  void start() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(Executors.newCachedThreadPool());
    http.createContext("/RPC", this::handle);
    http.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    http.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
    requests.add(req);
    String reply = body;
    if (reply == null) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
      return;
    }
    byte[] bytes = reply.replace("$ID", req.get("id").asText()).getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private JsonRpcClient client(int port, Duration timeout) {
    return new JsonRpcClient(
        "kamailio-test",
        JsonRpcClient.jdkTransport(
            URI.create("http://127.0.0.1:" + port + "/RPC"), Duration.ofSeconds(2), Map.of()),
        timeout,
        latencies::addAndGet);
  }

  private JsonRpcClient client() {
    return client(http.getAddress().getPort(), Duration.ofSeconds(5));
  }

  @Test
  void returnsTheResultAndSendsAJsonRpc2Request() {
    body = "{\"jsonrpc\":\"2.0\",\"result\":{\"dialogs\":[]},\"id\":$ID}";

    JsonNode result = client().callSync("dlg.list", "x", 5);

    assertThat(result.get("dialogs").isArray()).isTrue();
    JsonNode req = requests.get(0);
    assertThat(req.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(req.get("method").asText()).isEqualTo("dlg.list");
    assertThat(req.get("params").toString()).isEqualTo("[\"x\",5]");
    assertThat(req.get("id").isNumber()).isTrue();
    assertThat(latencies.get()).isPositive();
  }

  @Test
  void anErrorObjectBecomesAJsonRpcExceptionWithCodeAndMessage() {
    body =
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":404,\"message\":\"Dialog not found\"},\"id\":$ID}";

    assertThatThrownBy(() -> client().callSync("dlg.end_dlg", 1, 2))
        .isInstanceOfSatisfying(
            JsonRpcException.class,
            e -> {
              assertThat(e.code()).isEqualTo(404);
              assertThat(e.rpcMessage()).isEqualTo("Dialog not found");
              assertThat(e.method()).isEqualTo("dlg.end_dlg");
            });
  }

  @Test
  void namedParamsAreWrittenAsAnObjectInTheMapsOrder() {
    body = "{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":$ID}";
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("dialog_id", "2da.69ee64b1");
    params.put("extra_hdrs", "Reason: SIP;cause=200\r\n");
    params.put("statistics", List.of("dialog:"));

    JsonNode result = client().callNamed(Duration.ofSeconds(5), "dlg_end_dlg", params).join();

    assertThat(result.asText()).isEqualTo("OK");
    JsonNode req = requests.get(0);
    assertThat(req.get("params").toString())
        .isEqualTo(
            "{\"dialog_id\":\"2da.69ee64b1\",\"extra_hdrs\":\"Reason: SIP;cause=200\\r\\n\","
                + "\"statistics\":[\"dialog:\"]}");
  }

  @Test
  void namedCallWithoutParamsLeavesParamsOutLikeTheRecordedDlgList() {
    body = "{\"jsonrpc\":\"2.0\",\"result\":{\"Dialogs\":[]},\"id\":$ID}";

    client().callNamed("dlg_list", Map.of()).join();

    JsonNode req = requests.get(0);
    assertThat(req.toString())
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"dlg_list\",\"id\":" + req.get("id") + "}");
  }

  @Test
  void anErrorDataMemberIsKeptAndNamedInTheMessage() {
    body =
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"Invalid params\","
            + "\"data\":\"Too few or too many parameters\"},\"id\":$ID}";

    assertThatThrownBy(() -> client().callSync("dlg_end_dlg"))
        .isInstanceOfSatisfying(
            JsonRpcException.class,
            e -> {
              assertThat(e.code()).isEqualTo(-32602);
              assertThat(e.data()).map(JsonNode::asText).hasValue("Too few or too many parameters");
              assertThat(e.getMessage()).contains("Too few or too many parameters");
            });
  }

  @Test
  void anErrorWithoutDataHasEmptyData() {
    body = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":404,\"message\":\"Nope\"},\"id\":$ID}";

    assertThatThrownBy(() -> client().callSync("dlg.end_dlg"))
        .isInstanceOfSatisfying(JsonRpcException.class, e -> assertThat(e.data()).isEmpty());
  }

  @Test
  void http500WithAJsonRpcErrorBodyIsAJsonRpcException() {
    status = 500;
    body =
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":$ID}";

    assertThatThrownBy(() -> client().callSync("nope"))
        .isInstanceOfSatisfying(
            JsonRpcException.class, e -> assertThat(e.code()).isEqualTo(-32601));
  }

  @Test
  void aBodyThatIsNotJsonIsAProtocolException() {
    status = 500;
    body = "<html>Internal Server Error</html>";

    assertThatThrownBy(() -> client().callSync("core.version"))
        .isExactlyInstanceOf(ProtocolException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void aReplyWithAnotherIdIsAProtocolException() {
    body = "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":999999}";

    assertThatThrownBy(() -> client().callSync("core.version"))
        .isExactlyInstanceOf(ProtocolException.class)
        .hasMessageContaining("does not match");
  }

  @Test
  void noAnswerFailsWithAnAdapterTimeoutExceptionWithinTheTimeout() {
    body = null;
    JsonRpcClient c = client(http.getAddress().getPort(), Duration.ofMillis(300));

    assertThatThrownBy(() -> c.callSync("core.version"))
        .isInstanceOf(AdapterTimeoutException.class)
        .hasMessageContaining("300 ms");
  }

  @Test
  void aRefusedConnectionIsAnAdapterConnectionException() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    assertThatThrownBy(() -> client(port, Duration.ofSeconds(5)).callSync("core.version"))
        .isInstanceOf(AdapterConnectionException.class);
  }
}
