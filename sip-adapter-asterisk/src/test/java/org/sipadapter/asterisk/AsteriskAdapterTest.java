package org.sipadapter.asterisk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.CallStatus;
import org.sipadapter.ConnectionState;
import org.sipadapter.Disposition;
import org.sipadapter.HangupCause;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.emulator.Script;
import org.sipadapter.testkit.tck.EventRecorder;

/** The adapter against the AMI emulator over loopback: the wire dialogue and the unified model. */
class AsteriskAdapterTest {
  private AmiEmulator pbx;
  private final List<AsteriskAdapter> adapters = new ArrayList<>();
  private final EventRecorder events = new EventRecorder();

  @BeforeEach
  void start() {
    pbx =
        AmiEmulator.create()
            .outcome("300", AmiEmulator.Outcome.BUSY)
            .outcome("400", AmiEmulator.Outcome.NO_ANSWER)
            .outcome("999", AmiEmulator.Outcome.UNKNOWN_EXTENSION)
            .start();
  }

  @AfterEach
  void stop() {
    adapters.forEach(AsteriskAdapter::close);
    pbx.close();
  }

  private AdapterConfig.Builder config() {
    return AdapterConfig.builder("asterisk")
        .name("pbx-test")
        .server(pbx.host(), pbx.port())
        .auth("admin", "amipass")
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
  }

  private AsteriskAdapter adapter(AdapterConfig config) {
    AsteriskAdapter a = new AsteriskAdapter(config);
    adapters.add(a);
    a.addListener(events);
    return a;
  }

  private AsteriskAdapter connected() {
    AsteriskAdapter a = adapter(config().build());
    a.connect();
    return a;
  }

  private List<AmiMessage> sent(String action) {
    List<AmiMessage> out = new ArrayList<>();
    for (Frame f : pbx.receivedFrames()) {
      AmiMessage m = AmiMessage.parse(f.bytes());
      if (m.get("Action", "").equalsIgnoreCase(action)) {
        out.add(m);
      }
    }
    return out;
  }

  private CallStateChanged awaitEnd(String callId) {
    await().atMost(Duration.ofSeconds(60)).until(() -> events.ended(callId));
    return events.terminalEvents(callId).get(0);
  }

  private String answeredCall(AsteriskAdapter a) {
    String callId = a.makeCall("1000", "2000");
    await().until(() -> events.states(callId).contains(CallState.CONNECTED));
    return callId;
  }

  // ---------------------------------------------------------------- connection

  @Test
  void plainLoginReadsBannerVersionAndSendsEventMask() {
    AsteriskAdapter a = adapter(config().option("events", "call,dtmf").build());

    a.connect();

    assertThat(a.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    // The release comes from CoreSettings, the AMI version from the banner.
    assertThat(a.serverVersion()).contains("Asterisk 22.10.1 (AMI 11.0.0)");
    assertThat(sent("CoreSettings")).hasSize(1);
    AmiMessage login = sent("Login").get(0);
    assertThat(login.get("Username", "")).isEqualTo("admin");
    assertThat(login.get("Secret", "")).isEqualTo("amipass");
    assertThat(login.get("Events", "")).isEqualTo("call,dtmf");
    assertThat(login.get("ActionID")).isPresent();
  }

  @Test
  void md5LoginSendsKeyAndNeverTheSecret() {
    AsteriskAdapter a = adapter(config().option("authType", "md5").build());

    a.connect();

    assertThat(a.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(sent("Challenge").get(0).get("AuthType", "")).isEqualTo("MD5");
    AmiMessage login = sent("Login").get(0);
    assertThat(login.get("AuthType", "")).isEqualTo("MD5");
    assertThat(login.get("Key", "")).matches("[0-9a-f]{32}");
    assertThat(login.get("Secret")).isEmpty();
  }

  @Test
  void wrongSecretGivesAuthenticationExceptionWithoutTheSecret() {
    AsteriskAdapter a = adapter(config().auth("admin", "wrong-secret").build());

    assertThatThrownBy(a::connect)
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("Authentication failed")
        .hasMessageNotContaining("wrong-secret");
    assertThat(a.connectionState()).isEqualTo(ConnectionState.ERROR);
  }

  @Test
  void wrongSecretWithMd5GivesAuthenticationException() {
    AsteriskAdapter a =
        adapter(config().auth("admin", "wrong-secret").option("authType", "md5").build());

    assertThatThrownBy(a::connect).isInstanceOf(AuthenticationException.class);
  }

  @Test
  void disconnectLogsOff() {
    AsteriskAdapter a = connected();

    a.disconnect();

    assertThat(sent("Logoff")).hasSize(1);
    assertThat(a.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    await().until(() -> pbx.sessionCount() == 0);
  }

  @Test
  void healthReportPingsTheServer() {
    AsteriskAdapter a = connected();

    var health = a.healthCheck();

    assertThat(health.details()).containsEntry("ping", "Pong").containsKey("pingMs");
    assertThat(health.serverVersion()).contains("AMI 11.0.0");
  }

  // ---------------------------------------------------------------- outbound calls

  @Test
  void answeredCallGoesDialingRingingConnectedThenDisconnectedOnHangup() {
    AsteriskAdapter a = connected();

    String callId = a.makeCall("1000", "2000");
    await().until(() -> events.states(callId).contains(CallState.CONNECTED));
    a.hangup(callId);
    CallStateChanged end = awaitEnd(callId);

    assertThat(events.states(callId))
        .containsExactly(
            CallState.DIALING, CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    assertThat(end.cause().q850()).isEqualTo(16);
    AmiMessage originate = sent("Originate").get(0);
    // The preset Uniqueid is the call marker: this adapter instance, then the call's uuid.
    String uuid = a.instanceId() + "." + callId.substring("if://call/".length());
    assertThat(originate.get("Channel", "")).isEqualTo("PJSIP/2000");
    assertThat(originate.get("Async", "")).isEqualTo("true");
    assertThat(originate.get("ChannelId", "")).isEqualTo(uuid);
    assertThat(originate.get("OtherChannelId", "")).isEqualTo(uuid + "-2");
    assertThat(originate.get("ActionID", "")).isEqualTo("originate-" + uuid);
    assertThat(originate.get("Context", "")).isEqualTo("from-sdk");
    assertThat(originate.get("Exten", "")).isEqualTo("2000");
    assertThat(originate.get("CallerID", "")).isEqualTo("1000");
    AmiMessage hangup = sent("Hangup").get(0);
    assertThat(hangup.get("Channel", "")).endsWith(";1");
    assertThat(hangup.get("Cause", "")).isEqualTo("16");
    assertThat(a.getStatus(callId).serverIds()).containsEntry("Uniqueid", uuid);
  }

  @Test
  void originateCarriesTemplateApplicationCallerIdVariablesAndTimeout() {
    AsteriskAdapter a =
        adapter(
            config()
                .option("channel", "Local/{to}@test")
                .option("application", "Wait")
                .option("data", "5")
                .build());
    a.connect();

    a.makeCall(
        "1000",
        "2000",
        CallOptions.builder()
            .callerIdName("Sales")
            .variable("ACCOUNT", "42")
            .header("X-Ticket", "7")
            .timeout(Duration.ofSeconds(12))
            .build());

    AmiMessage originate = sent("Originate").get(0);
    assertThat(originate.get("Channel", "")).isEqualTo("Local/2000@test");
    assertThat(originate.get("Application", "")).isEqualTo("Wait");
    assertThat(originate.get("Data", "")).isEqualTo("5");
    assertThat(originate.get("Context")).isEmpty();
    assertThat(originate.get("CallerID", "")).isEqualTo("\"Sales\" <1000>");
    assertThat(originate.get("Timeout", "")).isEqualTo("12000");
    assertThat(originate.all("Variable"))
        .containsExactly("ACCOUNT=42", "PJSIP_HEADER(add,X-Ticket)=7");
  }

  @Test
  void originateToBusyExtensionEndsFailedWithUserBusyCause() {
    AsteriskAdapter a = connected();

    String callId = a.makeCall("1000", "300");
    CallStateChanged end = awaitEnd(callId);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(17);
    assertThat(events.states(callId)).doesNotContain(CallState.CONNECTED);
    assertThat(a.callHistory().get(0).disposition()).isEqualTo(Disposition.BUSY);
  }

  @Test
  void unansweredCallEndsFailedWithNoAnswer() {
    AsteriskAdapter a = connected();

    String callId = a.makeCall("1000", "400");
    CallStateChanged end = awaitEnd(callId);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(19);
    assertThat(events.states(callId))
        .containsExactly(CallState.DIALING, CallState.RINGING, CallState.FAILED);
    assertThat(a.callHistory().get(0).disposition()).isEqualTo(Disposition.NO_ANSWER);
  }

  @Test
  void unknownExtensionEndsFailedWithUnallocatedNumber() {
    AsteriskAdapter a = connected();

    String callId = a.makeCall("1000", "999");
    CallStateChanged end = awaitEnd(callId);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause()).isEqualTo(end.cause().withText(end.cause().text()));
    assertThat(end.cause().q850()).isEqualTo(1);
    assertThat(events.states(callId)).containsExactly(CallState.DIALING, CallState.FAILED);
  }

  @Test
  void remoteHangupEndsDisconnectedWithTheServersCause() {
    AsteriskAdapter a = connected();
    String callId = answeredCall(a);

    pbx.remoteHangup(a.getStatus(callId).serverIds().get("Uniqueid"), 16);
    CallStateChanged end = awaitEnd(callId);

    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.cause().q850()).isEqualTo(16);
    assertThat(end.cause().text()).isEqualTo("Normal Clearing");
    await().during(Duration.ofMillis(200)).until(() -> events.terminalEvents(callId).size() == 1);
  }

  @Test
  void tenConcurrentCallsAreAllTrackedToTheirEnd() {
    AsteriskAdapter a = connected();
    List<CompletableFuture<String>> placed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      placed.add(a.makeCallAsync("1000", "20" + i, CallOptions.DEFAULTS));
    }
    List<String> ids = placed.stream().map(CompletableFuture::join).toList();
    await()
        .until(() -> ids.stream().allMatch(id -> events.states(id).contains(CallState.CONNECTED)));

    ids.forEach(a::hangup);

    await().until(() -> ids.stream().allMatch(events::ended));
    for (String id : ids) {
      assertThat(events.states(id))
          .containsExactly(
              CallState.DIALING, CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    }
    assertThat(a.activeCalls()).isEmpty();
    assertThat(pbx.channelNames()).isEmpty();
  }

  // ---------------------------------------------------------------- inbound calls

  @Test
  void channelFromOutsideRaisesIncomingCallAndItsHangupEndsIt() {
    AsteriskAdapter a = connected();

    String uniqueid = pbx.incomingCall("3001", "4001");
    await().until(() -> !events.incomingCalls().isEmpty());
    IncomingCall in = events.incomingCalls().get(0);
    pbx.remoteHangup(uniqueid, 16);

    assertThat(in.from()).isEqualTo("3001");
    assertThat(in.to()).isEqualTo("4001");
    assertThat(in.serverIds()).containsEntry("Uniqueid", uniqueid);
    CallStateChanged end = awaitEnd(in.callId());
    assertThat(events.states(in.callId())).containsExactly(CallState.RINGING, end.state());
  }

  @Test
  void inboundContextsFilterWhichChannelsAreCalls() {
    AsteriskAdapter a = adapter(config().option("inboundContexts", "from-pstn").build());
    a.connect();

    pbx.incomingCall("3001", "4001");
    a.makeCall("1000", "2000");

    await().until(() -> events.of(CallStateChanged.class).size() >= 3);
    assertThat(events.incomingCalls()).isEmpty();
  }

  // ---------------------------------------------------------------- features

  @Test
  void blindTransferRedirectsTheCallsChannelIntoTheTransferContext() {
    AsteriskAdapter a = adapter(config().option("transferContext", "internal").build());
    a.connect();
    String callId = answeredCall(a);

    a.transfer(callId, "2001");

    AmiMessage redirect = sent("Redirect").get(0);
    assertThat(redirect.get("Channel", "")).endsWith(";1");
    assertThat(redirect.get("Context", "")).isEqualTo("internal");
    assertThat(redirect.get("Exten", "")).isEqualTo("2001");
    assertThat(redirect.get("Priority", "")).isEqualTo("1");
  }

  @Test
  void blindTransferModeUsesTheBlindTransferAction() {
    pbx.dialContext("sdk-click", "Local/{exten}@sdk-targets");
    AsteriskAdapter a =
        adapter(
            config()
                .option("transferMode", "blindTransfer")
                .option("context", "sdk-click")
                .build());
    a.connect();
    String callId = answeredCall(a);
    await().until(() -> pbx.channelNames().size() == 4);

    a.transfer(callId, "2001");

    assertThat(sent("BlindTransfer").get(0).get("Exten", "")).isEqualTo("2001");
    // Asterisk moves the other party and hangs up the transferer: the call ends.
    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(callId)).contains(CallState.TRANSFERRING);
  }

  @Test
  void attendedTransferWithoutFeatureCodeFailsWithAHint() {
    pbx.atxferConfigured(false).dialContext("sdk-click", "Local/{exten}@sdk-targets");
    AsteriskAdapter a = adapter(config().option("context", "sdk-click").build());
    a.connect();
    String callId = answeredCall(a);
    await().until(() -> pbx.channelNames().size() == 4);

    assertThatThrownBy(() -> a.attendedTransfer(callId, "2001"))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("No attended transfer feature code found")
        .hasMessageContaining("features.conf");
    pbx.atxferConfigured(true);
    a.attendedTransfer(callId, "2001");
    assertThat(sent("Atxfer")).hasSize(2);
  }

  @Test
  void recordingStartsWithMixMonitorAndStopsThatMonitor() {
    AsteriskAdapter a = connected();
    String callId = answeredCall(a);

    a.startRecording(callId, "/var/spool/asterisk/monitor/call-1.wav");
    a.stopRecording(callId);

    assertThat(sent("MixMonitor").get(0).get("File", ""))
        .isEqualTo("/var/spool/asterisk/monitor/call-1.wav");
    String id = a.getStatus(callId).serverIds().get("MixMonitorID");
    assertThat(id).startsWith("0x");
    assertThat(sent("StopMixMonitor").get(0).get("MixMonitorID", "")).isEqualTo(id);
    assertThatThrownBy(() -> a.startRecording(callId, "a,b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dtmfIsPlayedOneDigitAtATimeInOrder() {
    AsteriskAdapter a = connected();
    String callId = answeredCall(a);

    a.sendDtmf(callId, "12#");

    assertThat(sent("PlayDTMF")).extracting(m -> m.get("Digit", "")).containsExactly("1", "2", "#");
    assertThat(events.dtmf()).isEmpty();
  }

  @Test
  void dtmfFromTheFarEndIsReported() {
    AsteriskAdapter a = connected();
    String callId = answeredCall(a);

    pbx.receiveDtmf(a.getStatus(callId).serverIds().get("Uniqueid"), "7");

    await().until(() -> !events.dtmf().isEmpty());
    assertThat(events.dtmf().get(0).digit()).isEqualTo("7");
    assertThat(events.dtmf().get(0).callId()).isEqualTo(callId);
  }

  @Test
  void holdRedirectsToTheHoldExtensionAndResumeBringsTheCallBack() {
    AsteriskAdapter a = connected();
    String callId = answeredCall(a);

    a.hold(callId);
    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.ON_HOLD);
    a.resume(callId);

    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.CONNECTED);
    List<AmiMessage> redirects = sent("Redirect");
    assertThat(redirects.get(0).get("Context", "")).isEqualTo("sdk-hold");
    assertThat(redirects.get(0).get("Exten", "")).isEqualTo("hold");
    assertThat(redirects.get(1).get("Context", "")).isEqualTo("from-sdk");
    assertThat(redirects.get(1).get("Exten", "")).isEqualTo("2000");
    await()
        .until(
            () ->
                events.of(ServerEvent.class).stream()
                    .anyMatch(
                        e -> e.name().equals("MusicOnHoldStop") && callId.equals(e.callId())));
  }

  @Test
  void holdEventsFromThePhoneMoveTheCallOnAndOffHold() {
    AsteriskAdapter a = connected();
    String callId = answeredCall(a);
    String uuid = a.instanceId() + "." + callId.substring("if://call/".length());

    pbx.phoneHold(uuid, true);
    await().until(() -> a.getStatus(callId).state() == CallState.ON_HOLD);
    pbx.phoneHold(uuid, false);
    await().until(() -> a.getStatus(callId).state() == CallState.CONNECTED);
  }

  @Test
  void conferenceRedirectsEveryCallIntoTheRoomAndListsItsMembers() {
    AsteriskAdapter a = connected();
    String first = answeredCall(a);
    String second = answeredCall(a);

    a.conference("7001", first, second);

    assertThat(sent("Redirect"))
        .allSatisfy(
            r -> {
              assertThat(r.get("Context", "")).isEqualTo("sdk-conf");
              assertThat(r.get("Exten", "")).isEqualTo("7001");
            });
    assertThat(a.conferenceMembers("7001").join()).hasSize(2);
    assertThat(a.conferenceMembers("7002").join()).isEmpty();
  }

  @Test
  void refreshStatusEndsACallWhoseChannelIsGone() {
    AsteriskAdapter a = connected();
    String callId = answeredCall(a);

    assertThat(a.refreshStatus(callId).state()).isEqualTo(CallState.CONNECTED);
    // End the channel without the adapter seeing it: events off for this session.
    pbx.stall();
    pbx.remoteHangup(a.getStatus(callId).serverIds().get("Uniqueid"), 16);
    pbx.resumeDiscardingHeld();
    CallStatus after = a.refreshStatus(callId);

    assertThat(after.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(sent("Status")).hasSize(2);
  }

  @Test
  void unknownEventsSurfaceAsServerEvents() {
    AsteriskAdapter a = connected();
    a.makeCall("1000", "2000");

    pbx.pushEvent(
        AmiMessage.builder()
            .add("Event", "PeerStatus")
            .add("Privilege", "system,all")
            .add("Peer", "PJSIP/2000")
            .add("PeerStatus", "Reachable")
            .build());

    await()
        .until(
            () ->
                events.of(ServerEvent.class).stream()
                    .anyMatch(
                        e ->
                            e.name().equals("PeerStatus")
                                && "Reachable".equals(e.fields().get("PeerStatus"))));
    assertThat(a.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void secretLookingHeadersAreLeftOutOfServerEvents() {
    connected();

    pbx.pushEvent(
        AmiMessage.builder()
            .add("Event", "UserEvent")
            .add("UserEvent", "Provision")
            .add("DeviceSecret", "hunter2")
            .add("Mac", "00:11")
            .build());

    await()
        .until(
            () ->
                events.of(ServerEvent.class).stream().anyMatch(e -> e.fields().containsKey("Mac")));
    assertThat(events.of(ServerEvent.class))
        .allSatisfy(e -> assertThat(e.fields()).doesNotContainKey("DeviceSecret"));
  }

  // ---------------------------------------------------------------- faults

  @Test
  void garbageAndAOneMibEventDoNotKillTheLink() {
    AsteriskAdapter a = connected();

    pbx.injectGarbage();
    pbx.injectHugeFrame(1 << 20);

    await()
        .until(
            () ->
                events.of(ServerEvent.class).stream()
                    .anyMatch(
                        e ->
                            e.name().equals("UserEvent")
                                && e.fields().getOrDefault("Data", "").length() == 1 << 20));
    String callId = answeredCall(a);
    a.hangup(callId);
    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.connectionStates()).doesNotContain(ConnectionState.RECONNECTING);
    assertThat(events.errors()).isNotEmpty();
  }

  @Test
  void aServerAnsweringEveryActionWithGarbageGivesTimeoutsAndTheReaderSurvives() {
    AsteriskAdapter a = connected();
    Script garbage =
        pbx.when(
            f -> true,
            (session, f) ->
                session.send(
                    new byte[] {
                      'R', 'e', 's', 'p', (byte) 0xFF, '\r', '\n', 0, ':', '\r', '\n', '\r', '\n'
                    }));

    assertThatThrownBy(() -> a.makeCall("1000", "2000"))
        .isInstanceOf(AdapterTimeoutException.class);
    assertThatThrownBy(() -> a.makeCall("1000", "2000"))
        .isInstanceOf(AdapterTimeoutException.class);
    // The reader still reads: a valid event after the garbage arrives.
    pbx.push("Event: UserEvent\r\nUserEvent: AfterGarbage\r\n\r\n");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                events.of(ServerEvent.class).stream()
                    .anyMatch(
                        e -> e.fields().getOrDefault("UserEvent", "").equals("AfterGarbage")));
    garbage.remove();

    String callId = answeredCall(a);
    a.hangup(callId);
    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.connectionStates()).doesNotContain(ConnectionState.RECONNECTING);
    assertThat(a.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void bytesThatAreNotUtf8AreReadAsReplacementCharactersAndTheLinkStaysUp() {
    AsteriskAdapter a = connected();
    byte[] head = "Event: UserEvent\r\nUserEvent: Latin1\r\nData: caf".getBytes(UTF_8);
    byte[] tail = "\r\n\r\n".getBytes(UTF_8);
    // ISO-8859-1 e-acute, a lone continuation byte, a truncated three-byte sequence
    byte[] bad = {(byte) 0xE9, (byte) 0x80, (byte) 0xE2, (byte) 0x82};
    byte[] frame = new byte[head.length + bad.length + tail.length];
    System.arraycopy(head, 0, frame, 0, head.length);
    System.arraycopy(bad, 0, frame, head.length, bad.length);
    System.arraycopy(tail, 0, frame, head.length + bad.length, tail.length);

    pbx.push(frame);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                events.of(ServerEvent.class).stream()
                    .anyMatch(e -> e.fields().getOrDefault("UserEvent", "").equals("Latin1")));
    ServerEvent e =
        events.of(ServerEvent.class).stream()
            .filter(x -> x.fields().getOrDefault("UserEvent", "").equals("Latin1"))
            .findFirst()
            .orElseThrow();
    assertThat(e.fields().get("Data")).startsWith("caf").contains("\uFFFD");
    String callId = answeredCall(a);
    a.hangup(callId);
    awaitEnd(callId);
    assertThat(a.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void stalledServerGivesTimeoutAndTheLinkRecovers() {
    AsteriskAdapter a = connected();
    pbx.stall();

    assertThatThrownBy(() -> a.makeCall("1000", "2000"))
        .isInstanceOf(AdapterTimeoutException.class);
    pbx.resumeDiscardingHeld();

    String callId = answeredCall(a);
    a.hangup(callId);
    awaitEnd(callId);
  }

  @Test
  void failedHangupOfAVanishedChannelStillEndsTheCall() {
    AsteriskAdapter a = connected();
    String callId = answeredCall(a);
    pbx.stall();
    pbx.remoteHangup(a.getStatus(callId).serverIds().get("Uniqueid"), 16);
    pbx.resumeDiscardingHeld();

    a.hangup(callId);

    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(a.getStatus(callId).cause()).isEqualTo(HangupCause.NORMAL_CLEARING);
  }
}
