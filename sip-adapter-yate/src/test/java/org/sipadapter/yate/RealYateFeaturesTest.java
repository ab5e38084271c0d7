package org.sipadapter.yate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallDirection;
import org.sipadapter.CallOptions;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Disposition;
import org.sipadapter.HangupCause;
import org.sipadapter.HealthStatus;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.tck.EventRecorder;
import org.sipadapter.testkit.yate.RequiresYate;
import org.sipadapter.testkit.yate.YateProbe;
import org.sipadapter.testkit.yate.YateServer;

/**
 * Every feature the adapter claims, on a real Yate ({@link YateServer}: the recordings' set-up, a
 * SIP self-loop as far end) and checked through a second extmodule client ({@link YateProbe}) or
 * the file on disk, not through the adapter's own word. Skipped unless {@code YATE_HOME} or {@code
 * -Dsipadapter.yate.home} names a Yate.
 */
@RequiresYate
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealYateFeaturesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private YateServer yate;
  private YateProbe probe;
  private final List<YateAdapter> adapters = new ArrayList<>();

  @BeforeAll
  void startYate() {
    yate = YateServer.builder().build().start();
    probe = yate.probe().watch("call.route").watch("chan.hangup").watch("chan.dtmf");
  }

  @AfterAll
  void stopYate() {
    if (probe != null) {
      probe.close();
    }
    if (yate != null) {
      yate.close();
    }
  }

  @AfterEach
  void closeAdapters() {
    adapters.forEach(YateAdapter::close);
    adapters.clear();
  }

  private AdapterConfig.Builder config() {
    return AdapterConfig.builder(YateAdapter.TYPE)
        .name("real-yate")
        .server(yate.host(), yate.extmodulePort())
        .option("recordingDir", yate.recordingDir().toString())
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
  }

  private YateAdapter connected(AdapterConfig config, EventRecorder events) {
    YateAdapter a = new YateAdapter(config);
    adapters.add(a);
    a.addListener(events);
    a.connect();
    return a;
  }

  private YateAdapter connected(EventRecorder events) {
    return connected(config().build(), events);
  }

  private static String answered(YateAdapter a, String to) {
    String id = a.makeCall("1000", to);
    await().atMost(WAIT).until(() -> a.getStatus(id).state() == CallState.CONNECTED);
    return id;
  }

  private static String remote(YateAdapter a, String callId) {
    return a.getStatus(callId).serverIds().get(YateAdapter.CHANNEL_KEY);
  }

  private static String local(YateAdapter a, String callId) {
    return a.getStatus(callId).serverIds().get(YateAdapter.LOCAL_KEY);
  }

  /** The incoming loop leg of an outbound call: the SIP channel on the other end of the dialog. */
  private String loopLeg(String remote) {
    long n = Long.parseLong(remote.substring(remote.indexOf('/') + 1));
    return "sip/" + (n + 1);
  }

  private static CallRecord serverRecord(YateAdapter a, String callId) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                a.callHistory().stream()
                    .anyMatch(
                        r ->
                            r.callId().equals(callId)
                                && r.timeSource() == CallRecord.TimeSource.SERVER_CDR));
    return a.callHistory().stream().filter(r -> r.callId().equals(callId)).findFirst().get();
  }

  @Test
  void anAnsweredCallHasBothLegsABillidAndEndsWithTheServersCdr() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = answered(a, "100");
    String remote = remote(a, id);

    assertThat(a.getStatus(id).serverIds()).containsKey(YateAdapter.BILLID_KEY);
    assertThat(probe.channel(remote))
        .hasValueSatisfying(c -> assertThat(c.peer()).isEqualTo(local(a, id)));
    a.hangup(id);

    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.terminalEvents(id).get(0).cause().q850()).isEqualTo(16);
    CallRecord r = serverRecord(a, id);
    assertThat(r.billableDuration())
        .isEqualTo(YateDriver.seconds(r.serverIds().get("cdrBilltime")));
    assertThat(r.disposition()).isEqualTo(Disposition.ANSWERED);
    await().atMost(WAIT).until(() -> probe.channel(remote).isEmpty());
  }

  @Test
  void headersAndVariablesReachTheFarEndsCallRoute() {
    YateAdapter a = connected(new EventRecorder());
    String id =
        a.makeCall(
            "1000",
            "100",
            CallOptions.builder().header("X-Acc", "hdr-v1").variable("acc_var", "var-v2").build());
    await().atMost(WAIT).until(() -> a.getStatus(id).state() == CallState.CONNECTED);
    String loop = loopLeg(remote(a, id));

    assertThat(probe.seen("call.route", r -> r.get("id").equals(loop)))
        .singleElement()
        .satisfies(r -> assertThat(r.get("sip_x-acc")).isEqualTo("hdr-v1"));
    a.hangup(id);
  }

  @Test
  void aSipBusyEndsFailedWithUserBusy() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = a.makeCall("1000", "1486");

    await().atMost(WAIT).until(() -> events.ended(id));
    CallStateChanged end = events.terminalEvents(id).get(0);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(17);
    assertThat(end.cause().sipStatus()).isEqualTo(486);
    assertThat(serverRecord(a, id).disposition()).isEqualTo(Disposition.BUSY);
  }

  @Test
  void anUnroutedNumberFailsWithNoRoute() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = a.makeCall("1000", "5555");

    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.terminalEvents(id).get(0).state()).isEqualTo(CallState.FAILED);
    assertThat(events.terminalEvents(id).get(0).cause().q850()).isEqualTo(3);
  }

  @Test
  void aRingingCallHungUpIsCancelled() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = a.makeCall("1000", "408");
    await().atMost(WAIT).until(() -> a.getStatus(id).state() == CallState.RINGING);
    String remote = remote(a, id);

    a.hangup(id);

    await().atMost(WAIT).until(() -> events.ended(id));
    await().atMost(WAIT).until(() -> probe.channel(remote).isEmpty());
    assertThat(events.terminalEvents(id)).hasSize(1);
  }

  @Test
  void dtmfLeavesTheFarLegAsSipInfoAndDtmfFromTheFarEndIsReceived() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = answered(a, "100");
    String remote = remote(a, id);

    a.sendDtmf(id, "4");
    // the INFO comes back into this Yate (a SIP self-loop), which reports it on the dialog's leg
    await()
        .atMost(WAIT)
        .until(
            () ->
                !probe
                    .seen(
                        "chan.dtmf",
                        r -> r.get("text").equals("4") && r.get("detected").equals("sip-info"))
                    .isEmpty());

    probe.dispatch("chan.dtmf", "targetid", loopLeg(remote), "text", "7", "methods", "info");
    await().atMost(WAIT).until(() -> events.dtmf().stream().anyMatch(d -> d.digit().equals("7")));
    a.hangup(id);
  }

  @Test
  void blindTransferMovesTheFarLegToTheTargetAndTheCallLeavesUs() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = answered(a, "100");
    String remote = remote(a, id);
    String local = local(a, id);

    a.transfer(id, "200");

    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.states(id))
        .containsSubsequence(CallState.TRANSFERRING, CallState.DISCONNECTED);
    assertThat(events.states(id)).containsOnlyOnce(CallState.TRANSFERRING);
    assertThat(probe.channel(local)).isEmpty();
    assertThat(probe.channel(remote))
        .hasValueSatisfying(c -> assertThat(c.peer()).startsWith("sip/").isNotEqualTo(local));
    assertThat(serverRecord(a, id).serverIds()).containsKey("cdrBilltime");
  }

  @Test
  void attendedTransferConnectsTheFarLegWithTheConsultationsFarLeg() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = answered(a, "100");
    String remote = remote(a, id);

    a.attendedTransfer(id, "100");

    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.states(id)).containsOnlyOnce(CallState.TRANSFERRING);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(probe.channel(remote))
                    .hasValueSatisfying(c -> assertThat(c.peer()).startsWith("sip/")));
    probe.dispatch("call.drop", "id", remote);
  }

  @Test
  void anAttendedTransferToABusyOrSilentTargetFailsAndLeavesTheCallAsItWas() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = answered(a, "100");
    String remote = remote(a, id);
    String local = local(a, id);
    int localLegs = probe.channels("dumb").size();

    for (String target : List.of("1486", "408")) {
      assertThatThrownBy(() -> a.attendedTransfer(id, target))
          .as("attended transfer to %s", target)
          .isInstanceOf(RuntimeException.class);
      await().atMost(WAIT).until(() -> a.getStatus(id).state() == CallState.CONNECTED);
      await().atMost(WAIT).until(() -> probe.channels("dumb").size() == localLegs);
      assertThat(probe.channel(remote))
          .hasValueSatisfying(c -> assertThat(c.peer()).isEqualTo(local));
    }
    a.hangup(id);
  }

  @Test
  void holdAndResumeKeepTheFarLegOnOurLeg() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = answered(a, "100");
    String remote = remote(a, id);
    String local = local(a, id);

    a.hold(id);
    assertThat(a.getStatus(id).state()).isEqualTo(CallState.ON_HOLD);
    assertThat(probe.channel(remote))
        .hasValueSatisfying(c -> assertThat(c.peer()).isEqualTo(local));
    a.resume(id);

    assertThat(a.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    assertThat(probe.channel(remote))
        .hasValueSatisfying(c -> assertThat(c.peer()).isEqualTo(local));
    assertThat(probe.channel(local)).isPresent();
    a.hangup(id);
  }

  @Test
  void recordingWritesTheFileUntilStopped() throws Exception {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String id = answered(a, "100");
    Path file = yate.recordingDir().resolve("real-1.slin");

    a.startRecording(id, "real-1");
    await().atMost(WAIT).until(() -> Files.exists(file) && Files.size(file) > 8000);
    a.stopRecording(id);

    long stopped = Files.size(file);
    // still growing after the stop would mean it never stopped: compare with the call's own time
    await()
        .atMost(WAIT)
        .pollDelay(Duration.ofSeconds(1))
        .until(() -> Files.size(file) - stopped < 8000);
    assertThat(a.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    a.hangup(id);
  }

  @Test
  void conferenceKeepsTheLastMemberWhenTheOtherLeaves() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String x = answered(a, "100");
    String y = answered(a, "100");
    String remoteY = remote(a, y);

    a.conference("real-room", x, y);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(probe.channel(remoteY))
                    .hasValueSatisfying(c -> assertThat(c.peer()).startsWith("conf/")));
    a.hangup(x);

    await().atMost(WAIT).until(() -> events.ended(x));
    assertThat(events.terminalEvents(x)).hasSize(1);
    assertThat(a.getStatus(y).state()).isEqualTo(CallState.CONNECTED);
    assertThat(probe.channel(remoteY))
        .hasValueSatisfying(c -> assertThat(c.peer()).startsWith("conf/"));
    a.hangup(y);
    await().atMost(WAIT).until(() -> events.ended(y));
  }

  @Test
  void bridgeConnectsTheTwoFarLegsAndOneEndEndsBoth() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);
    String x = answered(a, "100");
    String y = answered(a, "100");
    String remoteX = remote(a, x);
    String remoteY = remote(a, y);

    a.bridge(x, y);

    assertThat(probe.channel(remoteX))
        .hasValueSatisfying(c -> assertThat(c.peer()).isEqualTo(remoteY));
    a.hangup(x);
    await().atMost(WAIT).until(() -> events.ended(x) && events.ended(y));
    assertThat(events.terminalEvents(y)).hasSize(1);
  }

  private AdapterConfig inboundConfig() {
    return config().option("inbound", true).option("inboundCalled", "^4").build();
  }

  private static IncomingCall incomingTo(EventRecorder events, String called) {
    await()
        .atMost(WAIT)
        .until(() -> events.incomingCalls().stream().anyMatch(c -> c.to().equals(called)));
    return events.incomingCalls().stream().filter(c -> c.to().equals(called)).findFirst().get();
  }

  @Test
  void anInboundCallIsTakenAnsweredAndHungUp() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(inboundConfig(), events);

    YateProbe.Result placed =
        probe.dispatch("call.execute", "callto", "dumb/", "target", "in4000", "caller", "3000");
    assertThat(placed.processed()).isTrue();
    // The probe's own call (dumb/ to in4000) is seen too, as a call this adapter did not place;
    // the inbound call is its far end arriving back at this Yate for 4000.
    IncomingCall in = incomingTo(events, "4000");
    assertThat(in.from()).isEqualTo("3000");

    a.answer(in.callId());
    assertThat(a.getStatus(in.callId()).state()).isEqualTo(CallState.CONNECTED);
    String farLeg = placed.get("peerid");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(probe.channel(farLeg))
                    .hasValueSatisfying(c -> assertThat(c.status()).isEqualTo("answered")));
    a.hangup(in.callId());
    await().atMost(WAIT).until(() -> events.ended(in.callId()));
    await().atMost(WAIT).until(() -> probe.channel(farLeg).isEmpty());
  }

  @Test
  void aRejectionReachesTheCallerAsTheSipStatusOfItsCause() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(inboundConfig(), events);

    for (HangupCause cause :
        List.of(HangupCause.USER_BUSY, HangupCause.CALL_REJECTED, HangupCause.NO_ANSWER)) {
      events.clear();
      YateProbe.Result placed =
          probe.dispatch("call.execute", "callto", "dumb/", "target", "in4001", "caller", "3001");
      String farLeg = placed.get("peerid");
      String callId = incomingTo(events, "4001").callId();

      a.reject(callId, cause);

      await().atMost(WAIT).until(() -> events.ended(callId));
      await()
          .atMost(WAIT)
          .until(() -> !probe.seen("chan.hangup", r -> r.get("id").equals(farLeg)).isEmpty());
      String sip =
          probe.seen("chan.hangup", r -> r.get("id").equals(farLeg)).get(0).get("cause_sip");
      assertThat(sip).as("SIP status for %s", cause).isEqualTo(String.valueOf(cause.sipStatus()));
    }
  }

  @Test
  void aCallPlacedByAnotherApplicationIsObservedNotTakenOver() {
    EventRecorder events = new EventRecorder();
    YateAdapter a = connected(events);

    YateProbe.Result placed =
        probe.dispatch("call.execute", "callto", "dumb/", "target", "100", "caller", "2999");
    String theirLocal = placed.get("id");

    await()
        .atMost(WAIT)
        .until(
            () ->
                events.incomingCalls().stream()
                    .anyMatch(
                        c ->
                            theirLocal.equals(
                                a.getStatus(c.callId()).serverIds().get(YateAdapter.LOCAL_KEY))));
    IncomingCall seen =
        events.incomingCalls().stream()
            .filter(
                c ->
                    theirLocal.equals(
                        a.getStatus(c.callId()).serverIds().get(YateAdapter.LOCAL_KEY)))
            .findFirst()
            .orElseThrow();
    assertThat(a.getStatus(seen.callId()).direction()).isEqualTo(CallDirection.INBOUND);
    probe.dispatch("call.drop", "id", theirLocal);
    await().atMost(WAIT).until(() -> events.ended(seen.callId()));
  }

  @Test
  void theRoleGlobalListenerWorksWithBothRoleSettings() {
    for (String role : List.of("global", "preset")) {
      EventRecorder events = new EventRecorder();
      YateAdapter a =
          connected(
              config().server(yate.host(), yate.globalListenerPort()).option("role", role).build(),
              events);
      String id = answered(a, "100");
      a.hangup(id);
      await().atMost(WAIT).until(() -> events.ended(id));
    }
  }

  @Test
  void presetRoleOnAListenerWithoutRoleFailsAtOnceWithLinkClosed() {
    YateAdapter a = new YateAdapter(config().option("role", "preset").build());
    adapters.add(a);
    assertThatThrownBy(a::connect)
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void theHealthReportUsesTheConsoleAndAFrozenYateIsNotHealthy() {
    EventRecorder events = new EventRecorder();
    YateAdapter a =
        connected(
            config()
                .option("rmanagerPort", yate.rmanagerPort())
                .option("rmanagerPassword", yate.rmanagerPassword())
                .build(),
            events);
    assertThat(a.healthCheck().status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(a.healthCheck().details()).containsKey("uptimeSeconds");

    yate.freeze();
    try {
      assertThat(a.healthCheck().status()).isNotEqualTo(HealthStatus.HEALTHY);
    } finally {
      yate.thaw();
    }
    await().atMost(WAIT).until(() -> a.healthCheck().status() == HealthStatus.HEALTHY);
  }

  @Test
  void aCallWhoseRequestTimedOutIsHungUpWhenAThawedYateRunsItLate() {
    EventRecorder events = new EventRecorder();
    YateAdapter a =
        connected(
            config()
                .timeouts(
                    new Timeouts(
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(60)))
                .build(),
            events);
    int dumbBefore = probe.channels("dumb").size();

    yate.freeze();
    String id;
    try {
      var call = a.makeCallAsync("1000", "100", CallOptions.DEFAULTS);
      await().atMost(WAIT).until(call::isDone);
      assertThat(call).isCompletedExceptionally();
      id = events.of(CallStateChanged.class).get(0).callId();
    } finally {
      yate.thaw();
    }

    await().atMost(WAIT).until(() -> a.metrics().orphansHungUp() >= 1);
    await().atMost(WAIT).until(() -> probe.channels("dumb").size() <= dumbBefore);
    assertThat(events.terminalEvents(id)).hasSize(1);
  }
}
