package org.sipadapter.opensips.mi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.ProtocolException;
import org.sipadapter.http.OkHttpJsonRpcTransport;
import org.sipadapter.transport.JsonRpcClient;

/** The bytes {@link OpenSipsMi} puts on the wire, and what mi_http's HTTP errors become. */
class OpenSipsMiWireTest {

  private HttpServer server;
  private OkHttpJsonRpcTransport transport;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String contentType = "application/json";
  private volatile String reply = "{\"jsonrpc\":\"2.0\",\"result\":{\"Dialogs\":[]},\"id\":1}";

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    if (transport != null) {
      transport.close();
    }
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private OpenSipsMi mi(String path) {
    transport =
        OkHttpJsonRpcTransport.builder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
            .nonJsonReplies(MiHttpErrorHint.INSTANCE)
            .build();
    Duration timeout = Duration.ofSeconds(5);
    return new OpenSipsMi(new JsonRpcClient("opensips-test", transport, timeout, n -> {}), timeout);
  }

  @Test
  void aCommandWithoutParamsLeavesParamsOutLikeTheRecordedDlgList() {
    mi("/mi").dialogs().join();

    assertThat(bodies).containsExactly("{\"jsonrpc\":\"2.0\",\"method\":\"dlg_list\",\"id\":1}");
  }

  @Test
  void namedParamsGoOutAsAnObjectLikeTheRecordedDlgEndDlg() {
    reply = "{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":1}";

    mi("/mi").endDialog("2da.69ee64b1", "").join();

    assertThat(bodies)
        .containsExactly(
            "{\"jsonrpc\":\"2.0\",\"method\":\"dlg_end_dlg\","
                + "\"params\":{\"dialog_id\":\"2da.69ee64b1\"},\"id\":1}");
  }

  @Test
  void aListParamStaysAList() {
    reply = "{\"jsonrpc\":\"2.0\",\"result\":{\"dialog:active_dialogs\":0},\"id\":1}";

    mi("/mi").activeDialogStats().join();

    assertThat(bodies)
        .containsExactly(
            "{\"jsonrpc\":\"2.0\",\"method\":\"get_statistics\","
                + "\"params\":{\"statistics\":[\"dialog:\"]},\"id\":1}");
  }

  @Test
  void invalidParamsKeepOpenSipsDataAndGetAHint() {
    reply =
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"Invalid params\","
            + "\"data\":\"Too few or too many parameters\"},\"id\":1}";
    OpenSipsMi mi = mi("/mi");

    assertThatThrownBy(() -> mi.endDialog("x", "").join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            MiException.class,
            e -> {
              assertThat(e.data()).map(JsonNode::asText).hasValue("Too few or too many parameters");
              assertThat(e.getMessage())
                  .contains("Too few or too many parameters")
                  .contains("OpenSIPS 3.x");
            });
  }

  @Test
  void aWrongPathAnsweredWith400HtmlNamesOptionsMiPath() {
    status = 400;
    contentType = "text/html";
    reply = "<html><head><title>Bad Request</title></head></html>";
    OpenSipsMi mi = mi("/wrong");

    assertThatThrownBy(() -> mi.version().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isExactlyInstanceOf(ProtocolException.class)
        .hasMessageContaining("/wrong")
        .hasMessageContaining("HTTP 400")
        .hasMessageContaining("options.miPath");
  }

  @Test
  void http405SaysPostOnly() {
    assertThat(MiHttpErrorHint.hint(405)).contains("POST");
  }
}
