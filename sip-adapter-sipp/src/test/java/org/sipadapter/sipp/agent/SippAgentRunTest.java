package org.sipadapter.sipp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/** Runs started through the agent's API against real SIPp user agent servers. */
class SippAgentRunTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static SippAgent agent;
  private static AgentHttp http;

  @BeforeAll
  static void startAgent() {
    agent = SippAgent.start(AgentConfig.builder().stopGrace(Duration.ofSeconds(3)).build());
    http = new AgentHttp(agent.baseUri(), null);
  }

  @AfterAll
  static void stopAgent() {
    agent.close();
  }

  /** The call states the agent published for a run, in order. */
  private static List<String> callStates(String runId) {
    List<String> states = new ArrayList<>();
    JsonNode page = http.get("/events?after=0&max=10000").json();
    for (JsonNode e : page.get("events")) {
      if (e.get("runId").asText().equals(runId) && e.get("type").asText().equals("call")) {
        states.add(e.get("call").get("state").asText());
      }
    }
    return states;
  }

  private static JsonNode lastCall(String runId) {
    JsonNode calls = http.get("/calls/" + runId).json().get("calls");
    return calls.get(calls.size() - 1);
  }

  private static String startCall(int port, String to) {
    var r =
        http.post(
            "/calls",
            "{\"scenario\":\"call\",\"target\":\"127.0.0.1:"
                + port
                + "\",\"from\":\"1000\",\"to\":\""
                + to
                + "\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  @Test
  void callToAnsweringUasConnectsAndStopHangsUpWithBye() {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).start()) {
      String id = startCall(uas.port(), "2000");
      await().atMost(WAIT).until(() -> callStates(id).contains("CONNECTED"));

      JsonNode ended = http.delete("/calls/" + id).json();

      assertThat(callStates(id)).containsExactly("DIALING", "RINGING", "CONNECTED", "DISCONNECTED");
      assertThat(lastCall(id).get("hangupBy").asText()).isEqualTo("local");
      assertThat(ended.get("state").asText()).isEqualTo("ENDED");
      assertThat(ended.get("exitCode").asInt()).isZero();
      assertThat(ended.get("verdict").asText()).isEqualTo("PASSED");
      assertThat(ended.get("stats").get("successfulCalls").asLong()).isEqualTo(1);
      await().atMost(WAIT).until(() -> uas.stats().successfulCalls() == 1);
    }
  }

  @Test
  void callToBusyUasFailsWith486AndExitCodeOne() {
    try (SippProcess uas = SippProcess.uas(UasScenario.BUSY).start()) {
      String id = startCall(uas.port(), "busy");
      await()
          .atMost(WAIT)
          .until(() -> "ENDED".equals(http.get("/calls/" + id).json().get("state").asText()));

      JsonNode run = http.get("/calls/" + id).json();
      assertThat(run.get("exitCode").asInt()).isEqualTo(1);
      assertThat(run.get("verdict").asText()).isEqualTo("FAILED");
      assertThat(run.get("stats").get("failureCauses").has("UnexpectedMessage")).isTrue();
      assertThat(callStates(id)).containsExactly("DIALING", "FAILED");
      assertThat(lastCall(id).get("status").asInt()).isEqualTo(486);
    }
  }

  @Test
  void stoppingARingingCallCancelsIt() {
    try (SippProcess uas = SippProcess.uas(UasScenario.NO_ANSWER).start()) {
      String id = startCall(uas.port(), "nobody");
      await().atMost(WAIT).until(() -> callStates(id).contains("RINGING"));

      JsonNode ended = http.delete("/calls/" + id).json();

      assertThat(callStates(id)).containsExactly("DIALING", "RINGING", "DISCONNECTED");
      JsonNode call = lastCall(id);
      assertThat(call.get("status").asInt()).isEqualTo(487);
      assertThat(call.get("hangupBy").asText()).isEqualTo("local");
      assertThat(ended.get("exitCode").asInt()).isZero();
      String trace = http.get("/logs/" + id).json().get("messages").asText();
      assertThat(trace).contains("CANCEL sip:nobody@").doesNotContain("BYE sip:");
    }
  }

  @Test
  void farEndHangupIsSeenAsRemoteDisconnect() {
    try (SippProcess uas =
        SippProcess.uas(UasScenario.ANSWER)
            .scenarioResource("/scenarios/uas-answer-then-bye.xml")
            .callDuration(Duration.ofMillis(300))
            .start()) {
      String id = startCall(uas.port(), "2000");
      await().atMost(WAIT).until(() -> callStates(id).contains("DISCONNECTED"));

      assertThat(callStates(id)).containsExactly("DIALING", "RINGING", "CONNECTED", "DISCONNECTED");
      assertThat(lastCall(id).get("hangupBy").asText()).isEqualTo("remote");
      await()
          .atMost(WAIT)
          .until(() -> "ENDED".equals(http.get("/calls/" + id).json().get("state").asText()));
      assertThat(http.get("/calls/" + id).json().get("verdict").asText()).isEqualTo("PASSED");
    }
  }

  @Test
  void loadRunTotalsMatchSippStatFile() {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).traceMessages(false).start()) {
      var r =
          http.post(
              "/calls",
              "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:"
                  + uas.port()
                  + "\",\"count\":20,\"rate\":40,\"callDurationMs\":0}");
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      String id = r.json().get("id").asText();
      await()
          .atMost(WAIT)
          .until(() -> "ENDED".equals(http.get("/calls/" + id).json().get("state").asText()));

      JsonNode run = http.get("/calls/" + id).json();
      assertThat(run.get("verdict").asText()).isEqualTo("PASSED");
      assertThat(run.get("stats").get("successfulCalls").asLong()).isEqualTo(20);
      assertThat(run.get("stats").get("totalCallCreated").asLong()).isEqualTo(20);
      assertThat(run.get("calls")).isEmpty(); // load runs are not traced by default
      JsonNode perRun = null;
      for (JsonNode one : http.get("/stats").json().get("runs")) {
        if (one.get("id").asText().equals(id)) {
          perRun = one;
        }
      }
      assertThat(perRun).isNotNull();
      assertThat(perRun.get("stats").get("successfulCalls").asLong()).isEqualTo(20);
      assertThat(http.get("/stats").json().get("aggregate").get("successfulCalls").asLong())
          .isGreaterThanOrEqualTo(20);
    }
  }

  @Test
  void patchChangesTheRateOfARunningLoadThroughTheControlSocket() {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).traceMessages(false).start()) {
      var r =
          http.post(
              "/calls",
              "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:"
                  + uas.port()
                  + "\",\"count\":100000,\"rate\":1,\"callDurationMs\":0}");
      String id = r.json().get("id").asText();
      await().atMost(WAIT).until(() -> statOf(id, "targetRate") == 1.0);

      var patched = http.patch("/calls/" + id, "{\"rate\":7,\"limit\":50}");

      assertThat(patched.status()).as(patched.body()).isEqualTo(200);
      assertThat(patched.json().get("sent").toString()).contains("set rate 7", "set limit 50");
      await().atMost(WAIT).until(() -> statOf(id, "targetRate") == 7.0);
      JsonNode ended = http.delete("/calls/" + id).json();
      assertThat(ended.get("state").asText()).isEqualTo("ENDED");
      assertThat(ended.get("stopRequested").asBoolean()).isTrue();
      assertThat(http.patch("/calls/" + id, "{\"rate\":3}").status()).isEqualTo(409);
    }
  }

  @Test
  void builtInRegisterScenarioRegistersAtARegistrar() {
    try (SippProcess registrar =
        SippProcess.uas(UasScenario.ANSWER)
            .scenarioResource("/scenarios/uas-registrar.xml")
            .start()) {
      String id =
          start(
              "{\"scenario\":\"register\",\"target\":\"127.0.0.1:"
                  + registrar.port()
                  + "\",\"to\":\"alice\"}");
      await()
          .atMost(WAIT)
          .until(() -> "ENDED".equals(http.get("/calls/" + id).json().get("state").asText()));

      JsonNode run = http.get("/calls/" + id).json();
      assertThat(run.get("verdict").asText())
          .as(http.get("/logs/" + id).body())
          .isEqualTo("PASSED");
      assertThat(http.get("/logs/" + id).json().get("messages").asText())
          .contains("REGISTER sip:127.0.0.1:", "From: <sip:alice@");
    }
  }

  @Test
  void builtInTransferScenarioRefersTheFarEndAndHangsUp() {
    try (SippProcess farEnd =
        SippProcess.uas(UasScenario.ANSWER)
            .scenarioResource("/scenarios/uas-accept-transfer.xml")
            .start()) {
      String id =
          start(
              "{\"scenario\":\"call_with_transfer\",\"target\":\"127.0.0.1:"
                  + farEnd.port()
                  + "\",\"to\":\"2000\",\"transferTo\":\"3000\",\"callDurationMs\":100}");
      await()
          .atMost(WAIT)
          .until(() -> "ENDED".equals(http.get("/calls/" + id).json().get("state").asText()));

      JsonNode run = http.get("/calls/" + id).json();
      assertThat(run.get("verdict").asText())
          .as(http.get("/logs/" + id).body())
          .isEqualTo("PASSED");
      assertThat(http.get("/logs/" + id).json().get("messages").asText())
          .contains("Refer-To: <sip:3000@", "SIP/2.0 202 Accepted", "NOTIFY sip:");
      await().atMost(WAIT).until(() -> farEnd.stats().successfulCalls() == 1);
    }
  }

  private static String start(String body) {
    var r = http.post("/calls", body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  private static double statOf(String id, String field) {
    return http.get("/calls/" + id).json().get("stats").get(field).asDouble();
  }

  @Test
  void uasRunReportsAnInboundCall() throws InterruptedException {
    var r = http.post("/calls", "{\"scenario\":\"uas\"}");
    String id = r.json().get("id").asText();
    int port = r.json().get("localPort").asInt();
    try (SippProcess uac =
        SippProcess.uac("127.0.0.1", port).service("3000").callDuration(Duration.ZERO).start()) {
      assertThat(uac.awaitExit(WAIT)).isZero();
    }
    await().atMost(WAIT).until(() -> callStates(id).contains("DISCONNECTED"));
    assertThat(callStates(id)).containsExactly("INCOMING", "RINGING", "CONNECTED", "DISCONNECTED");
    assertThat(lastCall(id).get("direction").asText()).isEqualTo("inbound");
    assertThat(lastCall(id).get("to").asText()).contains("sip:3000@");
    http.delete("/calls/" + id);
  }

  @Test
  void agentShutdownHangsUpItsCallsWithAByeBeforeEndingSipp() {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).start()) {
      SippAgent own = SippAgent.start(AgentConfig.builder().build());
      AgentHttp ownHttp = new AgentHttp(own.baseUri(), null);
      var r =
          ownHttp.post(
              "/calls", "{\"scenario\":\"call\",\"target\":\"127.0.0.1:" + uas.port() + "\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      String id = r.json().get("id").asText();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  "CONNECTED"
                      .equals(
                          ownHttp
                              .get("/calls/" + id)
                              .json()
                              .get("calls")
                              .path(0)
                              .path("state")
                              .asText()));

      own.close();

      // the far end got its BYE and ended the call: it is not left up
      await().atMost(WAIT).until(() -> uas.stats().successfulCalls() == 1);
      assertThat(uas.messageTrace()).contains("BYE sip:");
    }
  }

  @Test
  void hangupByMarkerHoldsWhicheverOfStartAndHangupTheAgentReadsFirst() {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).start()) {
      String target = "\"target\":\"127.0.0.1:" + uas.port() + "\"";

      // hangup read first: the start that follows is refused, nothing is sent
      assertThat(http.delete("/calls?marker=abc123.first").status()).isEqualTo(200);
      var refused =
          http.post("/calls", "{\"scenario\":\"call\"," + target + ",\"marker\":\"abc123.first\"}");
      assertThat(refused.status()).as(refused.body()).isEqualTo(409);

      // start read first: the hangup ends the running call with a BYE
      var started =
          http.post(
              "/calls", "{\"scenario\":\"call\"," + target + ",\"marker\":\"abc123.second\"}");
      assertThat(started.status()).as(started.body()).isEqualTo(201);
      String id = started.json().get("id").asText();
      assertThat(started.json().get("spec").get("marker").asText()).isEqualTo("abc123.second");
      await().atMost(WAIT).until(() -> callStates(id).contains("CONNECTED"));

      var stopped = http.delete("/calls?marker=abc123.second");
      assertThat(stopped.json().get("runs").get(0).asText()).isEqualTo(id);
      await()
          .atMost(WAIT)
          .until(() -> "ENDED".equals(http.get("/calls/" + id).json().get("state").asText()));
      assertThat(lastCall(id).get("hangupBy").asText()).isEqualTo("local");
      JsonNode page = http.get("/events?after=0&max=10000").json();
      for (JsonNode e : page.get("events")) {
        if (e.get("runId").asText().equals(id)) {
          assertThat(e.get("marker").asText()).isEqualTo("abc123.second");
        }
      }
    }
  }
}
