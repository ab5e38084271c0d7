package org.sipadapter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.CallRecord;
import org.sipadapter.cli.fake.FakeServer;

/** Every command that talks to servers, run as a user would, against the fake adapter. */
class ServerCommandsTest {
  private static final String PASSWORD = "s3cret-Pa55";

  @TempDir Path dir;
  private FakeServer server;
  private Path config;

  @BeforeEach
  void startServer() {
    server = FakeServer.start("ops", PASSWORD);
    config = configFor(server.port(), PASSWORD);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private Path configFor(int port, String password) {
    return CliRun.yaml(
        dir,
        "type: fake\nname: pbx-1\nport: "
            + port
            + "\nauth: { username: ops, password: \""
            + password
            + "\" }\ntimeouts: { request: 1s }\n");
  }

  @Test
  void callWithWaitPrintsEachStateAndEndsDisconnectedWithExitZero() {
    CliRun r =
        CliRun.of("call", "-c", config.toString(), "1000", "2000", "--hangup-after", "100ms");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).containsSubsequence("DIALING", "RINGING", "CONNECTED", "DISCONNECTED");
    assertThat(r.err()).contains("placed if://call/", "ended DISCONNECTED", "disposition ANSWERED");
    assertThat(server.calls()).isEmpty();
  }

  @Test
  void callWhoseHangupTheServerNeverConfirmsExitsOne() {
    server.acceptHangupsWithoutEvent();

    CliRun r =
        CliRun.of("call", "-c", config.toString(), "1000", "2000", "--hangup-after", "100ms");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NOT_OK);
    assertThat(r.out()).contains("DISCONNECTED", "(no hangup event)");
    assertThat(r.err()).contains("the server never reported the end of the call");
  }

  @Test
  void callToBusyDestinationEndsFailedWithUserBusyAndExitOne() {
    CliRun r = CliRun.of("call", "-c", config.toString(), "1000", "busy", "--wait", "--json");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NOT_OK);
    assertThat(r.out())
        .contains("\"state\":\"FAILED\"", "\"name\":\"USER_BUSY\"", "\"sipStatus\":486");
    assertThat(r.err()).contains("ended FAILED", "disposition BUSY");
  }

  @Test
  void callWithoutWaitPrintsTheIdAndLeavesTheCallUp() {
    CliRun r = CliRun.of("call", "-c", config.toString(), "1000", "2000");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().strip()).startsWith("if://call/");
    assertThat(r.out()).doesNotContain("DISCONNECTED");
  }

  @Test
  void numberWithLineBreakIsRefusedBeforeAnythingIsSent() {
    CliRun r = CliRun.of("call", "-c", config.toString(), "1000", "2000\r\nAction: Logoff");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("error: to");
    assertThat(server.calls()).isEmpty();
  }

  @Test
  void callsListsTheCallsUpOnTheServerWithTheirServerIds() {
    FakeServer.Call up = server.existingCall("1001", "2002");

    CliRun r = CliRun.of("calls", "-c", config.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("ADAPTER", "SERVER IDS")
        .contains("pbx-1", "inbound", "CONNECTED", "1001", "2002", "fake-id=" + up.id());
    assertThat(r.err()).contains("1 active call on pbx-1");
  }

  @Test
  void callsAsJsonGivesOneObjectPerCall() throws Exception {
    server.existingCall("1001", "2002");
    server.existingCall("1003", "2004");

    CliRun r = CliRun.of("calls", "-c", config.toString(), "--json");

    assertThat(r.exitCode()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines).hasSize(2);
    JsonNode first = new ObjectMapper().readTree(lines[0]);
    assertThat(first.get("adapter").asText()).isEqualTo("pbx-1");
    assertThat(first.get("state").asText()).isEqualTo("CONNECTED");
  }

  @Test
  void hangupByServerIdEndsTheCallOnTheServer() {
    FakeServer.Call up = server.existingCall("1001", "2002");

    CliRun r = CliRun.of("hangup", "-c", config.toString(), up.id());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("hung up if://call/", "DISCONNECTED", "NORMAL_CLEARING");
    assertThat(server.calls()).isEmpty();
  }

  @Test
  void hangupTheServerNeverConfirmsExitsOne() {
    FakeServer.Call up = server.existingCall("1001", "2002");
    server.acceptHangupsWithoutEvent();

    CliRun r = CliRun.of("hangup", "-c", config.toString(), up.id());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NOT_OK);
    assertThat(r.out()).contains("(no hangup event)");
    assertThat(r.err()).contains("never reported the end");
  }

  @Test
  void hangupOfUnknownCallSaysHowToListCalls() {
    CliRun r = CliRun.of("hangup", "-c", config.toString(), "if://call/nope");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.CALL);
    assertThat(r.err()).contains("no active call 'if://call/nope' on pbx-1", "sipadapter calls");
  }

  @Test
  void watchStreamsEventsAsJsonLinesUntilItsDurationEnds() throws Exception {
    CliRun r = CliRun.inBackground("watch", "-c", config.toString(), "--json", "--duration", "3s");
    await().atMost(Duration.ofSeconds(60)).until(() -> r.out().contains("\"state\":\"CONNECTED\""));

    FakeServer.Call c = server.existingCall("1001", "2002");
    server.remoteHangup(c.id());

    await().atMost(Duration.ofSeconds(60)).until(() -> r.exitCode() >= 0);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .containsSubsequence(
            "\"event\":\"ConnectionStateChanged\"",
            "\"event\":\"IncomingCall\"",
            "\"from\":\"1001\"",
            "\"state\":\"DISCONNECTED\"");
    for (String line : r.out().strip().split("\n")) {
      assertThat(new ObjectMapper().readTree(line).has("event")).as(line).isTrue();
    }
  }

  @Test
  void watchAsTextShowsOneLinePerEvent() {
    CliRun r = CliRun.inBackground("watch", "-c", config.toString(), "--duration", "2s");
    await().atMost(Duration.ofSeconds(60)).until(() -> r.out().contains("link"));

    server.existingCall("1001", "2002");

    await().atMost(Duration.ofSeconds(60)).until(() -> r.exitCode() >= 0);
    assertThat(r.out()).contains("pbx-1", "incoming", "from 1001 to 2002");
    assertThat(r.err()).contains("watching pbx-1");
  }

  @Test
  void healthPrintsAJsonReportAndExitsZeroWhenHealthy() throws Exception {
    CliRun r = CliRun.of("health", "-c", config.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("status").asText()).isEqualTo("HEALTHY");
    JsonNode a = report.get("adapters").get(0);
    assertThat(a.get("adapter").asText()).isEqualTo("pbx-1");
    assertThat(a.get("serverVersion").asText()).isEqualTo("fake 1.2.3");
    assertThat(a.get("connection").asText()).isEqualTo("CONNECTED");
  }

  @Test
  void healthReportsAnUnreachableServerCriticalWithTheReason() throws Exception {
    Path two =
        CliRun.yaml(
            dir,
            "adapters:\n"
                + "  - { type: fake, name: up, port: "
                + server.port()
                + ", auth: { username: ops, password: \""
                + PASSWORD
                + "\" } }\n"
                + "  - { type: fake, name: down, port: "
                + FakeServer.unusedPort()
                + ", auth: { username: ops, password: x } }\n");

    CliRun r = CliRun.of("health", "-c", two.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NOT_OK);
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("status").asText()).isEqualTo("CRITICAL");
    assertThat(report.get("adapters").get(0).get("status").asText()).isEqualTo("HEALTHY");
    JsonNode down = report.get("adapters").get(1);
    assertThat(down.get("status").asText()).isEqualTo("CRITICAL");
    assertThat(down.get("error").asText()).contains("Connection refused");
  }

  @Test
  void cdrWritesACsvRowForEachCallThatEnds() {
    CliRun r = CliRun.inBackground("cdr", "-c", config.toString(), "--calls", "1");
    await().atMost(Duration.ofSeconds(60)).until(() -> r.out().contains("call_id"));

    FakeServer.Call c = server.existingCall("1001", "2002");
    server.remoteHangup(c.id());

    await().atMost(Duration.ofSeconds(60)).until(() -> r.exitCode() >= 0);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String[] lines = r.out().strip().split("\r?\n");
    assertThat(lines[0]).isEqualTo(CallRecord.CSV_HEADER);
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).contains("pbx-1", "fake", "INBOUND", "1001", "2002", "DISCONNECTED");
  }

  @Test
  void cdrAsJsonLinesStopsAfterItsDuration() throws Exception {
    CliRun r = CliRun.of("cdr", "-c", config.toString(), "--format", "json", "--duration", "300ms");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("recording calls that end on pbx-1");
  }

  @Test
  void unreachableServerSaysWhereItTriedAndWhatToCheck() {
    Path cfg = configFor(FakeServer.unusedPort(), PASSWORD);

    CliRun r = CliRun.of("calls", "-c", cfg.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(r.err())
        .contains("cannot connect to 127.0.0.1:", "Connection refused")
        .contains("hint: is the server running");
  }

  @Test
  void refusedCredentialsExitFiveAndThePasswordIsNeverPrinted() {
    Path cfg = configFor(server.port(), "wrong-" + PASSWORD);

    CliRun r = CliRun.of("-v", "calls", "-c", cfg.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.AUTH);
    assertThat(r.err()).contains("login refused for user 'ops'", "auth.password");
    assertThat(r.all()).doesNotContain(PASSWORD);
  }

  @Test
  void aSecretQuotedBackInAnEventIsMaskedInTheOutput() {
    // A caller name that happens to equal the password must not leak it either.
    server.existingCall(PASSWORD, "2002");

    CliRun r = CliRun.of("calls", "-c", config.toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("******").doesNotContain(PASSWORD);
  }

  @Test
  void singleAdapterCommandsAskWhichAdapterWhenTheFileHoldsSeveral() {
    Path two =
        CliRun.yaml(
            dir,
            "adapters:\n"
                + "  - { type: fake, name: a, port: "
                + server.port()
                + ", auth: { username: ops, password: x } }\n"
                + "  - { type: fake, name: b, port: "
                + server.port()
                + ", auth: { username: ops, password: x } }\n");

    CliRun r = CliRun.of("call", "-c", two.toString(), "1", "2");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("choose one with --adapter NAME", "a, b");
  }
}
