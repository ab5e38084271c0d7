package org.sipadapter.sipp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's HTTP API over real HTTP, with bad inputs; no SIP traffic here. */
class SippAgentApiTest {

  private static final String UAS_XML =
      """
      <?xml version="1.0" encoding="ISO-8859-1" ?>
      <!DOCTYPE scenario SYSTEM "sipp.dtd">
      <scenario name="ok">
        <recv request="INVITE"/>
        <send><![CDATA[

          SIP/2.0 603 Decline
          [last_Via:]
          [last_From:]
          [last_To:];tag=[pid]SIPpTag01[call_number]
          [last_Call-ID:]
          [last_CSeq:]
          Content-Length: 0

        ]]></send>
      </scenario>
      """;

  private static SippAgent agent;
  private static AgentHttp http;

  @BeforeAll
  static void startAgent() {
    agent = SippAgent.start(AgentConfig.builder().maxUploadBytes(4096).maxRuns(2).build());
    http = new AgentHttp(agent.baseUri(), null);
  }

  @AfterAll
  static void stopAgent() {
    agent.close();
  }

  @Test
  void healthReportsUpWithTheInstalledSippVersion() {
    var r = http.get("/health");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asText()).isEqualTo("UP");
    assertThat(r.json().get("sippVersion").asText()).startsWith("v3.");
  }

  @Test
  void agentBindsLoopbackByDefault() {
    assertThat(agent.baseUri().getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void scenarioListHoldsTheBuiltIns() {
    var r = http.get("/scenarios");
    assertThat(r.status()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    r.json().forEach(s -> names.add(s.get("name").asText()));
    assertThat(names).contains("uac", "uas", "call", "register", "call_with_transfer");
  }

  @Test
  void validUploadIsStoredAndItsRoleInferred() {
    var r = http.post("/scenarios?name=decline", UAS_XML);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().get("role").asText()).isEqualTo("UAS");
    assertThat(http.get("/scenarios/decline").status()).isEqualTo(200);
    assertThat(http.delete("/scenarios/decline").status()).isEqualTo(200);
    assertThat(http.get("/scenarios/decline").status()).isEqualTo(404);
  }

  @Test
  void malformedXmlIsRefusedWith400() {
    var r =
        http.post("/scenarios?name=broken", "<?xml version=\"1.0\"?><scenario><send></scenario>");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").asText()).contains("not well-formed");
  }

  @Test
  void documentThatIsNotAScenarioIsRefused() {
    assertThat(
            http.post("/scenarios?name=x", "<?xml version=\"1.0\"?><html><body/></html>").status())
        .isEqualTo(400);
    assertThat(
            http.post("/scenarios?name=x", "<?xml version=\"1.0\"?><scenario><exec/></scenario>")
                .status())
        .isEqualTo(400);
    assertThat(http.post("/scenarios?name=x", "<?xml version=\"1.0\"?><scenario/>").status())
        .isEqualTo(400);
  }

  @Test
  void externalEntityIsNeverResolved() {
    String xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE scenario [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<scenario><send>&x;</send></scenario>";
    var r = http.post("/scenarios?name=xxe", xxe);
    if (r.status() == 201) {
      assertThat(http.get("/scenarios/xxe").body()).doesNotContain("root:");
      http.delete("/scenarios/xxe");
    } else {
      assertThat(r.status()).isEqualTo(400);
    }
  }

  @Test
  void hugeUploadIsRefusedWith413() {
    byte[] huge = new byte[64 * 1024];
    java.util.Arrays.fill(huge, (byte) ' ');
    var r = http.post("/scenarios?name=huge", huge);
    assertThat(r.status()).isEqualTo(413);
  }

  @Test
  void builtInNamesCannotBeReplacedOrDeleted() {
    assertThat(http.post("/scenarios?name=uac", UAS_XML).status()).isEqualTo(409);
    assertThat(http.delete("/scenarios/call").status()).isEqualTo(409);
  }

  @Test
  void scenarioNameWithPathTraversalIsRefused() {
    assertThat(http.post("/scenarios?name=..%2F..%2Fetc%2Fpasswd", UAS_XML).status())
        .isEqualTo(400);
    assertThat(http.post("/scenarios?name=a%2Fb", UAS_XML).status()).isEqualTo(400);
  }

  @Test
  void runIdWithPathTraversalIsRefusedOrUnknown() {
    assertThat(http.get("/calls/..%2F..%2Fetc%2Fpasswd").status()).isEqualTo(400);
    assertThat(http.get("/logs/..%2Fscenarios").status()).isEqualTo(400);
    assertThat(http.get("/logs/r-000000000000").status()).isEqualTo(404);
    assertThat(http.get("/logs/../../etc/passwd").status()).isIn(400, 404);
  }

  @Test
  void unknownScenarioIsRefusedWith404() {
    var r = http.post("/calls", "{\"scenario\":\"nope\",\"target\":\"127.0.0.1:5060\"}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("error").asText()).contains("unknown scenario");
  }

  @Test
  void shellMetacharactersInFieldsAreRefusedBeforeAnyProcessStarts() {
    int before = http.get("/calls").json().size();
    for (String body :
        List.of(
            "{\"scenario\":\"call\",\"target\":\"127.0.0.1:5060\",\"to\":\"2000;rm -rf /\"}",
            "{\"scenario\":\"call\",\"target\":\"127.0.0.1:5060\",\"from\":\"$(reboot)\"}",
            "{\"scenario\":\"call\",\"target\":\"127.0.0.1:5060`id`\"}",
            "{\"scenario\":\"call\",\"target\":\"127.0.0.1:5060 -sf /etc/passwd\"}",
            "{\"scenario\":\"call\",\"target\":\"127.0.0.1:5060\",\"to\":\"a\\r\\nVia: x\"}",
            "{\"scenario\":\"call\",\"target\":\"127.0.0.1:5060\",\"to\":\"a|b\"}",
            "{\"scenario\":\"uac;ls\",\"target\":\"127.0.0.1:5060\"}")) {
      var r = http.post("/calls", body);
      assertThat(r.status()).as(body).isEqualTo(400);
    }
    assertThat(http.get("/calls").json().size()).isEqualTo(before);
  }

  @Test
  void outOfRangeNumbersAreRefused() {
    assertThat(
            http.post("/calls", "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:5060\",\"rate\":-1}")
                .status())
        .isEqualTo(400);
    assertThat(
            http.post("/calls", "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:99999\"}").status())
        .isEqualTo(400);
    assertThat(http.post("/calls", "{\"scenario\":\"uas\",\"localPort\":80}").status())
        .isEqualTo(400);
    assertThat(http.post("/calls", "{\"scenario\":\"uac\"}").status()).isEqualTo(400);
  }

  @Test
  void malformedOrUnknownJsonIsRefusedWith400() {
    assertThat(http.post("/calls", "{\"scenario\":").status()).isEqualTo(400);
    assertThat(http.post("/calls", "{\"scenario\":\"uac\",\"shell\":\"ls\"}").status())
        .isEqualTo(400);
    assertThat(http.patch("/calls/r-000000000000", "{\"rate\":\"fast\"}").status()).isEqualTo(400);
  }

  @Test
  void unknownEndpointsAndMethodsAreRefused() {
    assertThat(http.get("/nope").status()).isEqualTo(404);
    assertThat(http.delete("/health").status()).isEqualTo(405);
    assertThat(http.get("/calls/a/b/c").status()).isEqualTo(404);
  }

  @Test
  void eventsLongPollReturnsAfterTheWaitWhenNothingHappens() {
    long last = http.get("/health").json().get("lastEventSeq").asLong();
    var r = http.get("/events?after=" + (last + 1000) + "&waitMs=50");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("events").size()).isZero();
    assertThat(http.get("/events?waitMs=999999").status()).isEqualTo(400);
  }

  @Test
  void tokenIsRequiredWhenConfiguredAndNeverEchoed() {
    String token = "s3cret-token-0123456789";
    try (SippAgent secured = SippAgent.start(AgentConfig.builder().token(token).build())) {
      assertThat(new AgentHttp(secured.baseUri(), null).get("/health").status()).isEqualTo(401);
      var wrong = new AgentHttp(secured.baseUri(), "wrong-token-0123456789").get("/health");
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.body()).doesNotContain(token);
      assertThat(new AgentHttp(secured.baseUri(), token).get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void bindingBeyondLoopbackWithoutTokenIsRefused() {
    assertThatThrownBy(() -> AgentConfig.builder().bind("0.0.0.0").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token");
    AgentConfig withToken =
        AgentConfig.builder().bind("0.0.0.0").token("0123456789abcdef0123").build();
    assertThat(withToken.toString()).doesNotContain("0123456789abcdef0123");
  }

  @Test
  void commandLineParsesOptionsAndTakesTheTokenOnlyFromEnvironmentOrFile() {
    AgentConfig c =
        SippAgentMain.parse(
            new String[] {"agent", "--port", "0", "--max-runs", "3"}, "env-token-0123456789");
    assertThat(c.maxRuns()).isEqualTo(3);
    assertThat(c.bearerToken()).contains("env-token-0123456789");
    assertThatThrownBy(() -> SippAgentMain.parse(new String[] {"--token", "x"}, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void processCapRefusesRunsBeyondTheLimit() {
    List<String> ids = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        var r = http.post("/calls", "{\"scenario\":\"uas\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        ids.add(r.json().get("id").asText());
      }
      var third = http.post("/calls", "{\"scenario\":\"uas\"}");
      assertThat(third.status()).isEqualTo(429);
    } finally {
      for (String id : ids) {
        JsonNode ended = http.delete("/calls/" + id + "?force=true").json();
        assertThat(ended.get("state").asText()).isEqualTo("ENDED");
      }
    }
  }

  @Test
  void stopWithoutWaitingAnswers202AndTheRunEndsInTheBackground() {
    String id = http.post("/calls", "{\"scenario\":\"uas\"}").json().get("id").asText();

    var r = http.delete("/calls/" + id + "?wait=false&graceMs=0");

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().get("stopRequested").asBoolean()).isTrue();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(() -> "ENDED".equals(http.get("/calls/" + id).json().get("state").asText()));
    assertThat(http.get("/calls/" + id).json().get("verdict").asText()).isEqualTo("STOPPED");
  }

  @Test
  void logsAreCappedToTheRequestedSize() {
    // one call toward a port where nothing listens: SIPp traces its INVITE retransmissions
    var r = http.post("/calls", "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:9\"}");
    String id = r.json().get("id").asText();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(() -> http.get("/logs/" + id).json().get("messagesBytes").asLong() > 100);
    http.delete("/calls/" + id + "?force=true");

    JsonNode logs = http.get("/logs/" + id + "?maxBytes=100").json();

    assertThat(logs.get("messages").asText().getBytes(StandardCharsets.ISO_8859_1).length)
        .isLessThanOrEqualTo(100);
    assertThat(logs.get("messagesBytes").asLong()).isGreaterThan(100);
    assertThat(logs.has("errors")).isTrue();
    assertThat(logs.has("stderr")).isTrue();
    assertThat(http.get("/logs/" + id + "?maxBytes=999999999").status()).isEqualTo(400);
  }

  @Test
  void scenarioSippRefusesGives422WithSippsReason() {
    String xml =
        "<?xml version=\"1.0\"?><scenario><send><![CDATA[\n\nOPTIONS sip:x@[remote_ip] SIP/2.0\n\n]]></send>"
            + "<pause milliseconds=\"abc\"/></scenario>";
    assertThat(http.post("/scenarios?name=badpause", xml).status()).isEqualTo(201);

    var r = http.post("/calls", "{\"scenario\":\"badpause\",\"target\":\"127.0.0.1:9\"}");

    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("error").asText()).contains("not a floating point number");
    http.delete("/scenarios/badpause");
  }

  @Test
  void receiveStepWithoutMessageIsRefusedAtUpload() {
    assertThat(
            http.post("/scenarios?name=x", "<?xml version=\"1.0\"?><scenario><recv/></scenario>")
                .status())
        .isEqualTo(400);
    assertThat(
            http.post("/scenarios?name=x", "<scenario><recv request=\"INVITE\"/></scenario>")
                .status())
        .as("no XML declaration")
        .isEqualTo(400);
  }

  @Test
  void closingTheAgentKillsItsSippChildren() {
    SippAgent other = SippAgent.start(AgentConfig.builder().build());
    AgentHttp client = new AgentHttp(other.baseUri(), null);
    long pid = client.post("/calls", "{\"scenario\":\"uas\"}").json().get("pid").asLong();
    assertThat(ProcessHandle.of(pid)).isPresent();

    other.close();

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void aSippThatHasNotBoundItsPortsWithinTheStartTimeoutIsKilledAndNeverReportedStarted(
      @TempDir Path dir) throws Exception {
    // Stands in for a sipp process on an overloaded host: alive, but no socket bound yet.
    Path pidFile = dir.resolve("pid");
    Path slowSipp = dir.resolve("slow-sipp");
    Files.writeString(
        slowSipp,
        "#!/bin/sh\n"
            + "if [ \"$1\" = -v ]; then echo ' SIPp v3.6.1-slow'; exit 0; fi\n"
            + "echo $$ > '"
            + pidFile
            + "'\n"
            + "exec sleep 120\n");
    assertThat(slowSipp.toFile().setExecutable(true)).isTrue();
    try (SippAgent slow =
        SippAgent.start(
            AgentConfig.builder()
                .sippBinary(slowSipp.toString())
                .startTimeout(Duration.ofSeconds(2))
                .build())) {
      AgentHttp client = new AgentHttp(slow.baseUri(), null);

      var reply = client.post("/calls", "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:5060\"}");

      assertThat(reply.status()).as(reply.body()).isEqualTo(503);
      assertThat(reply.body()).contains("did not bind");
      assertThat(client.get("/calls").json()).isEmpty();
      assertThat(client.get("/events?after=0&waitMs=0").body()).doesNotContain("run-started");
      if (Files.exists(pidFile)) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      }
    }
  }

  @Test
  void aSippThatExitsWithABindErrorAtStartIsRetriedOnOtherPortsAndNeverReportedStarted(
      @TempDir Path dir) throws Exception {
    // What SIPp 3.6.1 does when another program holds its video port: the final stat row, the
    // complaint, exit code 254.
    Path starts = dir.resolve("starts");
    Path takenPort = dir.resolve("taken-port-sipp");
    Files.writeString(
        takenPort,
        "#!/bin/sh\n"
            + "if [ \"$1\" = -v ]; then echo ' SIPp v3.6.1-taken'; exit 0; fi\n"
            + "echo start >> '"
            + starts
            + "'\n"
            + "while [ $# -gt 0 ]; do [ \"$1\" = -stf ] && stf=\"$2\"; shift; done\n"
            + "printf 'StartTime;CurrentTime;SuccessfulCall(C)\\n2026;2026;0\\n' > \"$stf\"\n"
            + "echo 'Unable to bind video RTP socket (IP=127.0.0.1, port=20002), errno = 98"
            + " (Address already in use)' >&2\n"
            + "exit 254\n");
    assertThat(takenPort.toFile().setExecutable(true)).isTrue();
    try (SippAgent agent =
        SippAgent.start(AgentConfig.builder().sippBinary(takenPort.toString()).build())) {
      AgentHttp client = new AgentHttp(agent.baseUri(), null);

      var reply = client.post("/calls", "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:5060\"}");

      assertThat(reply.status()).as(reply.body()).isEqualTo(422);
      assertThat(reply.body()).contains("code 254").contains("Unable to bind video RTP socket");
      assertThat(Files.readAllLines(starts)).hasSize(3);
      assertThat(client.get("/calls").json()).isEmpty();
      assertThat(client.get("/events?after=0&waitMs=0").body()).doesNotContain("run-started");
    }
  }
}
