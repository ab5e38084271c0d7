package org.sipadapter.sipp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.ConfigurationException;
import org.sipadapter.Disposition;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.UnsupportedFeatureException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.sipp.agent.AgentConfig;
import org.sipadapter.sipp.agent.SippAgent;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/** The SIPp adapter in embedded mode against real SIPp user agent servers. */
class SippAdapterTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static SippUasFixtures uas;
  private SippAdapter adapter;
  private final List<AdapterEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startFarEnds() {
    uas = new SippUasFixtures();
  }

  @AfterAll
  static void stopFarEnds() {
    uas.close();
  }

  @AfterEach
  void closeAdapter() {
    if (adapter != null) {
      adapter.close();
    }
  }

  private SippAdapter embedded(String... options) {
    AdapterConfig.Builder b =
        AdapterConfig.builder("sipp").name("sipp-test").option("mode", "embedded");
    for (int i = 0; i < options.length; i += 2) {
      b.option(options[i], options[i + 1]);
    }
    adapter = (SippAdapter) SipAdapters.create(b.build());
    adapter.on(AdapterEvent.class, events::add);
    adapter.connect();
    return adapter;
  }

  private List<CallState> states(String callId) {
    return events.stream()
        .filter(e -> e instanceof CallStateChanged c && c.callId().equals(callId))
        .map(e -> ((CallStateChanged) e).state())
        .toList();
  }

  private CallStateChanged terminal(String callId) {
    await().atMost(WAIT).until(() -> states(callId).stream().anyMatch(CallState::isTerminal));
    return events.stream()
        .filter(
            e ->
                e instanceof CallStateChanged c
                    && c.callId().equals(callId)
                    && c.state().isTerminal())
        .map(CallStateChanged.class::cast)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void answeredCallGoesDialingRingingConnectedAndHangupDisconnects() {
    embedded("target", "127.0.0.1:" + uas.answer.port());

    String callId = adapter.makeCall("1000", "2000");
    await().atMost(WAIT).until(() -> states(callId).contains(CallState.CONNECTED));
    assertThat(adapter.getStatus(callId).serverIds())
        .containsKeys(SippAdapter.RUN_ID, SippAdapter.SIP_CALL_ID);

    adapter.hangup(callId);

    assertThat(terminal(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(states(callId))
        .containsExactly(
            CallState.DIALING, CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    assertThat(adapter.callHistory())
        .anyMatch(r -> r.callId().equals(callId) && r.disposition() == Disposition.ANSWERED);
  }

  @Test
  void busyDestinationFailsWithUserBusyFrom486() {
    embedded();

    String callId = adapter.makeCall("1000", SippUasFixtures.at("2000", uas.busy));

    CallStateChanged end = terminal(callId);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.USER_BUSY.q850());
    assertThat(end.cause().sipStatus()).isEqualTo(486);
  }

  @Test
  void unknownDestinationFailsWithUnallocatedNumberFrom404() {
    embedded();

    CallStateChanged end =
        terminal(adapter.makeCall("1000", SippUasFixtures.at("9999", uas.notFound)));

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.UNALLOCATED_NUMBER.q850());
  }

  @Test
  void unansweredCallIsCancelledAtTheRingTimeoutAndFailsWithNoAnswer() {
    embedded();

    String callId =
        adapter.makeCall(
            "1000",
            SippUasFixtures.at("2000", uas.noAnswer),
            CallOptions.builder().timeout(Duration.ofSeconds(1)).build());

    CallStateChanged end = terminal(callId);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.NO_ANSWER.q850());
    assertThat(states(callId)).contains(CallState.RINGING).doesNotContain(CallState.CONNECTED);
  }

  @Test
  void farEndHangupEndsTheCallDisconnected() {
    try (SippProcess hangsUp = SippUasFixtures.hangingUp(Duration.ofMillis(300))) {
      embedded();

      String callId = adapter.makeCall("1000", SippUasFixtures.at("2000", hangsUp));

      CallStateChanged end = terminal(callId);
      assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
      assertThat(end.cause().q850()).isEqualTo(HangupCause.NORMAL_CLEARING.q850());
      assertThat(states(callId)).contains(CallState.CONNECTED);
    }
  }

  @Test
  void inboundCallsOfTheUasRunAreReported() throws InterruptedException {
    int port = freePort();
    embedded("inboundPort", Integer.toString(port));

    try (SippProcess caller =
        SippProcess.uac("127.0.0.1", port).service("4001").callDuration(Duration.ZERO).start()) {
      assertThat(caller.awaitExit(WAIT)).isZero();
    }

    await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e instanceof IncomingCall));
    IncomingCall in =
        (IncomingCall)
            events.stream().filter(e -> e instanceof IncomingCall).findFirst().orElseThrow();
    assertThat(in.to()).isEqualTo("4001");
    assertThat(in.from()).isEqualTo("sipp");
    assertThat(terminal(in.callId()).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(states(in.callId()))
        .containsExactly(CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
  }

  @Test
  void loadRunIsStartedWatchedRetunedAndStopped() {
    embedded();
    String target = "127.0.0.1:" + uas.answer.port();

    String runId =
        adapter.startLoad(LoadSpec.toward(target).withRate(2).withCallDuration(Duration.ZERO));
    await().atMost(WAIT).until(() -> adapter.loadStats(runId).targetRate() == 2.0);
    adapter.updateRate(runId, 9);
    await().atMost(WAIT).until(() -> adapter.loadStats(runId).targetRate() == 9.0);
    await().atMost(WAIT).until(() -> adapter.loadStats(runId).successfulCalls() >= 3);

    LoadStats done = adapter.stopLoad(runId);

    assertThat(done.state()).isEqualTo("ENDED");
    assertThat(done.exitCode()).isZero();
    assertThat(done.verdict()).isEqualTo("PASSED");
    assertThat(done.failedCalls()).isZero();
    assertThat(done.successfulCalls()).isEqualTo(done.totalCallCreated());
  }

  @Test
  void countedLoadRunEndsByItselfWithTotalsFromTheStatFile() {
    embedded();

    String runId =
        adapter.startLoad(
            LoadSpec.toward("127.0.0.1:" + uas.answer.port()).withRate(50).withCount(25));
    await().atMost(WAIT).until(() -> adapter.loadStats(runId).state().equals("ENDED"));

    LoadStats done = adapter.loadStats(runId);
    assertThat(done.verdict()).isEqualTo("PASSED");
    assertThat(done.successfulCalls()).isEqualTo(25);
    assertThat(done.totalCallCreated()).isEqualTo(25);
  }

  @Test
  void loadAgainstBusyDestinationIsJudgedFailed() {
    embedded();

    String runId =
        adapter.startLoad(
            LoadSpec.toward("127.0.0.1:" + uas.busy.port()).withRate(20).withCount(3));
    await().atMost(WAIT).until(() -> adapter.loadStats(runId).state().equals("ENDED"));

    LoadStats done = adapter.loadStats(runId);
    assertThat(done.exitCode()).isEqualTo(1);
    assertThat(done.verdict()).isEqualTo("FAILED");
    assertThat(done.failedCalls()).isEqualTo(3);
    assertThat(done.failureCauses()).containsKey("UnexpectedMessage");
  }

  @Test
  void wireInputThatWouldBreakSipIsRefusedBeforeAnythingStarts() {
    embedded("target", "127.0.0.1:" + uas.answer.port());

    for (String bad :
        List.of("2000;rm", "2000 x", "<sip:x>", "a@b:5060;x", "2000\r\nVia: x", "a@host")) {
      assertThatThrownBy(() -> adapter.makeCall("1000", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> adapter.makeCall("$(id)", "2000"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> adapter.updateRate("../x", 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(adapter.activeCalls()).isEmpty();
  }

  @Test
  void destinationWithAPortOutOfRangeIsRefusedBeforeAnythingIsSent() {
    embedded();

    for (String bad : List.of("2000@127.0.0.1:99999", "2000@127.0.0.1:0", "2000@host:65536")) {
      assertThatThrownBy(() -> adapter.makeCall("1000", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1..65535");
    }
    assertThatThrownBy(() -> adapter.startLoad(LoadSpec.toward("127.0.0.1:70000")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(events).noneMatch(e -> e instanceof CallStateChanged);
    assertThat(adapter.metrics().callsAttempted()).isZero();
    assertThatThrownBy(
            () ->
                SipAdapters.fromYaml(
                    "type: sipp\noptions: { mode: embedded, target: \"127.0.0.1:99999\" }\n"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("options.target");
  }

  @Test
  void startRequestReadByAFrozenAgentAfterItsDeadlineStartsNothing() throws Exception {
    String token = "deadline-token-0123456789";
    try (AgentProcess agent =
        AgentProcess.start(token, Path.of("target", "sipp-agent-deadline.log"))) {
      adapter = remote(agent, token, Duration.ofSeconds(1));

      agent.freeze();
      assertThatThrownBy(() -> adapter.makeCall("1000", SippUasFixtures.at("2000", uas.answer)))
          .isInstanceOf(AdapterTimeoutException.class);
      agent.thaw();

      // the agent read the request after its deadline and refused it: no sipp process, no INVITE
      await()
          .atMost(WAIT)
          .until(() -> agentGet(agent, token, "/health").path("expiredRequests").asLong() == 1);
      assertThat(agentGet(agent, token, "/calls")).isEmpty();
    }
  }

  @Test
  void hangupWorksWithARequestTimeoutLongerThanTheAgentsLongestGrace() {
    adapter =
        (SippAdapter)
            SipAdapters.create(
                AdapterConfig.builder("sipp")
                    .name("sipp-long-timeout")
                    .timeouts(
                        new Timeouts(
                            Duration.ofSeconds(90),
                            Duration.ofSeconds(90),
                            Duration.ofSeconds(90),
                            Duration.ofSeconds(30)))
                    .option("mode", "embedded")
                    .option("target", "127.0.0.1:" + uas.answer.port())
                    .build());
    adapter.on(AdapterEvent.class, events::add);
    adapter.connect();
    String callId = adapter.makeCall("1000", "2000");
    await().atMost(WAIT).until(() -> states(callId).contains(CallState.CONNECTED));

    // the hangup's grace is the request timeout, sent as at most the agent's 60 s
    adapter.hangup(callId);

    assertThat(terminal(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(adapter.metrics().callsFailed()).isZero();
  }

  @Test
  void agentProcessStoppedWithSigtermHangsUpItsCallsWithAByeTheFarEndCounts() {
    String token = "shutdown-token-0123456789";
    try (SippProcess far = SippProcess.uas(UasScenario.ANSWER).start();
        AgentProcess agent =
            AgentProcess.start(token, Path.of("target", "sipp-agent-shutdown.log"))) {
      adapter = remote(agent, token, Duration.ofSeconds(30));
      String callId = adapter.makeCall("1000", SippUasFixtures.at("2000", far));
      await().atMost(WAIT).until(() -> states(callId).contains(CallState.CONNECTED));

      agent.close(); // SIGTERM, as a service manager stops or restarts it

      // the far end got a BYE and ended the call normally: it is not left up
      await().atMost(WAIT).until(() -> far.stats().successfulCalls() == 1);
      assertThat(far.stats().failedCalls()).isZero();
      assertThat(far.messageTrace()).contains("BYE sip:");
    }
  }

  /** An adapter connected to an agent process, with a short request timeout and no keepalive. */
  private SippAdapter remote(AgentProcess agent, String token, Duration requestTimeout) {
    adapter =
        (SippAdapter)
            SipAdapters.create(
                AdapterConfig.builder("sipp")
                    .name("sipp-remote")
                    .server("127.0.0.1", agent.port())
                    .auth("", token)
                    .timeouts(
                        new Timeouts(
                            Duration.ofSeconds(2),
                            requestTimeout,
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(60)))
                    .option("eventWait", "1s")
                    .build());
    adapter.on(AdapterEvent.class, events::add);
    adapter.connect();
    return adapter;
  }

  private static JsonNode agentGet(AgentProcess agent, String token, String path)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(agent.baseUri() + path))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void destinationWithoutHostNeedsAConfiguredTarget() {
    embedded();

    assertThatThrownBy(() -> adapter.makeCall("1000", "2000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("options.target");
  }

  @Test
  void featuresAreOutboundAndInboundCallsOnly() {
    embedded();

    assertThat(adapter.features())
        .containsExactlyInAnyOrder(Feature.OUTBOUND_CALLS, Feature.INBOUND_CALLS);
    assertThatThrownBy(() -> adapter.hold("if://call/x")).isInstanceOf(RuntimeException.class);
    assertThat(adapter.serverVersion())
        .hasValueSatisfying(v -> assertThat(v).startsWith("SIPp v3."));
  }

  @Test
  void remoteAgentRequiresTheTokenAsPassword() {
    String token = "agent-token-0123456789";
    try (SippAgent agent = SippAgent.start(AgentConfig.builder().token(token).build())) {
      AdapterConfig good =
          AdapterConfig.builder("sipp").server("127.0.0.1", agent.port()).auth("", token).build();
      try (SipAdapter ok = SipAdapters.create(good)) {
        ok.connect();
        assertThat(ok.healthCheck().toString()).doesNotContain(token);
      }
      AdapterConfig bad =
          AdapterConfig.builder("sipp")
              .server("127.0.0.1", agent.port())
              .auth("", "wrong-0123456789abc")
              .build();
      try (SipAdapter refused = SipAdapters.create(bad)) {
        assertThatThrownBy(refused::connect)
            .isInstanceOf(AuthenticationException.class)
            .hasMessageNotContaining("wrong-0123456789abc");
      }
    }
  }

  @Test
  void yamlConfigBuildsTheAdapterAndBadOptionsAreListed() {
    try (SipAdapter a =
        SipAdapters.fromYaml(
            "type: sipp\nname: load-1\noptions: { mode: embedded, target: \"127.0.0.1:5060\" }\n")) {
      assertThat(a).isInstanceOf(SippAdapter.class);
      assertThat(a.type()).isEqualTo("sipp");
    }
    assertThatThrownBy(
            () ->
                SipAdapters.fromYaml(
                    "type: sipp\noptions: { mode: cloud, target: \"x y\", transport: sctp }\n"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("options.mode")
        .hasMessageContaining("options.target")
        .hasMessageContaining("options.transport");
  }

  @Test
  void inboundCallsCannotBeHungUpIndividually() throws InterruptedException {
    int port = freePort();
    embedded("inboundPort", Integer.toString(port));
    try (SippProcess caller =
        SippProcess.uac("127.0.0.1", port).callDuration(Duration.ofSeconds(2)).start()) {
      await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e instanceof IncomingCall));
      String in =
          events.stream()
              .filter(e -> e instanceof IncomingCall)
              .map(e -> ((IncomingCall) e).callId())
              .findFirst()
              .orElseThrow();
      assertThatThrownBy(() -> adapter.hangup(in))
          .isNotInstanceOf(UnsupportedFeatureException.class);
      caller.awaitExit(WAIT);
    }
  }

  private static int freePort() {
    try (java.net.DatagramSocket s =
        new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
