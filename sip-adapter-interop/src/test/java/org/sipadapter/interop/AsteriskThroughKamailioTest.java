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
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.asterisk.AsteriskAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.kamailio.KamailioAdapter;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.asterisk.AmiProbe;
import org.sipadapter.testkit.asterisk.AsteriskServer;
import org.sipadapter.testkit.asterisk.RequiresAsterisk;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * A call routed from a real Asterisk 22 to a real Kamailio and back: the Asterisk adapter
 * originates to PJSIP endpoint {@code kamailio}, Kamailio finds the called user registered by
 * Asterisk itself and relays the INVITE back to Asterisk, where it arrives as a new call. The
 * Asterisk adapter sees its own call and the one coming back (one it did not place); the Kamailio
 * adapter, watching dialogs over evapi and JSON-RPC, sees the dialog between them. All three views
 * carry the same SIP Call-ID, follow the same call, and end together with exactly one terminal
 * event each, whichever adapter ends it, leaving no channel on Asterisk and no dialog in Kamailio.
 */
@RequiresAsterisk
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsteriskThroughKamailioTest {

  /** Registered at Kamailio by Asterisk; its calls are answered when they come back. */
  private static final String ANSWERED = "7300";

  /** Registered at Kamailio by Asterisk; its calls ring when they come back, never answered. */
  private static final String RINGS = "7400";

  /** Not registered: Kamailio answers 404. */
  private static final String UNREGISTERED = "7399";

  /** What Asterisk does with the calls that come back from Kamailio. */
  static final String FROM_KAMAILIO =
      """
      [from-phones]
      exten => 7300,1,Answer()
       same => n,Wait(3600)
       same => n,Hangup()
      exten => 7400,1,Ringing()
       same => n,Wait(3600)
       same => n,Hangup()
      """;

  private KamailioServer kamailio;
  private AsteriskServer asterisk;
  private AmiProbe probe;
  private AsteriskAdapter pbx;
  private KamailioAdapter proxy;
  private final EventRecorder pbxEvents = new EventRecorder();
  private final EventRecorder proxyEvents = new EventRecorder();

  @BeforeAll
  void startServers() {
    assumeTrue(
        KamailioServer.isInstalled(),
        "Kamailio is not installed (Debian packages kamailio, kamailio-extra-modules)");
    kamailio = KamailioServer.builder().build().start();
    asterisk =
        AsteriskServer.builder()
            .phone("kamailio", kamailio.sipPort())
            .registration(ANSWERED, kamailio.sipPort())
            .registration(RINGS, kamailio.sipPort())
            .dialplan(FROM_KAMAILIO)
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
    if (kamailio != null) {
      kamailio.close();
    }
  }

  @BeforeEach
  void connectAdapters() {
    proxy =
        (KamailioAdapter)
            SipAdapters.create(
                AdapterConfig.builder("kamailio")
                    .name("edge")
                    .server(KamailioServer.HOST, kamailio.sipPort())
                    .option("evapiPort", kamailio.evapiPort())
                    .option("evapiReady", "true")
                    .timeouts(timeouts())
                    .build());
    proxy.addListener(proxyEvents);
    proxy.connect();
    pbx =
        (AsteriskAdapter)
            SipAdapters.create(
                AdapterConfig.builder("asterisk")
                    .name("pbx")
                    .server(asterisk.host(), asterisk.amiPort())
                    .auth(AsteriskServer.SDK, asterisk.sdkSecret())
                    .option("channel", "PJSIP/{to}@kamailio")
                    .timeouts(timeouts())
                    .build());
    pbx.addListener(pbxEvents);
    pbx.connect();
    // Asterisk registers both users as it boots, and again whenever Kamailio forgot them.
    await()
        .atMost(WAIT)
        .until(
            () ->
                proxy.registeredContacts().stream()
                        .filter(
                            c ->
                                c.address().startsWith("sip:" + ANSWERED + "@")
                                    || c.address().startsWith("sip:" + RINGS + "@"))
                        .count()
                    == 2);
  }

  private static Timeouts timeouts() {
    return new Timeouts(
        Duration.ofSeconds(5),
        Duration.ofSeconds(5),
        Duration.ofSeconds(60),
        Duration.ofSeconds(10));
  }

  @AfterEach
  void closeAdapters() {
    if (pbx != null) {
      pbx.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    pbxEvents.clear();
    proxyEvents.clear();
    probe.action(
        AmiMessage.builder().add("Action", "Hangup").add("Channel", "/.*/").add("Cause", "16"));
    await().atMost(WAIT).until(() -> probe.channels().isEmpty());
  }

  /** The call as each adapter sees it. */
  private record Views(String own, IncomingCall back, IncomingCall dialog) {}

  private Views answeredCallThroughKamailio() {
    String own = pbx.makeCall("1000", ANSWERED);
    awaitState(pbxEvents, own, CallState.CONNECTED);
    IncomingCall back =
        awaitIncoming(pbxEvents, in -> in.to().equals(ANSWERED) && in.from().equals("1000"));
    awaitState(pbxEvents, back.callId(), CallState.CONNECTED);
    String ownChannel = pbx.getStatus(own).serverIds().get("Channel");
    String backChannel = back.serverIds().get("Channel");
    assertThat(ownChannel).startsWith("PJSIP/kamailio-");
    assertThat(backChannel).startsWith("PJSIP/phones-in-");

    // One SIP call, relayed by Kamailio: the same Call-ID on both Asterisk channels and the dialog.
    String sipCallId = sipCallIdOf(ownChannel);
    assertThat(sipCallId).isNotEmpty().isEqualTo(sipCallIdOf(backChannel));
    IncomingCall dialog =
        awaitIncoming(
            proxyEvents, in -> sipCallId.equals(in.serverIds().get(KamailioAdapter.CALL_ID)));
    awaitState(proxyEvents, dialog.callId(), CallState.CONNECTED);
    assertThat(dialog.to()).startsWith("sip:" + ANSWERED + "@");
    assertThat(dialog.from()).startsWith("sip:1000@");
    return new Views(own, back, dialog);
  }

  @Test
  void asteriskAdapterHangsUpItsCallAndTheLegThatCameBackAndTheDialogEnd() {
    Views call = answeredCallThroughKamailio();

    pbx.hangup(call.own());

    assertThat(awaitEnd(pbxEvents, call.own()).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(awaitEnd(pbxEvents, call.back().callId()).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(awaitEnd(proxyEvents, call.dialog().callId()).state())
        .isEqualTo(CallState.DISCONNECTED);
    assertCleanEnd(call);
  }

  @Test
  void kamailioAdapterEndsTheDialogAndBothAsteriskCallsEnd() {
    Views call = answeredCallThroughKamailio();
    int logBefore = kamailio.logText().length();

    proxy.hangup(call.dialog().callId());

    assertThat(awaitEnd(proxyEvents, call.dialog().callId()).state())
        .isEqualTo(CallState.DISCONNECTED);
    for (String leg : List.of(call.own(), call.back().callId())) {
      await()
          .atMost(WAIT)
          .until(() -> pbxEvents.ended(leg) || missedABye(kamailio.logText(), logBefore));
      if (!pbxEvents.ended(leg)) {
        // Kamailio 5.6's dlg.end_dlg race (docs/kamailio.md, Troubleshooting): the first leg's
        // 200 OK deleted the dialog before the second BYE went out, so Asterisk still has that
        // leg, and the Asterisk adapter rightly still reports it. Its own hangup ends it.
        pbx.hangup(leg);
      }
      assertThat(awaitEnd(pbxEvents, leg).state()).isEqualTo(CallState.DISCONNECTED);
    }
    assertCleanEnd(call);
  }

  /** Whether Kamailio logged, after {@code from}, that it could not send one of a dialog's BYEs. */
  private static boolean missedABye(String log, int from) {
    return log.length() > from
        && log.substring(from).contains("terminating non-confirmed dialogs not supported");
  }

  @Test
  void callHungUpWhileItRingsIsCancelledThroughKamailioOnEveryView() {
    String own = pbx.makeCall("1000", RINGS);
    awaitState(pbxEvents, own, CallState.RINGING);
    IncomingCall back =
        awaitIncoming(pbxEvents, in -> in.to().equals(RINGS) && in.from().equals("1000"));
    IncomingCall dialog =
        awaitIncoming(proxyEvents, in -> in.to().startsWith("sip:" + RINGS + "@"));
    awaitState(proxyEvents, dialog.callId(), CallState.RINGING);

    pbx.hangup(own);

    // The caller gave up: a CANCEL through Kamailio, 487 back. Every view says so.
    CallStateChanged ownEnd = awaitEnd(pbxEvents, own);
    CallStateChanged backEnd = awaitEnd(pbxEvents, back.callId());
    CallStateChanged dialogEnd = awaitEnd(proxyEvents, dialog.callId());
    assertThat(ownEnd.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(ownEnd.cause()).extracting(HangupCause::name).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(record(pbx, own).disposition()).isEqualTo(Disposition.CANCELLED);
    assertThat(backEnd.state()).isEqualTo(CallState.FAILED);
    assertThat(backEnd.cause()).extracting(HangupCause::name).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(backEnd.cause().sipStatus()).isEqualTo(487);
    assertThat(record(pbx, back.callId()).disposition()).isEqualTo(Disposition.CANCELLED);
    assertThat(dialogEnd.state()).isEqualTo(CallState.FAILED);
    assertThat(dialogEnd.cause()).extracting(HangupCause::name).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(dialogEnd.cause().sipStatus()).isEqualTo(487);
    assertThat(record(proxy, dialog.callId()).disposition()).isEqualTo(Disposition.CANCELLED);
    assertCleanEnd(new Views(own, back, dialog));
  }

  @Test
  void callToAUserNobodyRegisteredFailsAsUnallocatedOnBothAdapters() {
    String own = pbx.makeCall("1000", UNREGISTERED);

    CallStateChanged ownEnd = awaitEnd(pbxEvents, own);
    IncomingCall dialog =
        awaitIncoming(proxyEvents, in -> in.to().startsWith("sip:" + UNREGISTERED + "@"));
    CallStateChanged dialogEnd = awaitEnd(proxyEvents, dialog.callId());

    assertThat(ownEnd.state()).isEqualTo(CallState.FAILED);
    assertThat(dialogEnd.state()).isEqualTo(CallState.FAILED);
    assertThat(ownEnd.cause().q850()).isEqualTo(1);
    assertThat(dialogEnd.cause().q850()).isEqualTo(1);
    assertThat(dialogEnd.cause().sipStatus()).isEqualTo(404);
    // Nothing came back to Asterisk.
    assertThat(pbxEvents.incomingCalls()).isEmpty();
    assertEndedOnceAndQuiet(pbxEvents, own);
    assertEndedOnceAndQuiet(proxyEvents, dialog.callId());
    assertNothingLeft();
  }

  private void assertCleanEnd(Views call) {
    assertEndedOnceAndQuiet(pbxEvents, call.own());
    assertEndedOnceAndQuiet(pbxEvents, call.back().callId());
    assertEndedOnceAndQuiet(proxyEvents, call.dialog().callId());
    assertNothingLeft();
  }

  private void assertNothingLeft() {
    await().atMost(WAIT).until(() -> probe.channels().isEmpty());
    await()
        .atMost(WAIT)
        .until(
            () ->
                proxy.activeDialogStats().all() == 0
                    && !kamailio.rpc("dlg.list").contains("\"call-id\""));
    assertThat(pbx.activeCalls()).isEmpty();
    assertThat(proxy.activeCalls()).isEmpty();
  }

  private static CallRecord record(SipAdapter adapter, String callId) {
    return adapter.callHistory().stream()
        .filter(r -> r.callId().equals(callId))
        .findFirst()
        .orElseThrow();
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
}
