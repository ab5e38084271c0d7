package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipadapter.CallException;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Disposition;
import org.sipadapter.HangupCause;
import org.sipadapter.asterisk.ami.AmiFrame;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * What a real Asterisk 22.10.1 showed (issue 13), each in a form that does not depend on the
 * server's timing: the emulator replays the recorded behaviour, in every order Asterisk used.
 * {@code RealAsteriskFeaturesTest} checks the same on the real server.
 */
class AsteriskFindingsTest {
  private final List<AsteriskAdapter> adapters = new ArrayList<>();
  private final EventRecorder events = new EventRecorder();
  private AmiEmulator pbx;

  @AfterEach
  void stop() {
    adapters.forEach(AsteriskAdapter::close);
    if (pbx != null) {
      pbx.close();
    }
  }

  private AmiEmulator emulator(AmiEmulator e) {
    pbx = e.start();
    return pbx;
  }

  private AdapterConfig.Builder config() {
    return AdapterConfig.builder("asterisk")
        .name("findings")
        .server(pbx.host(), pbx.port())
        .auth("admin", "amipass")
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
  }

  private AsteriskAdapter connected(AdapterConfig config) {
    AsteriskAdapter a = new AsteriskAdapter(config);
    adapters.add(a);
    a.addListener(events);
    a.connect();
    return a;
  }

  private CallStateChanged awaitEnd(String callId) {
    await().atMost(Duration.ofSeconds(60)).until(() -> events.ended(callId));
    return events.terminalEvents(callId).get(0);
  }

  private String answered(AsteriskAdapter a) {
    String callId = a.makeCall("1000", "2000");
    await().until(() -> events.states(callId).contains(CallState.CONNECTED));
    return callId;
  }

  private static CallRecord record(AsteriskAdapter a, String callId) {
    return a.callHistory().stream()
        .filter(r -> r.callId().equals(callId))
        .findFirst()
        .orElseThrow();
  }

  // ------------------------------------------------------------------ item 1

  @ParameterizedTest(name = "Hangup after the OriginateResponse: {0}")
  @ValueSource(booleans = {true, false})
  void missingExtensionEndsWithUnallocatedNumberInEitherEventOrder(boolean hangupFirst) {
    emulator(
        AmiEmulator.create()
            .outcome("999", AmiEmulator.Outcome.UNKNOWN_EXTENSION)
            .originateResponseAfterHangup(hangupFirst));
    AsteriskAdapter a = connected(config().build());

    String callId = a.makeCall("1000", "999");
    CallStateChanged end = awaitEnd(callId);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(1);
    assertThat(record(a, callId).disposition()).isEqualTo(Disposition.FAILED);
  }

  @Test
  void aSpecificHangupCauseWinsOverReasonZeroWhicheverComesFirst() {
    // A busy PJSIP phone: OriginateResponse Reason 0, then Hangup cause 17.
    AsteriskDriver.FailedOriginate responseFirst = new AsteriskDriver.FailedOriginate("c");
    responseFirst.response(0, false);
    assertThat(responseFirst.decide(Optional.empty())).isEmpty();
    responseFirst.hangup(17, HangupCause.USER_BUSY);
    assertThat(responseFirst.decide(Optional.of("BUSY"))).contains(HangupCause.USER_BUSY);

    AsteriskDriver.FailedOriginate hangupFirst = new AsteriskDriver.FailedOriginate("c");
    hangupFirst.hangup(17, HangupCause.USER_BUSY);
    assertThat(hangupFirst.decide(Optional.empty())).contains(HangupCause.USER_BUSY);

    AsteriskDriver.FailedOriginate unanswered = new AsteriskDriver.FailedOriginate("c");
    unanswered.hangup(16, HangupCause.NORMAL_CLEARING);
    assertThat(unanswered.decide(Optional.empty())).isEmpty();
    unanswered.response(3, false);
    assertThat(unanswered.decide(Optional.empty()).orElseThrow().q850()).isEqualTo(19);

    AsteriskDriver.FailedOriginate noChannel = new AsteriskDriver.FailedOriginate("c");
    noChannel.response(0, true);
    assertThat(noChannel.decide(Optional.empty()).orElseThrow().q850()).isEqualTo(1);
  }

  // ------------------------------------------------------------------ cancelled before the answer

  @Test
  void aCallHungUpBeforeTheAnswerIsCancelledNotUnanswered() {
    // What Asterisk 22 sends when the Hangup action ends a ringing PJSIP Originate: DialEnd
    // NOANSWER, OriginateResponse Reason 0, then the Hangup with the action's cause 16.
    AsteriskDriver.FailedOriginate f = new AsteriskDriver.FailedOriginate("c");
    f.response(0, false);
    f.hangup(16, HangupCause.NORMAL_CLEARING);
    assertThat(f.decide(Optional.of("NOANSWER")).orElseThrow().q850()).isEqualTo(19);

    AsteriskDriver.FailedOriginate cancelled = new AsteriskDriver.FailedOriginate("c");
    cancelled.hungUpHere();
    cancelled.hangup(16, HangupCause.NORMAL_CLEARING);
    // Decided at the Hangup, whether or not the OriginateResponse came first.
    assertThat(cancelled.decide(Optional.of("NOANSWER")))
        .contains(HangupCause.ORIGINATOR_CANCEL.withText("hung up before the answer"));

    AsteriskDriver.FailedOriginate busyFirst = new AsteriskDriver.FailedOriginate("c");
    busyFirst.hungUpHere();
    busyFirst.hangup(17, HangupCause.USER_BUSY);
    assertThat(busyFirst.decide(Optional.of("BUSY"))).contains(HangupCause.USER_BUSY);
  }

  @Test
  void hangupOfARingingCallEndsItDisconnectedAsCancelled() {
    emulator(AmiEmulator.create().outcome("400", AmiEmulator.Outcome.NO_ANSWER));
    AsteriskAdapter a = connected(config().build());
    String callId = a.makeCall("1000", "400");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> events.states(callId).contains(CallState.RINGING));

    a.hangup(callId);

    CallStateChanged end = awaitEnd(callId);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.cause().name()).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(record(a, callId).disposition()).isEqualTo(Disposition.CANCELLED);
  }

  @Test
  void theSipStatusOfTheHangupNamesTheCause() {
    AmiEventMapper mapper = new AmiEventMapper();
    // A caller that cancels a ringing PJSIP call: chan_pjsip answers 487 and says Q.850 127.
    HangupCause cancelled =
        AsteriskDriver.causeOf(
            (ChannelSignal.Hangup)
                mapper.map(
                    AmiFrame.of(
                        "Event",
                        "Hangup",
                        "Uniqueid",
                        "1.2",
                        "Cause",
                        "127",
                        "Cause-txt",
                        "Interworking, unspecified",
                        "TechCause",
                        "487")));
    assertThat(cancelled.name()).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(cancelled.sipStatus()).isEqualTo(487);
    // A 404 through a proxy: Asterisk's Q.850 code and text, the real SIP status.
    HangupCause unknown =
        AsteriskDriver.causeOf(
            (ChannelSignal.Hangup)
                mapper.map(
                    AmiFrame.of(
                        "Event",
                        "Hangup",
                        "Uniqueid",
                        "1.3",
                        "Cause",
                        "1",
                        "Cause-txt",
                        "Unallocated (unassigned) number",
                        "TechCause",
                        "404")));
    assertThat(unknown)
        .isEqualTo(
            new HangupCause(1, 404, "UNALLOCATED_NUMBER", "Unallocated (unassigned) number"));
    // Asterisk cancelling at its ring timeout keeps its own cause.
    HangupCause timedOut =
        AsteriskDriver.causeOf(
            (ChannelSignal.Hangup)
                mapper.map(
                    AmiFrame.of(
                        "Event", "Hangup", "Uniqueid", "1.4", "Cause", "19", "TechCause", "487")));
    assertThat(timedOut.q850()).isEqualTo(19);
    assertThat(timedOut.sipStatus()).isEqualTo(487);
    // An answered call's BYE: Cause 0 and no TechCause say nothing.
    assertThat(
            AsteriskDriver.causeOf(
                (ChannelSignal.Hangup)
                    mapper.map(AmiFrame.of("Event", "Hangup", "Uniqueid", "1.5", "Cause", "0"))))
        .isNull();
  }

  // ------------------------------------------------------------------ item 3

  @Test
  void conferenceMembersSurfacesPermissionDeniedWithTheMissingClass() {
    emulator(AmiEmulator.create());
    // The recordings' sdk user has no reporting class (21-confbridgelist-...).
    AsteriskAdapter a = connected(config().auth("sdk", "sdkpass").build());

    assertThatThrownBy(() -> a.conferenceMembers("room1").join())
        .hasCauseInstanceOf(CallException.class)
        .hasMessageContaining("Permission denied")
        .hasMessageContaining("reporting");
  }

  // ------------------------------------------------------------------ item 4

  @Test
  void incomingCallIsNamedByTheNewCalleridThatFollowsItsNewchannel() {
    emulator(AmiEmulator.create());
    connected(config().build());

    pbx.incomingLocalCall("2222", "300");

    await().until(() -> !events.incomingCalls().isEmpty());
    IncomingCall in = events.incomingCalls().get(0);
    assertThat(in.from()).isEqualTo("2222");
    assertThat(in.to()).isEqualTo("300");
  }

  // ------------------------------------------------------------------ items 5 and 8

  @Test
  void attendedTransferOfAnUnbridgedCallFailsWithTheReasonAndTypesNoDtmf() {
    emulator(AmiEmulator.create());
    AsteriskAdapter a = connected(config().build());
    String callId = answered(a);

    assertThatThrownBy(() -> a.attendedTransfer(callId, "2001"))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("in no bridge")
        .hasMessageContaining("Dial option T");
    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.CONNECTED);
  }

  @Test
  void attendedTransferIsConfirmedAndItsFeatureCodeAndHoldAreNotTheCalls() {
    emulator(AmiEmulator.create().dialContext("sdk-click", "Local/{exten}@sdk-targets"));
    AsteriskAdapter a = connected(config().option("context", "sdk-click").build());
    String callId = answered(a);
    await().until(() -> pbx.channelNames().size() == 4);

    a.attendedTransfer(callId, "2001");

    await()
        .until(
            () ->
                events
                    .states(callId)
                    .subList(
                        events.states(callId).indexOf(CallState.TRANSFERRING),
                        events.states(callId).size())
                    .contains(CallState.CONNECTED));
    assertThat(events.dtmf()).isEmpty();
    assertThat(events.states(callId)).doesNotContain(CallState.ON_HOLD);
    a.hangup(callId);
    awaitEnd(callId);
    // The transferee and the target stay, joined.
    await().until(() -> pbx.channelNames().size() == 4);
    assertThat(pbx.channelNames()).anyMatch(n -> n.startsWith("Local/2001@"));
  }

  @Test
  void blindTransferOfABridgedCallEndsItAfterTransferring() {
    emulator(AmiEmulator.create().dialContext("sdk-click", "Local/{exten}@sdk-targets"));
    AsteriskAdapter a =
        connected(
            config()
                .option("context", "sdk-click")
                .option("transferMode", "blindTransfer")
                .build());
    String callId = answered(a);
    await().until(() -> pbx.channelNames().size() == 4);

    a.transfer(callId, "2001");

    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    List<CallState> states = events.states(callId);
    assertThat(states.get(states.size() - 2)).isEqualTo(CallState.TRANSFERRING);
    // The Unhold Asterisk raises on the transferer is not a state change of the call.
    assertThat(states).containsOnlyOnce(CallState.CONNECTED);
  }

  // ------------------------------------------------------------------ items 6, 7, 10

  @Test
  void versionFallsBackToTheBannerWhenCoreSettingsIsRefused() {
    emulator(AmiEmulator.create().user("plain", "plainpass", "call", "call,originate"));

    AsteriskAdapter full = connected(config().build());
    AsteriskAdapter plain = connected(config().auth("plain", "plainpass").build());

    assertThat(full.serverVersion()).contains("Asterisk 22.10.1 (AMI 11.0.0)");
    assertThat(plain.serverVersion()).contains("Asterisk 22 (AMI 11.0.0)");
  }

  @Test
  void bridgeJoinsTwoCallsAndOneHangupEndsBoth() {
    emulator(AmiEmulator.create());
    AsteriskAdapter a = connected(config().build());
    String first = answered(a);
    String second = answered(a);

    a.bridge(first, second);
    a.hangup(first);

    assertThat(awaitEnd(first).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(awaitEnd(second).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(pbx.channelNames()).isEmpty();
  }

  @Test
  void asterisksCdrReplacesTheRecordsTimes() {
    emulator(AmiEmulator.create());
    AsteriskAdapter a = connected(config().build());
    String callId = answered(a);

    a.hangup(callId);
    awaitEnd(callId);

    await().until(() -> record(a, callId).timeSource() == CallRecord.TimeSource.SERVER_CDR);
    CallRecord r = record(a, callId);
    assertThat(r.serverIds()).containsEntry("CdrDisposition", "ANSWERED");
    assertThat(r.billableDuration())
        .isEqualTo(Duration.ofSeconds(Long.parseLong(r.serverIds().get("CdrBillableSeconds"))));
    assertThat(r.toJson()).contains("\"timeSource\":\"SERVER_CDR\"");
  }

  @Test
  void theChannelThatRunsAFailedOriginatesFailedExtensionIsNoIncomingCall() {
    emulator(AmiEmulator.create());
    connected(config().build());

    // What a real Asterisk sends when a given-up call's late Originate is hung up before answer
    // and the context has a failed extension; then an ordinary new call.
    pbx.pushEvent(
        org.sipadapter.testkit.ami.AmiMessage.builder()
            .add("Event", "Newchannel")
            .add("Privilege", "call,all")
            .add("Channel", "OutgoingSpoolFailed")
            .add("ChannelState", "0")
            .add("ChannelStateDesc", "Down")
            .add("CallerIDNum", "1000")
            .add("CallerIDName", "1000")
            .add("Context", "sdk-click")
            .add("Exten", "failed")
            .add("Priority", "1")
            .add("Uniqueid", "1796172656.50")
            .add("Linkedid", "1796172656.50")
            .build());
    pbx.incomingCall("3001", "4001");

    await().until(() -> !events.incomingCalls().isEmpty());
    assertThat(events.incomingCalls()).extracting(IncomingCall::from).containsExactly("3001");
  }
}
