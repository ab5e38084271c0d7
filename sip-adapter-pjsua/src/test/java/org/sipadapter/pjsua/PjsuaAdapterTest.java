package org.sipadapter.pjsua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.CallException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.ConfigurationException;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.testkit.pjsua.FakeUserAgent;
import org.sipadapter.testkit.tck.EventRecorder;
import org.sipadapter.testkit.tls.TestCertificates;

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
    await().atMost(Duration.ofSeconds(60)).until(() -> events.ended(callId));
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
    assertThat(invite.headers())
        .containsEntry("X-Campaign", "42")
        .containsOnlyKeys("X-Campaign", PjsuaAdapter.MARKER_HEADER);
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
  void dtmfToAFarEndWithoutTelephoneEventGoesAsSipInfoOnePerDigit() {
    agent.route("2002", FakeUserAgent.Outcome.ANSWER).withoutTelephoneEvent("2002");
    connect(localAccount());
    String id = adapter.makeCall("1000", "2002");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    adapter.sendDtmf(id, "12#");

    assertThat(agent.dtmfSent(sipId)).isEmpty();
    assertThat(agent.dtmfInfoSent(sipId))
        .containsExactly(
            "Signal=1\r\nDuration=160", "Signal=2\r\nDuration=160", "Signal=#\r\nDuration=160");
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    adapter.hangup(id);
    awaitEnd(id);
  }

  @Test
  void dtmfToAFarEndWithTelephoneEventStaysInTheMedia() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    adapter.sendDtmf(id, "5");

    assertThat(agent.dtmfSent(sipId)).containsExactly("5");
    assertThat(agent.dtmfInfoSent(sipId)).isEmpty();
    adapter.hangup(id);
    awaitEnd(id);
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
  void moreCallsThanMaxCallsAreRefusedWithCallExceptionBeforePjsuaIsAsked() {
    connect(localAccount().toBuilder().option("maxCalls", 1).build());
    String first = adapter.makeCall("1000", "2000");

    assertThatThrownBy(() -> adapter.makeCall("1000", "2000"))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("options.maxCalls");
    assertThat(agent.liveCalls()).isEqualTo(1);
    adapter.hangup(first);
    awaitEnd(first);
    String again = adapter.makeCall("1000", "2000"); // the slot is free again
    adapter.hangup(again);
  }

  @Test
  void callsUpToTheMediaCapacityNeverRunTheLibraryOutOfSockets() {
    // a library of 8 media handles holds 2 calls whatever the callers offer
    agent.maxCallsCap(8).mediaHandles(8);
    connect(localAccount().toBuilder().option("maxCalls", 2).option("mediaHandles", 8).build());
    String a = adapter.makeCall("1000", "2000");
    agent.incomingCall("3001", "4001", true); // a pjsua caller offers m=text: 4 sockets
    await().until(() -> events.incomingCalls().size() == 1);

    assertThatThrownBy(() -> adapter.makeCall("1000", "2000")).isInstanceOf(CallException.class);
    assertThat(agent.mediaSockets()).isEqualTo(6);
    adapter.hangup(a);
    adapter.hangup(events.incomingCalls().get(0).callId());
    awaitEnd(a);
  }

  @Test
  void maxCallsAboveWhatTheMediaSocketsHoldIsAConfigurationProblem() {
    assertThatThrownBy(() -> SipAdapters.fromYaml("type: pjsua\noptions: { maxCalls: 32 }\n"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("options.maxCalls")
        .hasMessageContaining("at most 16")
        .hasMessageContaining("PJ_IOQUEUE_MAX_HANDLES");
    assertThat(
            PjsuaSettings.from(
                    localAccount().toBuilder()
                        .option("maxCalls", 64)
                        .option("mediaHandles", 256)
                        .build())
                .capacity())
        .isEqualTo(64);
  }

  @Test
  void callsOfferAudioOnlySoEachHoldsTwoMediaSockets() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    assertThat(agent.invite(sipId).orElseThrow().textStreams()).isZero();
    assertThat(agent.mediaSockets()).isEqualTo(2);
    adapter.hangup(id);
  }

  @Test
  void inviteCarriesTheCallMarkerOfThisAdapter() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> adapter.getStatus(id).serverIds().containsKey(PjsuaAdapter.SIP_CALL_ID));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    String marker = agent.invite(sipId).orElseThrow().headers().get(PjsuaAdapter.MARKER_HEADER);
    assertThat(marker).startsWith(adapter.instanceId() + ".");
    adapter.hangup(id);
  }

  @Test
  void serverVersionIsTheLibraryVersion() {
    connect(localAccount());

    assertThat(adapter.serverVersion()).hasValue("2.17 (in-memory)");
  }

  @Test
  void providerIsFoundByTypeWithTheLocalSipPortAsDefault() {
    assertThat(new PjsuaAdapterProvider().defaultPort()).isEqualTo(5060);
    assertThat(SipAdapters.availableTypes()).contains("pjsua");
  }

  @Test
  void withoutPjsua2JarTheFactoryNamesWhatToInstall() {
    ClassLoader withoutBinding = ClassLoader.getPlatformClassLoader();

    assertThatThrownBy(() -> Pjsua2Binding.requireClasses(withoutBinding))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pjsua2.jar")
        .hasMessageContaining("libpjsua2.so")
        .hasMessageContaining("java.library.path");
  }

  @Test
  void withTheCompileOnlyDeclarationsFromYamlThrowsConfigurationExceptionNotAnError() {
    assumeFalse(Pjsua2Binding.classesPresent(), "the real binding is on the class path");

    assertThatThrownBy(() -> SipAdapters.fromYaml("type: pjsua\n"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sip-adapter-pjsua-api")
        .hasMessageContaining("pjsua2.jar");
  }

  @Test
  void rejectSends603ForCallRejectedAnd486ForUserBusy() {
    connect(localAccount());
    agent.incomingCall("3001", "4001");
    agent.incomingCall("3002", "4001");
    await().until(() -> events.incomingCalls().size() == 2);
    String first = events.incomingCalls().get(0).callId();
    String second = events.incomingCalls().get(1).callId();

    adapter.reject(first, HangupCause.CALL_REJECTED);
    adapter.reject(second, HangupCause.USER_BUSY);

    assertThat(awaitEnd(first).cause().sipStatus()).isEqualTo(603);
    assertThat(awaitEnd(second).cause().sipStatus()).isEqualTo(486);
  }

  @Test
  void recordingWritesAWavFileOfTheCallsAudioUntilStopped(@TempDir Path dir) throws Exception {
    connect(localAccount().toBuilder().option("recordingDirectory", dir.toString()).build());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    adapter.startRecording(id, "call-42");

    assertThat(agent.recordingOf(sipId)).hasValue(dir.resolve("call-42.wav"));
    assertThat(new String(Files.readAllBytes(dir.resolve("call-42.wav")), 0, 4, "US-ASCII"))
        .isEqualTo("RIFF");
    assertThatThrownBy(() -> adapter.startRecording(id, "again"))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("records already");
    adapter.stopRecording(id);
    assertThat(agent.openRecorders()).isZero();
    assertThat(agent.recordingOf(sipId)).isEmpty();
    adapter.hangup(id);
  }

  @Test
  void recordingNamesThatLeaveTheDirectoryAreRefused() {
    connect(localAccount());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));

    assertThatThrownBy(() -> adapter.startRecording(id, "../etc/x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> adapter.startRecording(id, ".hidden"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(agent.openRecorders()).isZero();
    adapter.hangup(id);
  }

  @Test
  void bridgeConnectsTheAudioOfTwoCallsBothWays() {
    connect(localAccount());
    String a = adapter.makeCall("1000", "2000");
    String b = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(a).contains(CallState.CONNECTED));
    await().until(() -> events.states(b).contains(CallState.CONNECTED));
    String sipA = adapter.getStatus(a).serverIds().get(PjsuaAdapter.SIP_CALL_ID);
    String sipB = adapter.getStatus(b).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    adapter.bridge(a, b);

    assertThat(agent.isTransmitting(sipA, sipB)).isTrue();
    assertThat(agent.isTransmitting(sipB, sipA)).isTrue();
    adapter.hangup(a);
    awaitEnd(a);
    assertThat(agent.isTransmitting(sipB, sipA)).isFalse(); // the ended call left the bridge
    adapter.hangup(b);
  }

  @Test
  void conferenceSendsEachMembersAudioToEveryOtherMember() {
    connect(localAccount());
    List<String> ids =
        List.of(
            adapter.makeCall("1000", "2000"),
            adapter.makeCall("1000", "2000"),
            adapter.makeCall("1000", "2000"));
    ids.forEach(id -> await().until(() -> events.states(id).contains(CallState.CONNECTED)));
    List<String> sip =
        ids.stream()
            .map(id -> adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID))
            .toList();

    adapter.conference("room-1", ids.toArray(String[]::new));

    for (String from : sip) {
      for (String to : sip) {
        assertThat(agent.isTransmitting(from, to)).isEqualTo(!from.equals(to));
      }
    }
    ids.forEach(adapter::hangup);
  }

  @Test
  void bridgingACallWithoutActiveAudioFailsWithThePjsuaError() {
    connect(localAccount());
    String a = adapter.makeCall("1000", "2000");
    String ringing = adapter.makeCall("1000", "480");
    await().until(() -> events.states(a).contains(CallState.CONNECTED));
    await().until(() -> events.states(ringing).contains(CallState.RINGING));

    assertThatThrownBy(() -> adapter.bridge(a, ringing))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("no active audio");
    adapter.hangup(a);
    adapter.hangup(ringing);
  }

  @Test
  void tlsTransportChecksServersAgainstTheConfiguredTrustStoreAsPem() throws Exception {
    AdapterConfig config =
        localAccount().toBuilder().tls(TestCertificates.trustingTestCertificates()).build();
    connect(config);

    FakeUserAgent.TransportInfo t = agent.transports().get(0);
    assertThat(t.typeName()).isEqualTo("TLS");
    assertThat(t.verifyServer()).isTrue();
    Path ca = Path.of(t.caListFile());
    assertThat(Files.readString(ca)).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(
            TrustedCertificates.of(TestCertificates.trustingTestCertificates()).get(0).getEncoded())
        .isNotEmpty();
    adapter.disconnect();
    assertThat(ca).doesNotExist();
  }

  @Test
  void srtpOverUdpOrTcpIsAConfigurationProblemNamingTls() {
    for (String transport : List.of("udp", "tcp")) {
      String yaml = "type: pjsua\noptions: { srtp: optional, transport: " + transport + " }\n";
      assertThatThrownBy(() -> SipAdapters.fromYaml(yaml))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("options.srtp")
          .hasMessageContaining("needs transport tls")
          .hasMessageContaining("PJSIP_ESESSIONINSECURE");
    }
  }

  @Test
  void outboundProxyRoutesEveryRequestAndSrtpIsSetOnTheAccount() {
    connect(
        localAccount().toBuilder()
            .tls(TestCertificates.trustingTestCertificates())
            .option("outboundProxy", "sip:proxy.test:5060;lr")
            .option("srtp", "optional")
            .build());
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> adapter.getStatus(id).serverIds().containsKey(PjsuaAdapter.SIP_CALL_ID));
    String sipId = adapter.getStatus(id).serverIds().get(PjsuaAdapter.SIP_CALL_ID);

    assertThat(agent.invite(sipId).orElseThrow().route()).containsExactly("sip:proxy.test:5060;lr");
    assertThat(agent.accountMedia()).isEqualTo("srtp=1 proxies=[sip:proxy.test:5060;lr]");
    adapter.hangup(id);
  }

  @Test
  void healthDetailsShowTransportRegistrationAndCallsAgainstCapacity() {
    agent.registrarAccepts("1000", "s3cret");
    connect(
        localAccount().toBuilder()
            .auth("1000", "s3cret")
            .option("registrar", "sip:pbx.test")
            .build());
    String id = adapter.makeCall("1000", "2000");

    Map<String, Object> d = adapter.healthCheck().details();

    assertThat(d)
        .containsEntry("transport", "UDP 127.0.0.1:5070")
        .containsEntry("registered", true)
        .containsEntry("registrationStatus", "200 OK")
        .containsEntry("registrationExpiresSec", 300L)
        .containsEntry("callsInUse", 1)
        .containsEntry("maxCalls", 4)
        .containsEntry("capacity", 16);
    adapter.hangup(id);
  }

  @Test
  void aFrozenLibraryFailsTheHealthProbeWithinTheRequestTimeout() throws Exception {
    connect(
        localAccount().toBuilder()
            .timeouts(
                new org.sipadapter.config.Timeouts(
                    Duration.ofSeconds(2),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(20),
                    Duration.ofSeconds(60)))
            .build());
    agent.freeze();
    try {
      assertThat(adapter.healthCheck().status()).isNotEqualTo(org.sipadapter.HealthStatus.HEALTHY);
    } finally {
      agent.thaw();
    }
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
