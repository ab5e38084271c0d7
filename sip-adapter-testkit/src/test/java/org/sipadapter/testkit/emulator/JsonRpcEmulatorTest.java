package org.sipadapter.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonRpcEmulatorTest {

  private final JsonRpcEmulator rpc = new JsonRpcEmulator("opensips", "/mi").start();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() {
    rpc.close();
  }

  private HttpRequest post(String body) {
    return HttpRequest.newBuilder(URI.create(rpc.url()))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpResponse<String> call(String body) throws IOException, InterruptedException {
    return http.send(post(body), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRegisteredMethodAnswersWithItsResultAndTheRequestIsRecorded() throws Exception {
    rpc.method("uptime", params -> Map.of("Up time", 42));

    HttpResponse<String> r = call("{\"jsonrpc\":\"2.0\",\"method\":\"uptime\",\"id\":7}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":{\"Up time\":42},\"id\":7}");
    assertThat(rpc.requests("uptime"))
        .singleElement()
        .satisfies(req -> assertThat(req.id().asInt()).isEqualTo(7));
  }

  @Test
  void positionalParamsReachTheMethod() throws Exception {
    rpc.method("echo", params -> List.of(params.get(0).asText(), params.get(1).asInt()));

    HttpResponse<String> r =
        call("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"a\",2],\"id\":\"x\"}");

    assertThat(r.body()).contains("\"result\":[\"a\",2]").contains("\"id\":\"x\"");
  }

  @Test
  void errorsFollowJsonRpcCodes() throws Exception {
    rpc.method(
        "dlg_end_dlg",
        params -> {
          throw new JsonRpcEmulator.RpcError(404, "Dialog not found");
        });

    assertThat(call("{\"jsonrpc\":\"2.0\",\"method\":\"dlg_end_dlg\",\"id\":1}").body())
        .contains("\"code\":404")
        .contains("Dialog not found");
    assertThat(call("{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":2}").body())
        .contains("\"code\":-32601");
    assertThat(call("{not json").body()).contains("\"code\":-32700");
    assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":3}").body()).contains("\"code\":-32600");
  }

  @Test
  void anErrorWithDataCarriesItAfterTheMessage() throws Exception {
    rpc.method(
        "get_statistics",
        params -> {
          throw new JsonRpcEmulator.RpcError(
              -32602, "Invalid params", "Too few or too many parameters");
        });

    assertThat(call("{\"jsonrpc\":\"2.0\",\"method\":\"get_statistics\",\"id\":13}").body())
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"Invalid params\","
                + "\"data\":\"Too few or too many parameters\"},\"id\":13}");
  }

  @Test
  void aRequestWithoutJsonrpcIsAnInvalidRequestWithItsId() throws Exception {
    rpc.method("version", params -> "never");

    assertThat(call("{\"method\":\"version\",\"id\":7}").body())
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"},"
                + "\"id\":7}");
  }

  @Test
  void aMethodOtherThanPostGets405() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(rpc.url())).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(405);
  }

  @Test
  void anUnknownPathGetsTheConfiguredReply() throws Exception {
    rpc.unknownPathReply(
        new JsonRpcEmulator.HttpReply(400, "text/html", "<html><body>bad</body></html>"));
    URI other = URI.create(rpc.url().replace("/mi", "/nosuch"));

    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(other)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html");
    assertThat(r.body()).isEqualTo("<html><body>bad</body></html>");
    assertThat(rpc.requests()).isEmpty();
  }

  @Test
  void notificationsGetNoContent() throws Exception {
    rpc.method("log", params -> "ignored");

    HttpResponse<String> r = call("{\"jsonrpc\":\"2.0\",\"method\":\"log\"}");

    assertThat(r.statusCode()).isEqualTo(204);
  }

  @Test
  void stallHoldsRequestsUntilRestore() throws Exception {
    rpc.method("ps", params -> "ok");
    rpc.stall();

    CompletableFuture<HttpResponse<String>> pending =
        http.sendAsync(
            post("{\"jsonrpc\":\"2.0\",\"method\":\"ps\",\"id\":1}"),
            HttpResponse.BodyHandlers.ofString());
    await().until(() -> rpc.requests().size() == 1);
    assertThat(pending).isNotDone();

    rpc.restore();

    assertThat(pending.get().body()).contains("\"result\":\"ok\"");
  }

  @Test
  void garbageAndHttpErrorModesLastUntilRestore() throws Exception {
    rpc.method("ps", params -> "ok");
    String req = "{\"jsonrpc\":\"2.0\",\"method\":\"ps\",\"id\":1}";

    rpc.garbage();
    HttpResponse<String> junk = call(req);
    assertThat(junk.statusCode()).isEqualTo(200);
    assertThat(junk.body()).doesNotStartWith("{");

    rpc.httpError(500);
    assertThat(call(req).statusCode()).isEqualTo(500);

    rpc.restore();
    assertThat(call(req).body()).contains("\"result\":\"ok\"");
  }

  @Test
  void closeReleasesStalledRequests() {
    rpc.stall();
    CompletableFuture<HttpResponse<String>> pending =
        http.sendAsync(
            post("{\"jsonrpc\":\"2.0\",\"method\":\"ps\",\"id\":1}"),
            HttpResponse.BodyHandlers.ofString());
    await().until(() -> rpc.requests().size() == 1);

    rpc.close();

    await().until(pending::isDone);
  }
}
