package org.sipadapter.freeswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipadapter.CallOptions;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.Disposition;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.testkit.esl.EslEmulator;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * What a real FreeSWITCH 1.10.12 showed a new user, each in the emulator's form of the recorded
 * behaviour: the default endpoint, the ring timeout's whole seconds, the session throttle, the
 * transfer and resync findings, attended transfer by consultation and {@code uuid_bridge} (file
 * 27), and FreeSWITCH's own call record ({@code CHANNEL_HANGUP_COMPLETE}, files 30 and 31).
 */
class FreeSwitchFindingsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String PASSWORD = "secret-2";

  /** The recorded SIP self-loop: profile internal calls profile external on the same server. */
  private static final String SIP_SELF_LOOP = "sofia/internal/{to}@127.0.0.1:5082";

  private final EslEmulator emulator =
      new EslEmulator(PASSWORD)
          .route("2000", EslEmulator.Behavior.ANSWER)
          .route("2001", EslEmulator.Behavior.BUSY)
          .route("2003", EslEmulator.Behavior.NO_ANSWER)
          .noAnswerAfter(Duration.ofHours(1));
  private final EventRecorder events = new EventRecorder();
  private FreeSwitchAdapter adapter;

  @AfterEach
  void closeAll() {
    if (adapter != null) {
      adapter.close();
    }
    emulator.close();
  }

  private boolean started;

  private AdapterConfig.Builder config() {
    if (!started) {
      emulator.start();
      started = true;
    }
    return EslEmulatorFixture.configFor(emulator, PASSWORD).toBuilder();
  }

  private FreeSwitchAdapter connect(AdapterConfig.Builder config) {
    adapter = new FreeSwitchAdapter(config.build());
    adapter.addListener(events);
    adapter.connect();
    return adapter;
  }

  private String connectedCall(String to) {
    String id = adapter.makeCall("1000", to);
    await().atMost(WAIT).until(() -> events.states(id).contains(CallState.CONNECTED));
    return id;
  }

  private String uuid(String callId) {
    return adapter.getStatus(callId).serverIds().get(FreeSwitchAdapter.UUID_KEY);
  }

  private CallStateChanged terminal(String callId) {
    await().atMost(WAIT).until(() -> events.ended(callId));
    assertThat(events.terminalEvents(callId)).hasSize(1);
    return events.terminalEvents(callId).get(0);
  }

  private CallRecord serverRecord(String callId) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                record(callId)
                    .map(r -> r.timeSource() == CallRecord.TimeSource.SERVER_CDR)
                    .orElse(false));
    return record(callId).orElseThrow();
  }

  private Optional<CallRecord> record(String callId) {
    return adapter.callHistory().stream().filter(r -> r.callId().equals(callId)).findFirst();
  }

  /** The uuid the n-th originate (from 0) preset, from the commands the server received. */
  private String originatedUuid(int n) {
    String prefix = "originate {origination_uuid=";
    List<String> originates =
        emulator.apiCommands().stream().filter(c -> c.startsWith(prefix)).toList();
    String c = originates.get(n);
    return c.substring(prefix.length(), c.indexOf(','));
  }

  // ---------------------------------------------------------------- 1: the default endpoint

  @Test
  void theDefaultEndpointReachesAnExtensionOfTheDialplan() {
    connect(config());

    String id = connectedCall("9196"); // the stock echo extension

    assertThat(emulator.apiCommands())
        .anySatisfy(c -> assertThat(c).endsWith("}loopback/9196/default &park()"));
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
  }

  @Test
  void aUserEndpointReachesOnlyRegisteredUsersOfTheDirectory() {
    emulator.registerUser("1001").route("1001", EslEmulator.Behavior.ANSWER);
    connect(config().option("endpoint", "user/{to}"));

    String extension = adapter.makeCall("1000", "300");
    String unregistered = adapter.makeCall("1000", "1002");
    String registered = adapter.makeCall("1000", "1001");

    CallStateChanged absent = terminal(extension);
    assertThat(absent.state()).isEqualTo(CallState.FAILED);
    assertThat(absent.cause().name()).isEqualTo("SUBSCRIBER_ABSENT");
    assertThat(absent.cause().q850()).isEqualTo(20);
    assertThat(record(extension).orElseThrow().disposition()).isEqualTo(Disposition.NO_ANSWER);
    assertThat(terminal(unregistered).cause().text()).contains("USER_NOT_REGISTERED");
    await().atMost(WAIT).until(() -> events.states(registered).contains(CallState.CONNECTED));
  }

  // ---------------------------------------------------------------- 2: the ring timeout

  @Test
  void aRingTimeoutEndsOnCoresTimerNotOnFreeSwitchsWholeSecondOne() {
    // 0.6 s past a whole second: FreeSWITCH's originate_timeout=2 would fire 1.4 s after the
    // originate (start second + 2), before the 2 s asked; the backstop of 4 fires at 3.4 s.
    emulator.clock(Clock.fixed(Instant.parse("2026-12-01T22:17:30.600Z"), ZoneOffset.UTC));
    connect(config().option("endpoint", "loopback/{to}/sdk"));

    String id =
        adapter.makeCall(
            "1000", "408", CallOptions.builder().timeout(Duration.ofSeconds(2)).build());

    CallStateChanged end = terminal(id);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().name()).isEqualTo("NO_ANSWER");
    assertThat(end.cause().text()).isEqualTo("not answered within the ring timeout");
    assertThat(emulator.apiCommands())
        .anySatisfy(c -> assertThat(c).contains("originate_timeout=4,"));
    await().atMost(WAIT).until(() -> emulator.activeCalls().isEmpty());
  }

  // ---------------------------------------------------------------- 4: the session throttle

  @Test
  void theOriginateRateIsDerivedFromTheServersSessionLimitAndTheSessionsACallCosts() {
    emulator.sessionsPerSecond(12);

    // a loopback call is two sessions; FreeSWITCH takes 11 in a second; one call's worth spare
    connect(config());
    assertThat(adapter.originateRate()).isEqualTo(4);
    assertThat(adapter.healthCheck().details()).containsEntry("originateRate", 4);
    adapter.close();

    connect(config().option("endpoint", "sofia/gateway/gw1/{to}"));
    assertThat(adapter.originateRate()).isEqualTo(10);
    adapter.close();

    connect(config().option("originateRate", 7));
    assertThat(adapter.originateRate()).isEqualTo(7);
  }

  @Test
  void theStockLimitGivesThirteenLoopbackOrTwentyEightSingleLegCallsASecond() {
    AdapterConfig.Builder base = AdapterConfig.builder(FreeSwitchAdapter.TYPE).auth("", "x");
    assertThat(FreeSwitchSettings.from(base.build()).derivedOriginateRate(30)).isEqualTo(13);
    assertThat(
            FreeSwitchSettings.from(base.option("endpoint", "sofia/gateway/gw/{to}").build())
                .derivedOriginateRate(30))
        .isEqualTo(28);
    assertThat(
            FreeSwitchSettings.from(base.option("sessionsPerCall", 3).build())
                .derivedOriginateRate(30))
        .isEqualTo(8);
  }

  @Test
  void anOriginateOverTheServersSessionLimitFailsWithACauseNamingTheLimit() {
    // All in one clock second: the third session of the second is refused (limit 3), so the
    // second loopback call gets no session at all.
    emulator
        .sessionsPerSecond(3)
        .clock(Clock.fixed(Instant.parse("2026-12-01T22:16:18.377Z"), ZoneOffset.UTC));
    connect(config().option("originateRate", 20));

    String first = adapter.makeCall("1000", "2000");
    await().atMost(WAIT).until(() -> events.states(first).contains(CallState.CONNECTED));
    String second = adapter.makeCall("1000", "2000");

    CallStateChanged end = terminal(second);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().name()).isEqualTo("DESTINATION_OUT_OF_ORDER");
    assertThat(end.cause().text()).contains("sessions-per-second").contains("originateRate");
  }

  @Test
  void aCallWhoseSecondLegWasThrottledEndsAtItsRingTimeoutNotSixtySecondsLater() {
    // File 21: the loopback call's -b session was refused; its A leg hung 60.6 s before NO_ANSWER.
    emulator
        .sessionsPerSecond(2)
        .clock(Clock.fixed(Instant.parse("2026-12-01T22:16:18.377Z"), ZoneOffset.UTC));
    connect(config().option("endpoint", "loopback/{to}/sdk").option("originateRate", 20));

    String id =
        adapter.makeCall(
            "1000", "100", CallOptions.builder().timeout(Duration.ofSeconds(2)).build());

    CallStateChanged end = terminal(id);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().text()).isEqualTo("not answered within the ring timeout");
    await().atMost(WAIT).until(() -> emulator.activeCalls().isEmpty()); // its A leg killed
  }

  // ---------------------------------------------------------------- 5 and 7: transfer, resync

  @Test
  void aBlindTransferReportsTransferringThenConnectedWhenTheLegRunsTheTarget() {
    connect(config().option("endpoint", "loopback/{to}/sdk"));
    String id = connectedCall("100");

    adapter.transfer(id, "300"); // file 24: the leg leaves park for 300 (answer, park)

    await()
        .atMost(WAIT)
        .until(
            () ->
                events.states(id).lastIndexOf(CallState.CONNECTED)
                    > events.states(id).indexOf(CallState.TRANSFERRING));
    assertThat(events.states(id))
        .containsSubsequence(CallState.CONNECTED, CallState.TRANSFERRING, CallState.CONNECTED);
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
  }

  @Test
  void aCallMissingFromTheLaggingChannelTableSurvivesTheResync() {
    emulator.channelTableLag(Duration.ofHours(1)); // show channels never lists it
    connect(config());
    String id = connectedCall("2000");

    emulator.dropAll();

    await()
        .atMost(WAIT)
        .until(
            () ->
                events.connectionStates().contains(ConnectionState.RECONNECTING)
                    && adapter.connectionState() == ConnectionState.CONNECTED
                    && emulator.apiCommands().contains("uuid_exists " + uuid(id)));
    assertThat(events.ended(id)).isFalse();
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
  }

  // ---------------------------------------------------------------- attended transfer

  @Test
  void anAttendedTransferConsultsTheTargetThenBridgesTheCallToIt() {
    connect(config());
    String id = connectedCall("2000");
    String leg = uuid(id);

    adapter.attendedTransfer(id, "3000");

    await()
        .atMost(WAIT)
        .until(
            () ->
                adapter.getStatus(id).serverIds().containsKey(FreeSwitchAdapter.CONSULT_KEY)
                    && adapter.getStatus(id).state() == CallState.CONNECTED);
    String consult = originatedUuid(1);
    assertThat(adapter.getStatus(id).serverIds())
        .containsEntry(FreeSwitchAdapter.CONSULT_KEY, consult);
    assertThat(emulator.apiCommands()).contains("uuid_bridge " + leg + " " + consult);
    assertThat(events.states(id))
        .containsSubsequence(CallState.CONNECTED, CallState.TRANSFERRING, CallState.CONNECTED);
    assertThat(events.incomingCalls()).isEmpty(); // the consultation call is part of the call

    // The target hangs up: FreeSWITCH hangs up the other channel of the bridge, the call's.
    emulator.hangupFromRemote(consult, "NORMAL_CLEARING");

    CallStateChanged end = terminal(id);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.cause().name()).isEqualTo("NORMAL_CLEARING");
    await().atMost(WAIT).until(() -> emulator.activeCalls().isEmpty());
  }

  @Test
  void anAttendedTransferToABusyTargetLeavesTheCallAsItWasAndSaysWhy() {
    connect(config());
    String id = connectedCall("2000");

    adapter.attendedTransfer(id, "2001");

    await()
        .atMost(WAIT)
        .until(
            () ->
                events.errors().stream()
                    .map(AdapterError::message)
                    .anyMatch(m -> m.contains("attended transfer") && m.contains("USER_BUSY")));
    await().atMost(WAIT).until(() -> adapter.getStatus(id).state() == CallState.CONNECTED);
    assertThat(events.states(id))
        .containsSubsequence(CallState.CONNECTED, CallState.TRANSFERRING, CallState.CONNECTED);
    assertThat(emulator.apiCommands()).noneMatch(c -> c.startsWith("uuid_bridge"));
    assertThat(adapter.getStatus(id).serverIds()).doesNotContainKey(FreeSwitchAdapter.CONSULT_KEY);
  }

  @Test
  void aCallThatEndsWhileItsTargetRingsTakesTheConsultationCallWithIt() {
    // The target would ring for two minutes on its own (originate_timeout of a 120 s ring time).
    connect(
        config()
            .timeouts(
                new Timeouts(
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(120),
                    Duration.ofSeconds(30))));
    String id = connectedCall("2000");
    adapter.attendedTransfer(id, "2003");
    String consult = originatedUuid(1);
    await().atMost(WAIT).until(() -> emulator.call(consult) != null);

    adapter.hangup(id);

    terminal(id);
    await().atMost(WAIT).until(() -> emulator.activeCalls().isEmpty());
    assertThat(emulator.apiCommands()).contains("uuid_kill " + consult + " NORMAL_CLEARING");
  }

  @Test
  void theRecordedAttendedTransferBridgesAndEndsAllFourChannelsWithTheCall() {
    // File 27: the consultation is loopback/300/sdk (answer, park), bridged with uuid_bridge.
    connect(config().option("endpoint", "loopback/{to}/sdk"));
    String id = connectedCall("100");

    adapter.attendedTransfer(id, "300");

    await()
        .atMost(WAIT)
        .until(() -> adapter.getStatus(id).serverIds().containsKey(FreeSwitchAdapter.CONSULT_KEY));
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    adapter.hangup(id);
    assertThat(terminal(id).state()).isEqualTo(CallState.DISCONNECTED);
    await().atMost(WAIT).until(() -> emulator.activeCalls().isEmpty());
  }

  // ---------------------------------------------------------------- FreeSWITCH's call record

  @ParameterizedTest(name = "events as {0}")
  @ValueSource(strings = {"plain", "json"})
  void theCallRecordTakesFreeSwitchsDurationsAndSipStatusFromHangupComplete(String format) {
    // File 30/31: 200 answers, the far end hangs up after 2 s; the A leg got the BYE.
    connect(config().option("endpoint", SIP_SELF_LOOP).option("eventFormat", format));
    String id = connectedCall("200");

    assertThat(terminal(id).state()).isEqualTo(CallState.DISCONNECTED);
    CallRecord r = serverRecord(id);

    long billmsec = Long.parseLong(r.serverIds().get("billmsec"));
    long mduration = Long.parseLong(r.serverIds().get("mduration"));
    assertThat(billmsec).isGreaterThanOrEqualTo(2000); // the far end hung up 2 s after answer
    assertThat(r.billableDuration()).isEqualTo(Duration.ofMillis(billmsec));
    assertThat(Duration.between(r.createdAt(), r.endedAt()))
        .isEqualTo(Duration.ofMillis(mduration));
    assertThat(r.serverIds())
        .containsEntry("sip_term_status", "200")
        .containsEntry("sip_hangup_disposition", "recv_bye")
        .containsEntry("hangup_cause", "NORMAL_CLEARING")
        .containsKeys("billsec", "duration", "answer_uepoch", "end_uepoch")
        .containsEntry(FreeSwitchAdapter.UUID_KEY, uuid(id));
    assertThat(r.cause().sipStatus()).isEqualTo(200);
    assertThat(r.disposition()).isEqualTo(Disposition.ANSWERED);
  }

  @Test
  void aBusyCallsRecordHasTheSipStatusOfTheRefusalAndNoAnswer() {
    // File 30: 486; the BACKGROUND_JOB comes after both CHANNEL_HANGUP_COMPLETE events.
    connect(config().option("endpoint", SIP_SELF_LOOP));
    String id = adapter.makeCall("1000", "486");

    CallStateChanged end = terminal(id);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().name()).isEqualTo("USER_BUSY");
    CallRecord r = serverRecord(id);
    assertThat(r.answeredAt()).isNull();
    assertThat(r.serverIds())
        .containsEntry("sip_term_status", "486")
        .containsEntry("billmsec", "0")
        .containsEntry("sip_hangup_disposition", "recv_refuse");
    assertThat(r.cause().sipStatus()).isEqualTo(486);
    assertThat(r.disposition()).isEqualTo(Disposition.BUSY);
  }

  @Test
  void aCallWeHungUpHasNoSipStatusOnItsLegAndKeepsItsCause() {
    // sip_term_status is only on the leg that received the final response or the BYE.
    connect(config().option("endpoint", SIP_SELF_LOOP));
    String id = connectedCall("100");

    adapter.hangup(id);

    CallRecord r = serverRecord(id);
    assertThat(r.serverIds()).doesNotContainKey("sip_term_status").containsKey("billmsec");
    assertThat(r.cause().name()).isEqualTo("NORMAL_CLEARING");
    assertThat(r.billableDuration())
        .isEqualTo(Duration.ofMillis(Long.parseLong(r.serverIds().get("billmsec"))));
  }
}
