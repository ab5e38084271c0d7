package org.sipadapter.pjsua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.testkit.pjsua.FakeUserAgent;
import org.sipadapter.testkit.tck.EventRecorder;

/** The pjsua adapter's own mapping and threading, on the in-memory user agent. */
class PjsuaAdapterTest {

  private final FakeUserAgent agent =
      new FakeUserAgent()
          .route("2000", FakeUserAgent.Outcome.ANSWER)
          .route("486", FakeUserAgent.Outcome.BUSY)
          .route("480", FakeUserAgent.Outcome.NO_ANSWER)
          .timing(Duration.ofMillis(5), Duration.ofMillis(10));
  private final EventRecorder events = new EventRecorder();
  private final List<String> callbackThreads = new CopyOnWriteArrayList<>();
  private SipAdapter adapter;

  private SipAdapter connect(AdapterConfig config) {
    adapter = new PjsuaAdapter(config, () -> new InMemoryUserAgentBackend(agent));
    adapter.addListener(events);
    adapter.connect();
    return adapter;
  }

  private static AdapterConfig localAccount() {
    return AdapterConfig.builder(PjsuaAdapter.TYPE)
        .name("ua")
        .server("127.0.0.1", 5070)
        .option("domain", "pbx.test")
        .build();
  }

  @AfterEach
  void close() {
    if (adapter != null) {
      adapter.close();
    }
  }

  private CallStateChanged awaitEnd(String callId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> events.ended(callId));
    return events.terminalEvents(callId).get(0);
  }

  @Test
  void recordedSequenceCallingEarlyConfirmedDisconnectedMapsToDialingRingingConnected() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));

    adapter.hangup(id);

    CallStateChanged end = awaitEnd(id);
    assertThat(events.states(id))
        .containsExactly(
            CallState.DIALING, CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    assertThat(end.cause().q850()).isEqualTo(16);
    // CALLING and CONNECTING arrive too; neither may be turned into a refused move.
    assertThat(adapter.metrics().rejectedTransitions()).isZero();
    assertThat(end.cause().text()).isEqualTo("Normal call clearing");
    assertThat(end.serverIds())
        .containsEntry(PjsuaAdapter.SLOT, "0")
        .containsKey(PjsuaAdapter.SIP_CALL_ID);
  }

  @Test
  void busyEndsFailedWithUserBusyAndPjsipReason() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "486");

    CallStateChanged end = awaitEnd(id);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().sipStatus()).isEqualTo(486);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.USER_BUSY.q850());
    assertThat(end.cause().text()).isEqualTo("Busy Here");
  }

  @Test
  void unknownUserEndsFailedWithUnallocatedNumber() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "sip:nobody@pbx.test");

    CallStateChanged end = awaitEnd(id);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().sipStatus()).isEqualTo(404);
    assertThat(end.cause().q850()).isEqualTo(1);
  }

  @Test
  void unansweredCallIsCancelledAtTheRingTimeoutAndEndsNoAnswer() {
    connect(localAccount());
    String id =
        adapter.makeCall(
            "1000", "480", CallOptions.builder().timeout(Duration.ofMillis(300)).build());

    CallStateChanged end = awaitEnd(id);

    assertThat(events.states(id)).contains(CallState.RINGING);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isIn(18, 19);
  }

  @Test
  void inviteCarriesCallerIdAsFromAndTheOptionHeaders() {
    connect(localAccount());
    String id =
        adapter.makeCall(
            "1000",
            "2000",
            CallOptions.builder()
                .callerIdName("Front Desk")
                .callerIdNumber("7000")
                .header("X-Campaign", "42")
                .build());
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    FakeUserAgent.Invite invite = agent.invite(sipId).orElseThrow();

    assertThat(invite.dstUri()).isEqualTo("sip:2000@pbx.test");
    assertThat(invite.localUri()).isEqualTo("\"Front Desk\" <sip:7000@pbx.test>");
    assertThat(invite.headers()).isEqualTo(Map.of("X-Campaign", "42"));
  }

  @Test
  void uriBreakingInputIsRefusedBeforeThePjsuaCall() {
    connect(localAccount());

    assertThatThrownBy(() -> adapter.makeCall("1000", "2000>;x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                adapter.makeCall(
                    "1000", "2000", CallOptions.builder().callerIdName("a\"b").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(agent.liveCalls()).isZero();
  }

  @Test
  void callbacksRunOnThePjsuaWorkerAndListenersElsewhere() {
    connect(localAccount());
    adapter.on(CallStateChanged.class, e -> callbackThreads.add(Thread.currentThread().getName()));
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    adapter.hangup(id);
    awaitEnd(id);

    // library calls came from the registered ops thread: the agent refuses unknown threads
    assertThat(callbackThreads).isNotEmpty().noneMatch(FakeUserAgent::isAgentThread);
  }

  @Test
  void theAgentRefusesThreadsThatAreNotRegistered() throws Exception {
    connect(localAccount());

    assertThatThrownBy(() -> agent.makeCall("sip:2000@pbx.test", "", Map.of(), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("libRegisterThread");
  }

  @Test
  void holdResumeDtmfAndBlindTransferUseTheCallsOwnPjsuaCall() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    adapter.hold(id);
    await().until(() -> adapter.getStatus(id).state() == CallState.ON_HOLD);
    adapter.resume(id);
    await().until(() -> adapter.getStatus(id).state() == CallState.CONNECTED);
    adapter.sendDtmf(id, "12#");
    adapter.transfer(id, "2001");

    assertThat(agent.dtmfSent(sipId)).containsExactly("12#");
    assertThat(agent.transfers()).containsExactly(sipId + " -> sip:2001@pbx.test");
    assertThat(awaitEnd(id).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(id)).contains(CallState.TRANSFERRING);
  }

  @Test
  void attendedTransferCallsTheTargetThenReplacesIt() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    adapter.attendedTransfer(id, "2000");

    assertThat(agent.transfers()).singleElement().asString().startsWith(sipId + " -> replaces ");
    assertThat(awaitEnd(id).state()).isEqualTo(CallState.DISCONNECTED);
    await().until(() -> agent.liveCalls() == 0);
  }

  @Test
  void incomingCallRingsThenAnswersAndRejectSendsTheCausesStatus() {
    connect(localAccount());
    agent.incomingCall("3001", "4001");
    await().until(() -> events.incomingCalls().size() == 1);
    String first = events.incomingCalls().get(0).callId();
    assertThat(events.incomingCalls().get(0).from()).isEqualTo("3001");
    adapter.answer(first);
    await().until(() -> events.states(first).contains(CallState.CONNECTED));

    agent.incomingCall("3002", "4001");
    await().until(() -> events.incomingCalls().size() == 2);
    String second = events.incomingCalls().get(1).callId();
    adapter.reject(second, HangupCause.USER_BUSY);

    CallStateChanged end = awaitEnd(second);
    assertThat(end.cause().sipStatus()).isEqualTo(486);
    adapter.hangup(first);
    assertThat(awaitEnd(first).state()).isEqualTo(CallState.DISCONNECTED);
  }

  @Test
  void registrarRefusingTheCredentialsFailsConnectWithAuthentication() {
    agent.registrarAccepts("1000", "right");
    AdapterConfig config =
        localAccount().toBuilder()
            .auth("1000", "wrong")
            .option("registrar", "sip:pbx.test")
            .build();

    assertThatThrownBy(() -> connect(config))
        .isInstanceOf(org.sipadapter.AuthenticationException.class)
        .hasMessageContaining("401");
  }

  @Test
  void moreCallsThanMaxCallsAreRefusedByPjsua() {
    connect(localAccount().toBuilder().option("maxCalls", 1).build());
    String first = adapter.makeCall("1000", "2000");

    assertThatThrownBy(() -> adapter.makeCall("1000", "2000")).hasMessageContaining("PJ_ETOOMANY");
    adapter.hangup(first);
  }

  @Test
  void providerIsFoundByTypeWithTheLocalSipPortAsDefault() {
    AdapterConfig config =
        SipAdapters.fromYaml("type: pjsua\noptions: { transport: tcp }\n").config();

    assertThat(config.port()).isEqualTo(5060);
    assertThat(SipAdapters.availableTypes()).contains("pjsua");
  }

  @Test
  void badOptionsAreReportedTogether() {
    assertThatThrownBy(
            () ->
                SipAdapters.fromYaml(
                    "type: pjsua\noptions: { transport: sctp, registrar: pbx, logLevel: 9 }\n"))
        .hasMessageContaining("options.transport")
        .hasMessageContaining("options.registrar")
        .hasMessageContaining("options.logLevel");
  }
}
