package org.sipadapter.yate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallDirection;
import org.sipadapter.CallException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.tck.EventRecorder;
import org.sipadapter.testkit.yate.YateEmulator;

/**
 * The pbx features against the emulator set up as the recordings from file 14 on: test numbers
 * routed to SIP addresses of Yate itself, whose incoming legs go to tones, {@code dumb/} (rings) or
 * an error, so the far end is a Yate channel whose state the emulator shows.
 */
class YateCallFeaturesTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SELF = "sip/sip:loop%s@127.0.0.1:5070";

  private final YateEmulator yate =
      new YateEmulator()
          .sipAddress("127.0.0.1:5070")
          .routeTo("100", SELF.formatted("100"))
          .routeTo("200", SELF.formatted("200"))
          .routeTo("408", SELF.formatted("408"))
          .routeTo("1486", SELF.formatted("486"))
          .routeTo("loop100", "tone/ring")
          .routeTo("loop200", "tone/ring")
          .routeTo("loop408", "dumb/")
          .routeTo("loop486", "-;error=busy");
  private final EventRecorder events = new EventRecorder();
  private YateAdapter adapter;

  @BeforeEach
  void connect() {
    yate.start();
    adapter = new YateAdapter(config());
    adapter.addListener(events);
    adapter.connect();
  }

  @AfterEach
  void closeAll() {
    adapter.close();
    yate.close();
  }

  /** Inbound routing off: the self-loop's incoming legs are Yate's to route (regexroute). */
  private AdapterConfig config() {
    return YateEmulatorFixture.configFor(yate).toBuilder().option("inbound", false).build();
  }

  private String answeredCall() {
    String id = adapter.makeCall("1000", "100");
    await().atMost(WAIT).until(() -> adapter.getStatus(id).state() == CallState.CONNECTED);
    return id;
  }

  private String remote(String callId) {
    return adapter.getStatus(callId).serverIds().get(YateAdapter.CHANNEL_KEY);
  }

  private String local(String callId) {
    return adapter.getStatus(callId).serverIds().get(YateAdapter.LOCAL_KEY);
  }

  @Test
  void blindTransferMovesTheRemoteLegToTheRoutedTargetAndOurLegLeaves() {
    String id = answeredCall();
    String remote = remote(id);

    adapter.transfer(id, "200");

    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.states(id))
        .containsSubsequence(CallState.TRANSFERRING, CallState.DISCONNECTED);
    assertThat(events.states(id)).containsOnlyOnce(CallState.TRANSFERRING);
    assertThat(yate.peerOf(remote)).hasValueSatisfying(p -> assertThat(p).startsWith("sip/"));
    assertThat(yate.channels()).doesNotContainKey(local(id));
  }

  @Test
  void attendedTransferConnectsTheRemoteLegWithTheConsultationsRemoteLeg() {
    String id = answeredCall();
    String remote = remote(id);

    adapter.attendedTransfer(id, "200");

    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.states(id))
        .containsSubsequence(CallState.TRANSFERRING, CallState.DISCONNECTED);
    assertThat(events.states(id)).containsOnlyOnce(CallState.TRANSFERRING);
    assertThat(yate.peerOf(remote)).hasValueSatisfying(p -> assertThat(p).startsWith("sip/"));
    await()
        .atMost(WAIT)
        .until(() -> yate.channels().keySet().stream().noneMatch(c -> c.startsWith("dumb/")));
  }

  @Test
  void anAttendedTransferToABusyTargetFailsAndTheCallStaysWithUs() {
    String id = answeredCall();
    String remote = remote(id);
    String local = local(id);

    assertThatThrownBy(() -> adapter.attendedTransfer(id, "1486"))
        .isInstanceOf(CallException.class);

    await().atMost(WAIT).until(() -> adapter.getStatus(id).state() == CallState.CONNECTED);
    assertThat(yate.peerOf(remote)).hasValue(local);
    assertThat(yate.channels().keySet().stream().filter(c -> c.startsWith("dumb/")))
        .containsExactly(local);
  }

  @Test
  void anAttendedTransferWhoseTargetDoesNotAnswerInTimeDropsTheConsultation() {
    String id = answeredCall();
    String remote = remote(id);
    String local = local(id);

    assertThatThrownBy(() -> adapter.attendedTransfer(id, "408"))
        .isInstanceOf(RuntimeException.class);

    await().atMost(WAIT).until(() -> adapter.getStatus(id).state() == CallState.CONNECTED);
    await()
        .atMost(WAIT)
        .until(
            () ->
                yate.channels().keySet().stream()
                    .filter(c -> c.startsWith("dumb/"))
                    .toList()
                    .equals(java.util.List.of(local)));
    assertThat(yate.peerOf(remote)).hasValue(local);
  }

  @Test
  void holdAttachesASourceToOurLegAndResumeTakesItAwayWithTheFarLegStillThere() {
    String id = answeredCall();

    adapter.hold(id);
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.ON_HOLD);
    assertThat(yate.attachedSource(local(id))).hasValue("tone/ring");

    adapter.resume(id);
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    assertThat(yate.attachedSource(local(id))).isEmpty();
    assertThat(yate.peerOf(remote(id))).hasValue(local(id));
  }

  @Test
  void recordingStartsThroughMasqueradeAndTheUnprocessedStopIsNoError() {
    String id = answeredCall();

    adapter.startRecording(id, "call-1");
    assertThat(yate.recording(remote(id))).hasValue("/tmp/call-1.slin");
    adapter.stopRecording(id);

    assertThat(yate.recording(remote(id))).isEmpty();
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
  }

  @Test
  void conferenceMovesEachRemoteLegIntoTheRoomAndTheCallsLiveOn() {
    String a = answeredCall();
    String b = answeredCall();

    adapter.conference("room1", a, b);

    assertThat(yate.roomMembers("room1")).containsExactly(remote(a), remote(b));
    adapter.hangup(a);
    await().atMost(WAIT).until(() -> events.ended(a));
    assertThat(events.terminalEvents(a)).hasSize(1);
    // lonely=true: the room keeps its last member
    assertThat(adapter.getStatus(b).state()).isEqualTo(CallState.CONNECTED);
    assertThat(yate.roomMembers("room1")).containsExactly(remote(b));
  }

  @Test
  void bridgeConnectsTheTwoRemoteLegsAndTheirEndEndsBothCalls() {
    String a = answeredCall();
    String b = answeredCall();

    adapter.bridge(a, b);

    assertThat(yate.peerOf(remote(a))).hasValue(remote(b));
    assertThat(adapter.getStatus(a).state()).isEqualTo(CallState.CONNECTED);
    adapter.hangup(a);
    await().atMost(WAIT).until(() -> events.ended(a) && events.ended(b));
  }

  @Test
  void headersAndVariablesReachTheFarLegThroughCopyparams() {
    String id =
        adapter.makeCall("1000", "100", CallOptions.builder().header("X-Acc", "hdr-v1").build());
    await().atMost(WAIT).until(() -> adapter.getStatus(id).state() == CallState.CONNECTED);

    assertThat(yate.inviteHeaders(remote(id))).containsEntry("X-Acc", "hdr-v1");
    assertThat(adapter.getStatus(id).serverIds()).containsKey(YateAdapter.BILLID_KEY);
  }

  @Test
  void dtmfGoesOutAsSipInfo() {
    String id = answeredCall();

    adapter.sendDtmf(id, "12");

    assertThat(yate.dtmfSentAsInfo(remote(id))).containsExactly("12");
  }

  @Test
  void aSipRejectionEndsTheCallWithTheCauseOfItsSipStatus() {
    String id = adapter.makeCall("1000", "1486");

    await().atMost(WAIT).until(() -> events.ended(id));
    CallStateChanged end = events.terminalEvents(id).get(0);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.USER_BUSY.q850());
  }

  private CallRecord record(String callId) {
    return adapter.callHistory().stream()
        .filter(r -> r.callId().equals(callId))
        .findFirst()
        .orElseThrow();
  }

  private CallRecord serverRecord(String callId) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                adapter.callHistory().stream()
                    .anyMatch(
                        r ->
                            r.callId().equals(callId)
                                && r.timeSource() == CallRecord.TimeSource.SERVER_CDR));
    return record(callId);
  }

  @Test
  void theServerCdrOfTheLegThatEndedTheCallIsMergedIntoTheCallRecord() {
    String id = answeredCall();
    String local = local(id);

    adapter.hangup(id);

    CallRecord r = serverRecord(id);
    // our dumb/ leg was dropped: its record (status normal) is the call's
    assertThat(r.serverIds()).containsEntry("cdrStatus", "normal");
    assertThat(r.serverIds()).containsEntry(YateAdapter.LOCAL_KEY, local);
    assertThat(r.billableDuration())
        .isEqualTo(YateDriver.seconds(r.serverIds().get("cdrBilltime")));
    assertThat(r.setupTime().plus(r.billableDuration()))
        .isEqualTo(YateDriver.seconds(r.serverIds().get("cdrDuration")));
    assertThat(r.answeredAt()).isNotNull();
  }

  @Test
  void aRejectedCallsRecordIsTheFarLegsWithItsSipReasonAndNoBillableTime() {
    String id = adapter.makeCall("1000", "1486");

    CallRecord r = serverRecord(id);
    assertThat(r.serverIds()).containsEntry("cdrReason", "Busy Here");
    assertThat(r.answeredAt()).isNull();
    assertThat(r.billableDuration()).isZero();
    assertThat(r.cause().q850()).isEqualTo(HangupCause.USER_BUSY.q850());
  }

  @Test
  void aServerCdrThatOvertakesTheHangupWaitsForTheCallsEnd() {
    yate.cdrBeforeHangup(true);
    String id = answeredCall();

    adapter.hangup(id);

    CallRecord r = serverRecord(id);
    assertThat(r.serverIds()).containsEntry("cdrStatus", "normal");
    assertThat(r.billableDuration())
        .isEqualTo(YateDriver.seconds(r.serverIds().get("cdrBilltime")));
  }

  @Test
  void aTransferredCallKeepsTheRecordOfOurLegNotTheFarLegThatLivesOn() {
    String id = answeredCall();
    String remote = remote(id);

    adapter.transfer(id, "200");

    CallRecord r = serverRecord(id);
    assertThat(yate.channels()).containsKey(remote);
    assertThat(r.serverIds()).containsKey("cdrBilltime");
  }

  @Test
  void cdrDurationsAreSecondsToTheMillisecond() {
    assertThat(YateDriver.seconds("2.052")).isEqualTo(Duration.ofMillis(2052));
    assertThat(YateDriver.seconds("0.000")).isEqualTo(Duration.ZERO);
    assertThat(YateDriver.seconds("-1")).isNull();
    assertThat(YateDriver.seconds("x")).isNull();
    assertThat(YateDriver.seconds(null)).isNull();
  }

  @Test
  void dropReasonsAreTheWordsYateTurnsIntoTheRightSipStatus() {
    assertThat(YateCauses.reasonFor(HangupCause.USER_BUSY)).isEqualTo("busy");
    assertThat(YateCauses.reasonFor(HangupCause.CALL_REJECTED)).isEqualTo("forbidden");
    assertThat(YateCauses.reasonFor(HangupCause.NO_ANSWER)).isEqualTo("noanswer");
    assertThat(YateCauses.of("Busy Here", "486").q850()).isEqualTo(17);
    assertThat(YateCauses.of("Forbidden", "403").q850()).isEqualTo(21);
    assertThat(YateCauses.of("Not Acceptable", "406").q850()).isEqualTo(79);
    // the SIP phrase alone, as a leg reports it when no cause_sip came with it
    assertThat(YateCauses.of("Busy Here", null).q850()).isEqualTo(17);
    assertThat(YateCauses.of("Temporarily Unavailable", null).sipStatus()).isEqualTo(480);
    assertThat(YateCauses.of("Request Timeout", null).sipStatus()).isEqualTo(408);
    assertThat(YateCauses.of("Something Else", null).q850()).isEqualTo(16);
  }

  /** The call this adapter saw arrive (a call it did not place) whose local leg is {@code leg}. */
  private Optional<String> seenWithLocalLeg(String leg) {
    return events.incomingCalls().stream()
        .map(IncomingCall::callId)
        .filter(id -> leg.equals(adapter.getStatus(id).serverIds().get(YateAdapter.LOCAL_KEY)))
        .findFirst();
  }

  @Test
  void aCallPlacedByAnotherClientIsSeenAsACallThisAdapterDidNotPlace() {
    YateAdapter other = new YateAdapter(config());
    try {
      other.connect();
      String theirs = other.makeCall("1000", "100");
      await()
          .atMost(WAIT)
          .until(() -> other.getStatus(theirs).serverIds().containsKey(YateAdapter.LOCAL_KEY));
      String theirLocal = other.getStatus(theirs).serverIds().get(YateAdapter.LOCAL_KEY);
      // The SIP self-loop's incoming leg is a call not placed here too, and may be seen first.
      await().atMost(WAIT).until(() -> seenWithLocalLeg(theirLocal).isPresent());
      String seen = seenWithLocalLeg(theirLocal).orElseThrow();
      assertThat(adapter.getStatus(seen).direction()).isEqualTo(CallDirection.INBOUND);
      assertThat(adapter.getStatus(seen).serverIds())
          .containsAllEntriesOf(Map.of(YateAdapter.LOCAL_KEY, theirLocal));
    } finally {
      other.close();
    }
  }
}
