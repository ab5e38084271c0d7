package org.sipadapter.yate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.ConfigurationException;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ServerEvent;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.tck.EventRecorder;
import org.sipadapter.testkit.yate.YateEmulator;

class YateAdapterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final YateEmulator yate =
      new YateEmulator()
          .route("2000", YateEmulator.Outcome.ANSWER)
          .route("2005", YateEmulator.Outcome.SIP_BUSY)
          .routeTo("3000", "tone/dial")
          .timing(Duration.ofMillis(5), Duration.ofMillis(10));
  private final EventRecorder events = new EventRecorder();
  private SipAdapter adapter;

  @AfterEach
  void closeAll() {
    if (adapter != null) {
      adapter.close();
    }
    yate.close();
  }

  private YateAdapter connect(AdapterConfig config) {
    YateAdapter a = new YateAdapter(config);
    adapter = a;
    a.addListener(events);
    a.connect();
    return a;
  }

  private YateAdapter connect() {
    yate.start();
    return connect(YateEmulatorFixture.configFor(yate));
  }

  private List<String> linesSent(String prefix) {
    return yate.receivedFrames(f -> f.text().startsWith(prefix)).stream()
        .map(Frame::text)
        .map(String::strip)
        .toList();
  }

  @Test
  void providerIsFoundByTypeAndDefaultsToPort5039() {
    assertThat(SipAdapters.availableTypes()).contains("yate");
    assertThat(new YateAdapterProvider().defaultPort()).isEqualTo(5039);
    yate.start();
    SipAdapter a = SipAdapters.create(YateEmulatorFixture.configFor(yate));
    adapter = a;
    assertThat(a).isInstanceOf(YateAdapter.class);
    assertThat(a.type()).isEqualTo("yate");
  }

  @Test
  void yamlOptionsAreReadAndBadOnesAreAllReportedAtOnce() {
    SipAdapter a =
        SipAdapters.fromYaml(
            "type: yate\nhost: 127.0.0.1\noptions: { role: preset, callto: dumb/,"
                + " direct: \"sip/sip:{to}@10.0.0.9\", inbound: true, inboundCalled: \"4000\" }\n");
    adapter = a;
    YateSettings s = ((YateAdapter) a).settings();
    assertThat(s.sendsConnect()).isFalse();
    assertThat(s.direct()).isEqualTo("sip/sip:{to}@10.0.0.9");
    assertThat(s.inboundCalled()).isEqualTo("4000");
    assertThat(a.config().port()).isEqualTo(5039);

    assertThatThrownBy(
            () ->
                SipAdapters.fromYaml(
                    "type: yate\nhost: h\noptions: { role: channel, callto: dumb,"
                        + " target: x, inboundCalled: \"a:b\" }\n"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("options.role")
        .hasMessageContaining("options.callto")
        .hasMessageContaining("options.target")
        .hasMessageContaining("options.inboundCalled");
  }

  @Test
  void attachesToAListenerWithoutPresetRoleBySendingConnectFirst() {
    yate.requireConnect(true).start();
    YateAdapter a = connect(YateEmulatorFixture.configFor(yate));

    assertThat(yate.receivedFrames().get(0).text()).isEqualTo("%%>connect:global\n");
    assertThat(a.serverVersion()).contains("6.4.1");
    assertThat(linesSent("%%>watch:"))
        .contains("%%>watch:chan.hangup", "%%>watch:call.answered", "%%>watch:chan.dtmf");
    assertThat(linesSent("%%>install:")).containsExactly("%%>install:50:call.route");
  }

  @Test
  void presetRoleOnAListenerThatNeedsConnectFailsInsteadOfHanging() {
    yate.requireConnect(true).start();
    AdapterConfig config =
        YateEmulatorFixture.configFor(yate).toBuilder()
            .option("role", "preset")
            .reconnect(
                new org.sipadapter.config.ReconnectPolicy(false, Duration.ZERO, Duration.ZERO, 0))
            .build();
    YateAdapter a = new YateAdapter(config);
    adapter = a;

    assertThatThrownBy(a::connect).isInstanceOf(AdapterConnectionException.class);
  }

  @Test
  void theHarmlessErrorForConnectOnAPresetListenerIsNotReported() {
    connect();
    await().atMost(WAIT).until(() -> !linesSent("%%>watch:chan.dtmf").isEmpty());
    assertThat(events.errors()).isEmpty();
  }

  @Test
  void outboundCallIsCallExecuteWithCalltoAndTargetAndBindsBothLegs() {
    connect();
    String id =
        adapter.makeCall(
            "1000",
            "2000",
            CallOptions.builder().callerIdName("Desk: 12").variable("x_note", "a:b%c").build());
    await().atMost(WAIT).until(() -> events.states(id).contains(CallState.CONNECTED));

    assertThat(linesSent("%%>message:").get(0))
        .matches(
            "%%>message:sdk\\.\\d+:\\d+:call\\.execute::callto=dumb/:target=2000:caller=1000"
                + ":callername=Desk%z 12:x_note=a%zb%%c:copyparams=x_note"
                + ":sdk_marker="
                + adapter.instanceId()
                + "\\.[0-9a-f-]+");
    var ids = adapter.getStatus(id).serverIds();
    assertThat(ids.get(YateAdapter.LOCAL_KEY)).startsWith("dumb/");
    assertThat(ids.get(YateAdapter.CHANNEL_KEY)).startsWith("sip/");
    assertThat(events.states(id))
        .containsExactly(CallState.DIALING, CallState.RINGING, CallState.CONNECTED);

    adapter.hangup(id);
    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(linesSent("%%>message:").get(1))
        .endsWith(":call.drop::id=" + ids.get(YateAdapter.LOCAL_KEY) + ":reason=normal");
    assertThat(yate.channels()).isEmpty();
  }

  @Test
  void farEndBusyAfterRingingEndsFailedWithUserBusy() {
    connect();
    String id = adapter.makeCall("1000", "2005");

    await().atMost(WAIT).until(() -> events.ended(id));
    CallStateChanged end = events.terminalEvents(id).get(0);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.USER_BUSY.q850());
  }

  @Test
  void eventsThatOvertakeTheAnswerToCallExecuteAreAppliedOnceTheLegsAreKnown() {
    yate.start();
    // A fast far end: ringing and answer arrive before Yate answers our call.execute.
    yate.once(
        f -> f.text().contains(":call.execute:"),
        (session, f) -> {
          String msgId = f.text().split(":")[1];
          session.send("%%<message::true:call.ringing::id=sip/77:targetid=dumb/77\n");
          session.send("%%<message::true:call.answered::id=sip/77:targetid=dumb/77\n");
          session.send(
              "%%<message:"
                  + msgId
                  + ":true:call.execute::callto=dumb/:id=dumb/77:peerid=sip/77\n");
        });
    connect(YateEmulatorFixture.configFor(yate));

    String id = adapter.makeCall("1000", "2000");

    await().atMost(WAIT).until(() -> events.states(id).contains(CallState.CONNECTED));
    assertThat(events.states(id))
        .containsExactly(CallState.DIALING, CallState.RINGING, CallState.CONNECTED);
  }

  @Test
  void hangupBeforeCallExecuteIsAnsweredDropsTheCallOnceItIs() throws Exception {
    yate.start();
    java.util.concurrent.CompletableFuture<Runnable> lateAnswer =
        new java.util.concurrent.CompletableFuture<>();
    yate.once(
        f -> f.text().contains(":call.execute:"),
        (session, f) -> {
          String msgId = f.text().split(":")[1];
          lateAnswer.complete(
              () ->
                  session.send(
                      "%%<message:"
                          + msgId
                          + ":true:call.execute::callto=dumb/:id=dumb/88:peerid=sip/88\n"));
        });
    yate.when(
        f -> f.text().contains(":call.drop:"),
        (session, f) -> {
          String msgId = f.text().split(":")[1];
          session.send("%%<message:" + msgId + ":true:call.drop::id=dumb/88\n");
          session.send("%%<message::false:chan.hangup::id=dumb/88:reason=normal\n");
        });
    connect(YateEmulatorFixture.configFor(yate));

    adapter.makeCallAsync("1000", "2000", CallOptions.DEFAULTS);
    await().atMost(WAIT).until(() -> adapter.activeCalls().size() == 1);
    String id = adapter.activeCalls().get(0).callId();
    var hangup = adapter.hangupAsync(id);
    lateAnswer.get(10, java.util.concurrent.TimeUnit.SECONDS).run();
    hangup.get(10, java.util.concurrent.TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(linesSent("%%>message:").get(1)).contains(":call.drop::id=dumb/88:");
  }

  @Test
  void everyInstalledCallRouteIsAnsweredOwnRoutesUnprocessedInboundRoutedToDumb() {
    connect();
    String own = adapter.makeCall("1000", "3000");
    await().atMost(WAIT).until(() -> !linesSent("%%<message:").isEmpty());
    assertThat(linesSent("%%<message:").get(0)).endsWith(":false::");

    yate.incomingCall("5551", "4000");
    await().atMost(WAIT).until(() -> events.incomingCalls().size() == 1);
    await().atMost(WAIT).until(() -> linesSent("%%<message:").size() == 2);
    assertThat(linesSent("%%<message:").get(1)).endsWith(":true::dumb/");
    assertThat(events.incomingCalls().get(0).from()).isEqualTo("5551");
    adapter.hangup(own);
  }

  @Test
  void aRegularExpressionInboundFilterTakesOnlyTheNumbersItFindsAndInstallsNoYateFilter() {
    yate.start();
    connect(YateEmulatorFixture.configFor(yate).toBuilder().option("inboundCalled", "^4").build());
    assertThat(linesSent("%%>install:")).singleElement().asString().endsWith(":call.route");

    yate.incomingCall("5551", "5000");
    yate.incomingCall("5552", "4001");

    await().atMost(WAIT).until(() -> linesSent("%%<message:").size() == 2);
    assertThat(linesSent("%%<message:").get(0)).endsWith(":false::");
    assertThat(linesSent("%%<message:").get(1)).endsWith(":true::dumb/");
    await().atMost(WAIT).until(() -> events.incomingCalls().size() == 1);
    assertThat(events.incomingCalls().get(0).to()).isEqualTo("4001");
  }

  @Test
  void aBadRegularExpressionInboundFilterIsAConfigurationProblem() {
    assertThatThrownBy(
            () ->
                SipAdapters.fromYaml(
                    "type: yate\nhost: h\noptions: { inbound: true, inboundCalled: \"^4(\" }\n"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("options.inboundCalled");
  }

  @Test
  void inboundCallIsAnsweredWithCallAnsweredFromTheLocalLeg() {
    connect();
    String sip = yate.incomingCall("5551", "4000");
    await().atMost(WAIT).until(() -> events.incomingCalls().size() == 1);
    String id = events.incomingCalls().get(0).callId();

    adapter.answer(id);

    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    String local = adapter.getStatus(id).serverIds().get(YateAdapter.LOCAL_KEY);
    assertThat(linesSent("%%>message:"))
        .anyMatch(l -> l.endsWith(":call.answered::id=" + local + ":targetid=" + sip));
    yate.remoteHangup(sip);
    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.terminalEvents(id).get(0).state()).isEqualTo(CallState.DISCONNECTED);
  }

  @Test
  void dtmfGoesOutAsChanDtmfTowardsTheRemoteLegAndComesInPerDigit() {
    connect();
    String id = adapter.makeCall("1000", "2000");
    await().atMost(WAIT).until(() -> events.states(id).contains(CallState.CONNECTED));
    String remote = adapter.getStatus(id).serverIds().get(YateAdapter.CHANNEL_KEY);

    adapter.sendDtmf(id, "12#");
    yate.dtmfFromRemote(remote, "45");

    assertThat(yate.dtmfSent(remote)).containsExactly("12#");
    await().atMost(WAIT).until(() -> events.dtmf().size() == 2);
    assertThat(events.dtmf()).extracting(d -> d.digit()).containsExactly("4", "5");
  }

  @Test
  void unknownMessagesBecomeServerEventsWithTheirParameters() {
    connect();
    yate.push("%%<message::false:sdk.custom:ret:a=1:b=x%zy\n");

    await().atMost(WAIT).until(() -> !events.of(ServerEvent.class).isEmpty());
    ServerEvent e = events.of(ServerEvent.class).get(0);
    assertThat(e.name()).isEqualTo("sdk.custom");
    assertThat(e.fields()).containsEntry("a", "1").containsEntry("b", "x:y");
  }

  @Test
  void wireInputIsEscapedInValuesAndRefusedWhereItCannotBe() {
    connect();
    assertThatThrownBy(() -> adapter.makeCall("1000", "20\n00"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                adapter.makeCall(
                    "1000", "2000", CallOptions.builder().variable("a=b", "v").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(linesSent("%%>message:")).isEmpty();
  }

  @Test
  void anErrorInForOurMessageFailsItAtOnce() {
    yate.start();
    yate.when(
        f -> f.text().contains(":engine.status:"),
        (session, f) -> session.send("Error in: " + f.text()));
    YateAdapter a = connect(YateEmulatorFixture.configFor(yate));

    var result = a.dispatch("engine.status", java.util.Map.of("module", "sip"));

    assertThatThrownBy(result::join).hasCauseInstanceOf(org.sipadapter.ProtocolException.class);
    await().atMost(WAIT).until(() -> !events.errors().isEmpty());
  }

  @Test
  void healthReportNamesTheNode() {
    connect();
    assertThat(adapter.healthCheck().details()).containsEntry("nodename", "emulator");
  }
}
