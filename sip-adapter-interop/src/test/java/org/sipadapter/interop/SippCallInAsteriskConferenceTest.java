package org.sipadapter.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sipadapter.interop.CallChecks.WAIT;
import static org.sipadapter.interop.CallChecks.assertEndedOnceAndQuiet;
import static org.sipadapter.interop.CallChecks.awaitEnd;
import static org.sipadapter.interop.CallChecks.awaitIncoming;
import static org.sipadapter.interop.CallChecks.awaitState;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Disposition;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapters;
import org.sipadapter.asterisk.AsteriskAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.sipp.SippAdapter;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.asterisk.AmiProbe;
import org.sipadapter.testkit.asterisk.AsteriskServer;
import org.sipadapter.testkit.asterisk.RequiresAsterisk;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * A conference of mixed adapter types on a real Asterisk 22: the SIPp adapter (embedded agent, a
 * real {@code sipp} process) calls Asterisk over PJSIP and its call meets, in a ConfBridge room, a
 * call the Asterisk adapter placed to a SIPp phone. Each adapter sees the calls from its side (the
 * Asterisk adapter sees the SIPp call as one it did not place), the room lists both, and each call
 * ends with exactly one terminal event on every adapter that saw it, leaving nothing on Asterisk or
 * in the SIPp agent.
 */
@RequiresAsterisk
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SippCallInAsteriskConferenceTest {

  /**
   * Calls from SIPp to 77XX go straight into room 77XX; other numbers ring in {@code from-phones}
   * until an adapter moves them.
   */
  static final String ROOMS_FOR_PHONES =
      """
      [from-phones]
      exten => _77XX,1,Answer()
       same => n,ConfBridge(${EXTEN})
       same => n,Hangup()
      """;

  private SippProcess phone;
  private AsteriskServer asterisk;
  private AmiProbe probe;
  private AsteriskAdapter pbx;
  private SippAdapter sipp;
  private final EventRecorder pbxEvents = new EventRecorder();
  private final EventRecorder sippEvents = new EventRecorder();

  @BeforeAll
  void startServers() {
    CallChecks.sippMissing().ifPresent(reason -> assumeTrue(false, reason));
    phone = SippProcess.uas(UasScenario.RING_THEN_TALK).ringDelay(Duration.ofMillis(200)).start();
    asterisk =
        AsteriskServer.builder()
            .phone("2000", phone.port())
            .dialplan(ROOMS_FOR_PHONES)
            .build()
            .start();
    probe = asterisk.probe();
  }

  @AfterAll
  void stopServers() {
    if (probe != null) {
      probe.close();
    }
    if (asterisk != null) {
      asterisk.close();
    }
    if (phone != null) {
      phone.close();
    }
  }

  @BeforeEach
  void connectAdapters() {
    pbx =
        (AsteriskAdapter)
            SipAdapters.create(
                AdapterConfig.builder("asterisk")
                    .name("pbx")
                    .server(asterisk.host(), asterisk.amiPort())
                    .auth(AsteriskServer.SDK, asterisk.sdkSecret())
                    .timeouts(
                        new Timeouts(
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(10)))
                    .build());
    pbx.addListener(pbxEvents);
    pbx.connect();
    sipp =
        (SippAdapter)
            SipAdapters.create(
                AdapterConfig.builder("sipp")
                    .name("loadgen")
                    .option("mode", "embedded")
                    .option("target", asterisk.host() + ":" + asterisk.sipPort())
                    // Starting a sipp process may take a while on a loaded machine.
                    .timeouts(
                        new Timeouts(
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(20),
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(10)))
                    .build());
    sipp.addListener(sippEvents);
    sipp.connect();
  }

  @AfterEach
  void closeAdapters() {
    if (sipp != null) {
      sipp.close();
    }
    if (pbx != null) {
      pbx.close();
    }
    pbxEvents.clear();
    sippEvents.clear();
    // Nothing a test left behind may reach the next one.
    probe.action(
        AmiMessage.builder().add("Action", "Hangup").add("Channel", "/.*/").add("Cause", "16"));
    await().atMost(WAIT).until(() -> probe.channels().isEmpty());
  }

  @Test
  void sippCallDialledIntoARoomMeetsTheAsteriskAdaptersCallThere() {
    String own = pbx.makeCall("1000", "2000");
    awaitState(pbxEvents, own, CallState.CONNECTED);
    pbx.conference("7701", own);
    await().atMost(WAIT).until(() -> pbx.conferenceMembers("7701").join().size() == 1);

    String placed = sipp.makeCall("3001", "7701");
    awaitState(sippEvents, placed, CallState.CONNECTED);
    String sipCallId = sipp.getStatus(placed).serverIds().get("sip.callId");
    IncomingCall seen =
        awaitIncoming(pbxEvents, in -> in.from().equals("3001") && in.to().equals("7701"));
    awaitState(pbxEvents, seen.callId(), CallState.CONNECTED);

    String ownChannel = pbx.getStatus(own).serverIds().get("Channel");
    String seenChannel = seen.serverIds().get("Channel");
    assertThat(seenChannel).startsWith("PJSIP/phones-in-");
    assertThat(sipCallIdOf(seenChannel)).isEqualTo(sipCallId);
    await().atMost(WAIT).until(() -> pbx.conferenceMembers("7701").join().size() == 2);
    assertThat(pbx.conferenceMembers("7701").join())
        .containsExactlyInAnyOrder(ownChannel, seenChannel);
    assertThat(roomOnServer("7701")).containsExactlyInAnyOrder(ownChannel, seenChannel);

    // The SIPp side leaves first (BYE from sipp), then the Asterisk adapter ends its own call.
    sipp.hangup(placed);
    assertThat(awaitEnd(sippEvents, placed).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(awaitEnd(pbxEvents, seen.callId()).state()).isEqualTo(CallState.DISCONNECTED);
    await()
        .atMost(WAIT)
        .until(() -> pbx.conferenceMembers("7701").join().equals(List.of(ownChannel)));
    pbx.hangup(own);
    assertThat(awaitEnd(pbxEvents, own).state()).isEqualTo(CallState.DISCONNECTED);

    assertEndedOnceAndQuiet(sippEvents, placed);
    assertEndedOnceAndQuiet(pbxEvents, seen.callId());
    assertEndedOnceAndQuiet(pbxEvents, own);
    assertNothingLeft("7701");
  }

  @Test
  void asteriskAdapterJoinsTheSippCallItDidNotPlaceAndItsOwnIntoOneRoom() {
    String placed = sipp.makeCall("3002", "4002");
    awaitState(sippEvents, placed, CallState.RINGING);
    IncomingCall seen =
        awaitIncoming(pbxEvents, in -> in.from().equals("3002") && in.to().equals("4002"));
    awaitState(pbxEvents, seen.callId(), CallState.RINGING);
    String own = pbx.makeCall("1000", "2000");
    awaitState(pbxEvents, own, CallState.CONNECTED);

    pbx.conference("7702", own, seen.callId());

    // The room's extension answers the SIPp call.
    awaitState(sippEvents, placed, CallState.CONNECTED);
    awaitState(pbxEvents, seen.callId(), CallState.CONNECTED);
    String ownChannel = pbx.getStatus(own).serverIds().get("Channel");
    String seenChannel = seen.serverIds().get("Channel");
    await().atMost(WAIT).until(() -> pbx.conferenceMembers("7702").join().size() == 2);
    assertThat(pbx.conferenceMembers("7702").join())
        .containsExactlyInAnyOrder(ownChannel, seenChannel);
    assertThat(roomOnServer("7702")).containsExactlyInAnyOrder(ownChannel, seenChannel);

    // The Asterisk adapter hangs up the call SIPp placed (a BYE to sipp), then its own.
    pbx.hangup(seen.callId());
    assertThat(awaitEnd(pbxEvents, seen.callId()).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(awaitEnd(sippEvents, placed).state()).isEqualTo(CallState.DISCONNECTED);
    pbx.hangup(own);
    assertThat(awaitEnd(pbxEvents, own).state()).isEqualTo(CallState.DISCONNECTED);

    assertEndedOnceAndQuiet(sippEvents, placed);
    assertEndedOnceAndQuiet(pbxEvents, seen.callId());
    assertEndedOnceAndQuiet(pbxEvents, own);
    assertNothingLeft("7702");
  }

  @Test
  void sippCallCancelledWhileItRingsEndsCancelledOnBothAdapters() {
    String placed = sipp.makeCall("3003", "4003");
    awaitState(sippEvents, placed, CallState.RINGING);
    IncomingCall seen =
        awaitIncoming(pbxEvents, in -> in.from().equals("3003") && in.to().equals("4003"));

    sipp.hangup(placed);

    // A CANCEL from sipp, 487 from Asterisk: both adapters say the caller gave up.
    CallStateChanged sippEnd = awaitEnd(sippEvents, placed);
    CallStateChanged pbxEnd = awaitEnd(pbxEvents, seen.callId());
    assertThat(sippEnd.cause()).extracting(HangupCause::name).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(pbxEnd.state()).isEqualTo(CallState.FAILED);
    assertThat(pbxEnd.cause()).extracting(HangupCause::name).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(pbxEnd.cause().sipStatus()).isEqualTo(487);
    assertThat(pbxEvents.states(seen.callId())).doesNotContain(CallState.CONNECTED);
    assertThat(
            pbx.callHistory().stream()
                .filter(r -> r.callId().equals(seen.callId()))
                .map(CallRecord::disposition))
        .containsExactly(Disposition.CANCELLED);

    assertEndedOnceAndQuiet(sippEvents, placed);
    assertEndedOnceAndQuiet(pbxEvents, seen.callId());
    assertNothingLeft("4003");
  }

  /** The channels in a ConfBridge room, as a second AMI client sees them. */
  private List<String> roomOnServer(String room) {
    return probe
        .list(AmiMessage.builder().add("Action", "ConfbridgeList").add("Conference", room))
        .stream()
        .filter(m -> m.get("Event", "").equals("ConfbridgeList"))
        .map(m -> m.get("Channel", ""))
        .toList();
  }

  /** The SIP Call-ID of a PJSIP channel, read on the server. */
  private String sipCallIdOf(String channel) {
    return probe
        .action(
            AmiMessage.builder()
                .add("Action", "Getvar")
                .add("Channel", channel)
                .add("Variable", "CHANNEL(pjsip,call-id)"))
        .get("Value", "");
  }

  private void assertNothingLeft(String room) {
    await().atMost(WAIT).until(() -> probe.channels().isEmpty());
    assertThat(roomOnServer(room)).isEmpty();
    assertThat(pbx.activeCalls()).isEmpty();
    await().atMost(WAIT).until(() -> sipp.activeCalls().isEmpty());
    // The agent's sipp process of each call has exited.
    await()
        .atMost(WAIT)
        .until(() -> sipp.healthCheck().details().get("agentRunningRuns"), n -> n.equals(0));
  }
}
