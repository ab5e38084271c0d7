package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sipadapter.CallException;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Disposition;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.asterisk.RequiresAsterisk;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * Every feature {@code features()} claims, against a real Asterisk 22 with SIPp phones behind
 * PJSIP, each checked on the server itself through a second AMI client ({@code CoreShowChannels},
 * {@code ConfbridgeList}, the events it sees) or the recording on disk.
 */
@RequiresAsterisk
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealAsteriskFeaturesTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private RealAsterisk asterisk;
  private final List<AsteriskAdapter> adapters = new ArrayList<>();
  private final EventRecorder events = new EventRecorder();

  @BeforeAll
  void start() {
    asterisk = RealAsterisk.open("");
  }

  @AfterAll
  void stop() {
    if (asterisk != null) {
      asterisk.close();
    }
  }

  @AfterEach
  void closeAdapters() {
    adapters.forEach(AsteriskAdapter::close);
    adapters.clear();
    events.clear();
    asterisk.probe.clear();
    // Nothing a test left behind may reach the next one.
    asterisk.probe.action(
        AmiMessage.builder().add("Action", "Hangup").add("Channel", "/.*/").add("Cause", "16"));
    await().atMost(WAIT).until(() -> asterisk.probe.channels().isEmpty());
  }

  private AsteriskAdapter connected(AdapterConfig config) {
    AsteriskAdapter a = new AsteriskAdapter(config);
    adapters.add(a);
    a.addListener(events);
    a.connect();
    return a;
  }

  private AsteriskAdapter connected() {
    return connected(asterisk.config().build());
  }

  /** Click-to-call: ring {@code from}'s phone, then Dial(PJSIP/to,30,T) in sdk-click. */
  private AsteriskAdapter clickToCall(String transferMode) {
    return connected(
        asterisk
            .config()
            .option("channel", "PJSIP/{from}")
            .option("context", "sdk-click")
            .option("transferContext", "sdk-transfer")
            .option("transferMode", transferMode)
            .build());
  }

  private String answered(AsteriskAdapter a, String from, String to) {
    String callId = a.makeCall(from, to);
    await().atMost(WAIT).until(() -> events.states(callId).contains(CallState.CONNECTED));
    return callId;
  }

  private CallStateChanged awaitEnd(String callId) {
    await().atMost(WAIT).until(() -> events.ended(callId));
    return events.terminalEvents(callId).get(0);
  }

  /** Waits until the call's channel is in a bridge (Dial connected it to the other phone). */
  private void awaitBridged(String callId) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                asterisk.probe.channels().stream()
                    .anyMatch(
                        c ->
                            c.get("Uniqueid", "").equals(uuid(callId))
                                && !c.get("BridgeId", "").isEmpty()));
  }

  private List<String> channelsNamed(String prefix) {
    return asterisk.probe.channels().stream()
        .map(c -> c.get("Channel", ""))
        .filter(n -> n.startsWith(prefix))
        .toList();
  }

  /** The Uniqueid Asterisk gave the call's channel: its marker, preset by the adapter. */
  private String uuid(String callId) {
    for (AsteriskAdapter a : adapters) {
      try {
        return a.getStatus(callId).serverIds().get("Uniqueid");
      } catch (org.sipadapter.CallNotFoundException notThisOne) {
        // another adapter's call
      }
    }
    throw new IllegalArgumentException("no adapter knows " + callId);
  }

  // ------------------------------------------------------------------ version (item 6)

  @Test
  void serverVersionIsTheServersOwnFromCoreSettings() {
    AsteriskAdapter a = connected();

    String version =
        asterisk
            .probe
            .action(AmiMessage.builder().add("Action", "CoreSettings"))
            .get("AsteriskVersion", "");

    assertThat(version).startsWith("22.10.1");
    assertThat(a.serverVersion()).contains("Asterisk " + version + " (AMI 11.0.0)");
    assertThat(a.healthCheck().details()).containsEntry("asteriskVersion", version);
    assertThat(a.healthCheck().serverVersion()).contains("22.10.1");
  }

  // ------------------------------------------------------------------ calls through PJSIP

  @Test
  void answeredCallIsARealPjsipChannelOnTheServerUntilHungUp() {
    AsteriskAdapter a = connected();

    String callId = answered(a, "1000", "2000");
    List<AmiMessage> channels = asterisk.probe.channels();
    a.hangup(callId);

    assertThat(channels)
        .anySatisfy(
            c -> {
              assertThat(c.get("Uniqueid", "")).isEqualTo(uuid(callId));
              assertThat(c.get("Channel", "")).startsWith("PJSIP/2000-");
              assertThat(c.get("ChannelStateDesc", "")).isEqualTo("Up");
            });
    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    await().atMost(WAIT).until(() -> channelsNamed("PJSIP/2000-").isEmpty());
  }

  @Test
  void phoneThatAnswersAndHangsUpEndsTheCallNormally() {
    AsteriskAdapter a = connected();

    String callId = answered(a, "1000", "2100");
    CallStateChanged end = awaitEnd(callId);

    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.cause().q850()).isEqualTo(16);
    assertThat(events.states(callId)).doesNotContain(CallState.FAILED);
  }

  @Test
  void busyAndNotFoundPhonesFailWithTheirCauses() {
    AsteriskAdapter a = connected();

    String busy = a.makeCall("1000", "486");
    String unknown = a.makeCall("1000", "404");

    assertThat(awaitEnd(busy).cause().q850()).isEqualTo(17);
    assertThat(awaitEnd(unknown).cause().q850()).isEqualTo(1);
    assertThat(a.callHistory())
        .filteredOn(r -> r.callId().equals(busy))
        .singleElement()
        .extracting(CallRecord::disposition)
        .isEqualTo(Disposition.BUSY);
  }

  @Test
  void hangupWhileThePhoneRingsIsACancelledCallNotAnUnansweredOne() {
    AsteriskAdapter a = connected();
    String callId = a.makeCall("1000", "408");
    await().atMost(WAIT).until(() -> events.states(callId).contains(CallState.RINGING));

    a.hangup(callId);

    // Asterisk says DialEnd NOANSWER and OriginateResponse Reason 0, then Hangup cause 16.
    CallStateChanged end = awaitEnd(callId);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.cause().name()).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(a.callHistory())
        .filteredOn(r -> r.callId().equals(callId))
        .singleElement()
        .extracting(CallRecord::disposition)
        .isEqualTo(Disposition.CANCELLED);
    await().atMost(WAIT).until(() -> channelsNamed("PJSIP/408-").isEmpty());
  }

  // ------------------------------------------------------------------ item 1

  @Test
  void originateToMissingExtensionAlwaysEndsWithUnallocatedNumber() {
    AsteriskAdapter a =
        connected(asterisk.config().option("channel", "Local/{to}@sdk-targets").build());

    // Asterisk sends the ;1 Hangup (cause 0) before or after the OriginateResponse (Reason 0),
    // differently from run to run; the outcome must not depend on it.
    for (int i = 0; i < 12; i++) {
      String callId = a.makeCall("1000", "999");
      CallStateChanged end = awaitEnd(callId);
      assertThat(end.state()).as("call %d", i).isEqualTo(CallState.FAILED);
      assertThat(end.cause().q850()).as("call %d", i).isEqualTo(1);
      assertThat(a.callHistory())
          .filteredOn(r -> r.callId().equals(callId))
          .singleElement()
          .extracting(CallRecord::disposition)
          .as("call %d", i)
          .isEqualTo(Disposition.FAILED);
    }
  }

  // ------------------------------------------------------------------ item 4

  @Test
  void incomingCallTakesItsCallerIdFromNewCallerid() {
    connected();

    // Another client starts a call with a Local channel: its Newchannel says <unknown>, the
    // caller id follows in NewCallerid.
    asterisk.probe.action(
        AmiMessage.builder()
            .add("Action", "Originate")
            .add("Channel", "Local/100@sdk-targets")
            .add("Context", "sdk-targets")
            .add("Exten", "300")
            .add("Priority", "1")
            .add("CallerID", "\"Alice\" <2222>")
            .add("Async", "true"));

    await().atMost(WAIT).until(() -> !events.incomingCalls().isEmpty());
    IncomingCall in = events.incomingCalls().get(0);
    assertThat(in.from()).isEqualTo("2222");
    assertThat(in.serverIds().get("Channel")).startsWith("Local/100@sdk-targets-");
  }

  @Test
  void sippCallerIsAnIncomingCallThatCanBeRejectedAsBusy() {
    AsteriskAdapter a = connected();

    asterisk.call("3005", "4005");
    await().atMost(WAIT).until(() -> !events.incomingCalls().isEmpty());
    IncomingCall in = events.incomingCalls().get(0);
    a.reject(in.callId(), org.sipadapter.HangupCause.USER_BUSY);

    assertThat(in.from()).isEqualTo("3005");
    assertThat(in.to()).isEqualTo("4005");
    assertThat(in.serverIds().get("Channel")).startsWith("PJSIP/phones-in-");
    CallStateChanged end = awaitEnd(in.callId());
    assertThat(end.cause().q850()).isEqualTo(17);
    assertThat(events.states(in.callId())).doesNotContain(CallState.CONNECTED);
  }

  // ------------------------------------------------------------------ DTMF

  @Test
  void dtmfFromThePhoneArrivesInOrder() {
    AsteriskAdapter a = connected();

    String callId = answered(a, "1000", "2200");

    await()
        .atMost(WAIT)
        .until(() -> events.dtmf().stream().filter(d -> d.callId().equals(callId)).count() == 3);
    assertThat(events.dtmf())
        .filteredOn(d -> d.callId().equals(callId))
        .extracting(DtmfReceived::digit)
        .containsExactly("1", "2", "#");
  }

  @Test
  void sentDtmfReachesThePhoneAsSipInfo() {
    AsteriskAdapter a = connected();
    String callId = answered(a, "1000", "2000");

    a.sendDtmf(callId, "42");

    // The endpoints use dtmf_mode=info: each digit is a SIP INFO to the phone, in order.
    await()
        .atMost(WAIT)
        .until(
            () -> {
              String trace = asterisk.answeringPhone.messageTrace();
              int four = trace.indexOf("Signal=4");
              return four >= 0 && trace.indexOf("Signal=2", four) > four;
            });
    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.CONNECTED);
  }

  // ------------------------------------------------------------------ hold, recording

  @Test
  void holdPlaysMusicOnTheServerAndResumeReturnsTheChannel() {
    AsteriskAdapter a = connected();
    String callId = answered(a, "1000", "2000");

    a.hold(callId);
    asterisk.probe.await(
        m ->
            m.get("Event", "").equals("MusicOnHoldStart")
                && m.get("Uniqueid", "").equals(uuid(callId)));
    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.ON_HOLD);
    a.resume(callId);

    asterisk.probe.await(
        m ->
            m.get("Event", "").equals("MusicOnHoldStop")
                && m.get("Uniqueid", "").equals(uuid(callId)));
    await()
        .atMost(WAIT)
        .until(
            () ->
                asterisk.probe.channels().stream()
                    .anyMatch(
                        c ->
                            c.get("Uniqueid", "").equals(uuid(callId))
                                && c.get("Context", "").equals("from-sdk")));
    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.CONNECTED);
  }

  @Test
  void recordingWritesAWavFileAndStopsItsOwnMixMonitor() throws Exception {
    AsteriskAdapter a = connected();
    String callId = answered(a, "1000", "2000");
    String name = "rec-" + UUID.randomUUID();

    a.startRecording(callId, name);
    asterisk.probe.await(
        m ->
            m.get("Event", "").equals("MixMonitorStart")
                && m.get("Uniqueid", "").equals(uuid(callId)));
    a.stopRecording(callId);
    asterisk.probe.await(
        m ->
            m.get("Event", "").equals("MixMonitorStop")
                && m.get("Uniqueid", "").equals(uuid(callId)));

    assertThat(a.getStatus(callId).serverIds()).containsKey("MixMonitorID");
    Path file = asterisk.server.monitorDir().resolve(name + ".wav");
    await().atMost(WAIT).until(() -> Files.exists(file) && Files.size(file) >= 44);
    byte[] header = Files.readAllBytes(file);
    assertThat(new String(header, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("RIFF");
  }

  // ------------------------------------------------------------------ conference (item 3)

  @Test
  void conferenceJoinsBothCallsIntoTheConfBridgeRoom() {
    AsteriskAdapter a = connected();
    String first = answered(a, "1000", "2000");
    String second = answered(a, "1000", "2001");

    a.conference("room7", first, second);

    await().atMost(WAIT).until(() -> a.conferenceMembers("room7").join().size() == 2);
    List<AmiMessage> listed =
        asterisk.probe.list(
            AmiMessage.builder().add("Action", "ConfbridgeList").add("Conference", "room7"));
    assertThat(
            listed.stream()
                .filter(m -> m.get("Event", "").equals("ConfbridgeList"))
                .map(m -> m.get("Channel", "")))
        .containsExactlyInAnyOrderElementsOf(a.conferenceMembers("room7").join());
    assertThat(a.conferenceMembers("empty-room").join()).isEmpty();
  }

  @Test
  void conferenceMembersOfAUserWithoutReportingFailsWithTheReason() {
    AsteriskAdapter limited = connected(asterisk.config().auth("limited", "limitedpass").build());

    assertThatThrownBy(() -> limited.conferenceMembers("room7").join())
        .hasCauseInstanceOf(CallException.class)
        .hasMessageContaining("Permission denied")
        .hasMessageContaining("reporting");
  }

  // ------------------------------------------------------------------ bridge (item 7)

  @Test
  void bridgeJoinsTwoCallsInOneAsteriskBridge() {
    AsteriskAdapter a = connected();
    String first = answered(a, "1000", "2000");
    String second = answered(a, "1000", "2001");

    a.bridge(first, second);

    await()
        .atMost(WAIT)
        .until(
            () -> {
              List<String> bridges =
                  asterisk.probe.channels().stream()
                      .filter(
                          c ->
                              c.get("Uniqueid", "").equals(uuid(first))
                                  || c.get("Uniqueid", "").equals(uuid(second)))
                      .map(c -> c.get("BridgeId", ""))
                      .toList();
              return bridges.size() == 2
                  && !bridges.get(0).isEmpty()
                  && bridges.get(0).equals(bridges.get(1));
            });
    a.hangup(first);
    // Asterisk sends the other side on in its dialplan (from-sdk: Hangup).
    assertThat(awaitEnd(first).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(awaitEnd(second).state()).isEqualTo(CallState.DISCONNECTED);
  }

  // ------------------------------------------------------------------ transfers (items 5, 8)

  @Test
  void attendedTransferWithoutTheTransferFeatureFailsWithTheReason() {
    AsteriskAdapter a = connected();
    String callId = answered(a, "1000", "2000");

    assertThatThrownBy(() -> a.attendedTransfer(callId, "2001"))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("no attended transfer to 2001 began")
        .hasMessageContaining("Dial option T");
    assertThat(channelsNamed("PJSIP/2001-")).isEmpty();
    assertThat(events.dtmf()).isEmpty();
  }

  @Test
  void attendedTransferOfAClickToCallDialsTheTargetAndCompletesOnHangup() {
    AsteriskAdapter a = clickToCall("redirect");
    String callId = answered(a, "2000", "2001");
    awaitBridged(callId);

    a.attendedTransfer(callId, "2002");

    // Asterisk collects the target digits, then dials it while 2001 listens to music on hold.
    await().atMost(WAIT).until(() -> channelsNamed("PJSIP/2002-").size() == 1);
    asterisk.probe.await(
        m ->
            m.get("Event", "").equals("BridgeEnter")
                && m.get("Uniqueid", "").equals(uuid(callId))
                && asterisk.probe.received().indexOf(m)
                    > asterisk
                        .probe
                        .received()
                        .indexOf(asterisk.probe.await(h -> h.get("Event", "").equals("Hold"))));
    a.hangup(callId);
    AmiMessage done = asterisk.probe.await(m -> m.get("Event", "").equals("AttendedTransfer"));
    assertThat(done.get("Result", "")).isEqualTo("Success");
    assertThat(done.get("OrigTransfererUniqueid", "")).isEqualTo(uuid(callId));
    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    // The feature code and target Asterisk typed into the channel, and its Hold, are not the
    // call's own.
    assertThat(events.dtmf()).isEmpty();
    assertThat(events.states(callId)).doesNotContain(CallState.ON_HOLD);
    // The transferee and the target now talk to each other.
    await()
        .atMost(WAIT)
        .until(
            () ->
                channelsNamed("PJSIP/2001-").size() == 1
                    && channelsNamed("PJSIP/2002-").size() == 1);
  }

  @Test
  void blindTransferMovesTheOtherPartyAndEndsTheCall() {
    AsteriskAdapter a = clickToCall("blindTransfer");
    String callId = answered(a, "2000", "2001");
    awaitBridged(callId);

    a.transfer(callId, "2002");

    AmiMessage done = asterisk.probe.await(m -> m.get("Event", "").equals("BlindTransfer"));
    assertThat(done.get("Result", "")).isEqualTo("Success");
    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(callId)).containsOnlyOnce(CallState.CONNECTED);
    await().atMost(WAIT).until(() -> channelsNamed("PJSIP/2002-").size() == 1);
  }

  @Test
  void blindTransferOfAnUnbridgedCallFailsWithTheReason() {
    AsteriskAdapter a =
        connected(asterisk.config().option("transferMode", "blindTransfer").build());
    String callId = answered(a, "1000", "2000");

    assertThatThrownBy(() -> a.transfer(callId, "2001"))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("Transfer invalid")
        .hasMessageContaining("Dial(...,T)");
    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.CONNECTED);
  }

  // ------------------------------------------------------------------ CDR (item 10)

  @Test
  void asterisksCdrIsMergedIntoTheCallRecord() {
    AsteriskAdapter a = connected();

    String callId = answered(a, "1000", "2100");
    awaitEnd(callId);

    AmiMessage cdr =
        asterisk.probe.await(
            m -> m.get("Event", "").equals("Cdr") && m.get("UniqueID", "").equals(uuid(callId)));
    await()
        .atMost(WAIT)
        .until(
            () ->
                a.callHistory().stream()
                    .anyMatch(
                        r ->
                            r.callId().equals(callId)
                                && r.timeSource() == CallRecord.TimeSource.SERVER_CDR));
    CallRecord record =
        a.callHistory().stream().filter(r -> r.callId().equals(callId)).findFirst().orElseThrow();
    long billsec = Long.parseLong(cdr.get("BillableSeconds", ""));
    assertThat(record.billableDuration()).isEqualTo(Duration.ofSeconds(billsec));
    assertThat(Duration.between(record.createdAt(), record.endedAt()))
        .isEqualTo(Duration.ofSeconds(Long.parseLong(cdr.get("Duration", ""))));
    assertThat(record.serverIds())
        .containsEntry("CdrDisposition", "ANSWERED")
        .containsEntry("CdrBillableSeconds", String.valueOf(billsec));
    assertThat(record.disposition()).isEqualTo(Disposition.ANSWERED);
  }
}
