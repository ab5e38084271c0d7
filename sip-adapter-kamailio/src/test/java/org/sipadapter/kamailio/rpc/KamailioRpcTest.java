package org.sipadapter.kamailio.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.http.OkHttpJsonRpcTransport;
import org.sipadapter.kamailio.dialog.Dialog;
import org.sipadapter.kamailio.dialog.DialogKey;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.net.FaultProxy;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.transport.JsonRpcClient;
import org.sipadapter.transport.JsonRpcException;

/** The typed RPC commands against a real Kamailio. */
class KamailioRpcTest {

  private static KamailioServer kamailio;
  private static SippProcess uas;
  private static OkHttpJsonRpcTransport transport;
  private static KamailioRpc rpc;

  @BeforeAll
  static void start() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");
    uas = SippProcess.uas(UasScenario.ANSWER).start();
    kamailio = KamailioServer.builder().route("2000", uas.port()).build().start();
    transport =
        OkHttpJsonRpcTransport.builder(kamailio.rpcUri())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    rpc = new KamailioRpc(new JsonRpcClient("kam-test", transport, Duration.ofSeconds(3), n -> {}));
  }

  @AfterAll
  static void stop() {
    if (transport != null) {
      transport.close();
    }
    if (uas != null) {
      uas.close();
    }
    if (kamailio != null) {
      kamailio.close();
    }
  }

  @Test
  void versionUptimeAndEmptyTables() {
    assertThat(rpc.version().join()).startsWith("kamailio 5.").doesNotEndWith(" ");
    assertThat(rpc.uptimeSeconds().join()).isGreaterThanOrEqualTo(0);
    assertThat(rpc.registeredContacts().join()).isEmpty();
    assertThat(rpc.activeDialogStats().join().all()).isGreaterThanOrEqualTo(0);
    assertThat(rpc.dialog("no-such-call").join()).isEmpty();
  }

  @Test
  void dialogStatisticsAreReadAsNameValuePairs() {
    Map<String, String> stats = rpc.statistics("dialog").join();
    assertThat(stats).containsKeys("dialog:active_dialogs", "dialog:processed_dialogs");
  }

  @Test
  void unknownMethodIsAJsonRpcErrorWithKamailiosCode() {
    assertThatThrownBy(() -> rpc.client().callSync("no.such"))
        .isInstanceOf(JsonRpcException.class)
        .satisfies(
            e -> {
              assertThat(((JsonRpcException) e).code()).isEqualTo(500);
              assertThat(((JsonRpcException) e).rpcMessage()).isEqualTo("Method Not Found");
            });
  }

  @Test
  void endingAnUnknownDialogFailsWith404() {
    assertThatThrownBy(() -> rpc.endDialog(new DialogKey(1, 2)).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(JsonRpcException.class)
        .hasMessageContaining("404")
        .hasMessageContaining("Dialog not found");
  }

  @Test
  void malformedJsonIsNeverAnsweredSoTheTransportTimesOut() {
    byte[] broken = "{\"jsonrpc\":\"2.0\",\"method\":".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> transport.post(broken, Duration.ofMillis(700)).join())
        .hasCauseInstanceOf(java.net.http.HttpTimeoutException.class);
  }

  @Test
  void serverThatStopsAnsweringGivesAdapterTimeoutException() {
    try (FaultProxy proxy = FaultProxy.start(KamailioServer.HOST, kamailio.sipPort());
        OkHttpJsonRpcTransport viaProxy =
            OkHttpJsonRpcTransport.builder(
                    java.net.URI.create("http://127.0.0.1:" + proxy.port() + "/RPC"))
                .connectTimeout(Duration.ofSeconds(1))
                .build()) {
      KamailioRpc slow =
          new KamailioRpc(
              new JsonRpcClient("kam-proxy", viaProxy, Duration.ofMillis(600), n -> {}));
      assertThat(slow.version().join()).startsWith("kamailio");
      proxy.blackHole();
      assertThatThrownBy(() -> slow.client().callSync("core.version"))
          .isInstanceOf(AdapterTimeoutException.class);
      proxy.restore();
      assertThat(slow.version().join()).startsWith("kamailio");
    }
  }

  @Test
  void liveDialogIsListedFoundByCallIdAndEndedByKey() {
    String callId = "rpc-live-" + System.nanoTime();
    try (SippProcess caller =
        SippProcess.uac(KamailioServer.HOST, kamailio.sipPort())
            .service("2000")
            .callDuration(Duration.ofSeconds(30))
            .extraArgs("-cid_str", callId)
            .start()) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  rpc.dialogs().join().stream()
                      .anyMatch(
                          d -> d.callId().equals(callId) && d.state() == DialogState.CONFIRMED));
      Dialog d = rpc.dialog(callId).join().orElseThrow();
      assertThat(d.toUri()).isEqualTo(kamailio.sipUri("2000"));

      rpc.endDialog(d.key()).join();

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                List<Dialog> now = rpc.dialogs().join();
                return now.stream().noneMatch(x -> x.callId().equals(callId) && !x.state().ended());
              });
    }
  }
}
