package org.sipadapter.testkit.kamailio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

class KamailioServerTest {

  private static KamailioServer kamailio;
  private static SippProcess uas;

  private final List<SippProcess> uacs = new ArrayList<>();

  @BeforeAll
  static void startKamailioAndAnsweringPhone() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/sipp")), "SIPp is not installed");
    uas = SippProcess.uas(UasScenario.ANSWER).start();
    kamailio = KamailioServer.builder().route("2000", uas.port()).build().start();
  }

  @AfterAll
  static void stopAll() {
    if (uas != null) {
      uas.close();
    }
    if (kamailio != null) {
      kamailio.close();
    }
  }

  @AfterEach
  void stopCallers() {
    uacs.forEach(SippProcess::close);
  }

  @Test
  void answersCoreVersionOverHttpOnTheSipTcpPort() {
    assertThat(kamailio.isRunning()).isTrue();
    assertThat(kamailio.rpc("core.version")).contains("\"result\":\"kamailio 5.");
    assertThat(kamailio.rpcUri().toString())
        .isEqualTo("http://127.0.0.1:" + kamailio.sipPort() + "/RPC");
  }

  @Test
  void writesItsConfigurationAndLogIntoItsOwnDirectory() throws IOException {
    assertThat(kamailio.configPath()).startsWith(kamailio.workDir());
    String cfg = Files.readString(kamailio.configPath());
    assertThat(cfg)
        .contains("listen=tcp:127.0.0.1:" + kamailio.sipPort())
        .contains("127.0.0.1:" + kamailio.evapiPort())
        .contains("$rU == \"2000\"")
        .doesNotContain("@@");
    assertThat(kamailio.logText()).contains("Listening on");
    assertThat(kamailio.workDir().resolve("run/kamailio.pid")).exists();
  }

  @Test
  void answeredCallShowsInDlgListAndItsEventsArriveOverEvapi() throws Exception {
    try (EvapiTap tap = new EvapiTap(kamailio.evapiPort())) {
      String callId = "kstest-answered-" + System.nanoTime();
      // Held long enough that a slow poll on a loaded machine still sees the confirmed dialog.
      SippProcess uac = caller("2000", callId, 10_000);
      uacs.add(uac);

      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(kamailio.rpc("dlg.list"))
                      .as(() -> "caller: " + uac + "\n" + uac.logText())
                      .contains("\"call-id\":\"" + callId + "\"")
                      .contains("\"state\":4"));
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(tap.text())
                      .contains("{\"event\":\"dialog:early\"")
                      .contains("{\"event\":\"dialog:start\"")
                      .contains("\"callid\":\"" + callId + "\"")
                      .contains("\"to_uri\":\"sip:2000@127.0.0.1:" + kamailio.sipPort() + "\""));
      // The caller hangs up after 10 s: the BYE must reach the UAS without Route headers.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(tap.text()).contains("{\"event\":\"dialog:end\""));
    }
  }

  @Test
  void callToAnUnroutedUserFailsAndIsPublishedAsDialogFailed() throws Exception {
    try (EvapiTap tap = new EvapiTap(kamailio.evapiPort())) {
      String callId = "kstest-unrouted-" + System.nanoTime();
      uacs.add(caller("9999", callId, 1000));
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(tap.text())
                      .containsPattern(
                          "\\d+:\\{\"event\":\"dialog:failed\",[^}]*\"callid\":\"" + callId));
    }
  }

  @Test
  void restartKeepsThePortsAndForgetsDialogs() {
    int port = kamailio.sipPort();
    int pid = kamailio.pid().orElseThrow();
    kamailio.restart();
    assertThat(kamailio.sipPort()).isEqualTo(port);
    assertThat(kamailio.pid().orElseThrow()).isNotEqualTo(pid);
    assertThat(kamailio.rpc("dlg.list")).contains("\"result\":[]");
    assertThat(kamailio.logText()).contains("==== start 2:");
  }

  @Test
  void stoppedServerReleasesItsPortsAndCanStartAgain() throws IOException {
    KamailioServer other = KamailioServer.builder().build().start();
    int port = other.sipPort();
    other.stop();
    assertThat(other.isRunning()).isFalse();
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
    }
    other.start();
    assertThat(other.rpc("core.uptime")).contains("\"uptime\"");
    other.close();
  }

  @Test
  void configuredRpcTokenIsRequiredAndFrozenServerAnswersNothingUntilThawed() throws Exception {
    try (KamailioServer guarded =
        KamailioServer.builder().rpcToken("s3cret-token").build().start()) {
      assertThat(guarded.rpc("core.version")).contains("\"result\"");
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpRequest anonymous =
          java.net.http.HttpRequest.newBuilder(guarded.rpcUri())
              .timeout(Duration.ofSeconds(2))
              .POST(
                  java.net.http.HttpRequest.BodyPublishers.ofString(
                      "{\"jsonrpc\":\"2.0\",\"method\":\"core.version\",\"id\":1}"))
              .build();
      assertThat(
              http.send(anonymous, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(401);

      guarded.freeze();
      assertThatThrownBy(
              () -> http.send(anonymous, java.net.http.HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(java.net.http.HttpTimeoutException.class);
      guarded.thaw();
      assertThat(guarded.rpc("core.uptime")).contains("\"uptime\"");
    }
  }

  @Test
  void refusesUsersThatWouldInjectIntoTheConfiguration() {
    assertThatThrownBy(() -> KamailioServer.builder().route("a\"; exit; #", 5060))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KamailioServer.builder().route("a\nb", 5060))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KamailioServer.builder().rpcToken("x\") { exit; } #"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- SIPp and evapi helpers ------------------------------------------------------------------

  private SippProcess caller(String user, String callId, int holdMillis) {
    return SippProcess.uac(KamailioServer.HOST, kamailio.sipPort())
        .service(user)
        .callDuration(Duration.ofMillis(holdMillis))
        .extraArgs("-cid_str", callId)
        .start();
  }

  /** Collects everything Kamailio pushes over evapi. */
  private static final class EvapiTap implements AutoCloseable {
    private final Socket socket;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Thread reader;

    EvapiTap(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      reader =
          new Thread(
              () -> {
                byte[] buf = new byte[4096];
                try (InputStream in = socket.getInputStream()) {
                  for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (bytes) {
                      bytes.write(buf, 0, n);
                    }
                  }
                } catch (IOException closed) {
                  // socket closed by the test
                }
              },
              "evapi-tap");
      reader.setDaemon(true);
      reader.start();
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
