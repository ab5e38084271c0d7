package org.sipadapter.kamailio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.Disposition;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.HealthStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.UnsupportedFeatureException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.net.FaultProxy;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/** The Kamailio adapter against a real Kamailio with SIPp phones. */
class KamailioAdapterTest {

  private static KamailioServer kamailio;
  private static SippProcess answering;
  private static SippProcess busy;

  private final List<AdapterEvent> events = new CopyOnWriteArrayList<>();
  private final List<SippProcess> callers = new CopyOnWriteArrayList<>();
  private volatile KamailioAdapter adapter;

  @BeforeAll
  static void startServers() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");
    answering = SippProcess.uas(UasScenario.ANSWER).start();
    busy = SippProcess.uas(UasScenario.BUSY).start();
    kamailio =
        KamailioServer.builder()
            .route("2000", answering.port())
            .route("busy", busy.port())
            .build()
            .start();
  }

  @AfterAll
  static void stopServers() {
    for (AutoCloseable c : new AutoCloseable[] {answering, busy, kamailio}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @AfterEach
  void closeAdapterAndCallers() {
    callers.forEach(SippProcess::close);
    if (adapter != null) {
      adapter.close();
    }
  }

  static AdapterConfig.Builder config(KamailioServer k) {
    return AdapterConfig.builder("kamailio")
        .name("kam-test")
        .server(KamailioServer.HOST, k.sipPort())
        .option("evapiPort", k.evapiPort()); // evapiReady by default: waits for evapi:ready
  }

  private KamailioAdapter connect(AdapterConfig config) {
    adapter = (KamailioAdapter) SipAdapters.create(config);
    adapter.addListener(
        new org.sipadapter.SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent e) {
            events.add(e);
          }
        });
    adapter.connect();
    return adapter;
  }

  private SippProcess call(String user, String sipCallId, Duration hold) {
    SippProcess p =
        SippProcess.uac(KamailioServer.HOST, kamailio.sipPort())
            .service(user)
            .callDuration(hold)
            .extraArgs("-cid_str", sipCallId)
            .start();
    callers.add(p);
    return p;
  }

  private String awaitIncoming(String sipCallId) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                events.stream()
                    .anyMatch(
                        e ->
                            e instanceof IncomingCall ic
                                && sipCallId.equals(ic.serverIds().get(KamailioAdapter.CALL_ID))));
    return events.stream()
        .filter(e -> e instanceof IncomingCall)
        .map(e -> (IncomingCall) e)
        .filter(ic -> sipCallId.equals(ic.serverIds().get(KamailioAdapter.CALL_ID)))
        .findFirst()
        .orElseThrow()
        .callId();
  }

  private List<CallState> statesOf(String callId) {
    return events.stream()
        .filter(e -> e instanceof CallStateChanged c && c.callId().equals(callId))
        .map(e -> ((CallStateChanged) e).state())
        .toList();
  }

  private CallStateChanged terminalOf(String callId) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> statesOf(callId).stream().anyMatch(CallState::isTerminal));
    return events.stream()
        .filter(e -> e instanceof CallStateChanged c && c.callId().equals(callId))
        .map(e -> (CallStateChanged) e)
        .filter(c -> c.state().isTerminal())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void providerIsFoundByTypeWithPort5060AsDefault() {
    SipAdapter a =
        SipAdapters.create(AdapterConfig.builder("kamailio").server("127.0.0.1", 0).build());
    assertThat(a).isInstanceOf(KamailioAdapter.class);
    assertThat(a.type()).isEqualTo("kamailio");
    assertThat(SipAdapters.availableTypes()).contains("kamailio");
    a.close();
  }

  @Test
  void connectReadsTheVersionAndHealthShowsDialogCounters() {
    connect(config(kamailio).build());

    assertThat(adapter.serverVersion())
        .hasValueSatisfying(v -> assertThat(v).matches("kamailio (5\\.6|6\\.1)\\..*"));
    var health = adapter.healthCheck();
    assertThat(health.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(health.details())
        .containsKeys(
            "uptimeSeconds", "activeDialogs", "dialog:active_dialogs", "tmx:UAS_transactions");
    assertThat(adapter.activeDialogStats().all()).isGreaterThanOrEqualTo(0);
    assertThat(adapter.registeredContacts()).isEmpty();
  }

  @Test
  void answeredCallThroughKamailioIsSeenFromRingingToDisconnected() {
    connect(config(kamailio).build());
    String sipCallId = "kam-answered-" + System.nanoTime();

    call("2000", sipCallId, Duration.ofSeconds(2));
    String callId = awaitIncoming(sipCallId);
    CallStateChanged end = terminalOf(callId);

    assertThat(statesOf(callId))
        .containsExactly(CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    assertThat(end.cause()).isEqualTo(HangupCause.NORMAL_CLEARING);
    assertThat(end.serverIds()).containsKey(KamailioAdapter.DIALOG);
    var incoming =
        (IncomingCall)
            events.stream().filter(e -> e instanceof IncomingCall).findFirst().orElseThrow();
    assertThat(incoming.to()).isEqualTo(kamailio.sipUri("2000"));
    assertThat(adapter.getStatus(callId).answeredAt()).isNotNull();
    // the dialog:* events are passed on raw too, after their state change
    await().atMost(Duration.ofSeconds(60)).until(() -> rawEvents(sipCallId).contains("dialog:end"));
    assertThat(rawEvents(sipCallId))
        .containsSubsequence("dialog:early", "dialog:start", "dialog:end");
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e).isInstanceOf(ServerEvent.class);
              ServerEvent raw = (ServerEvent) e;
              assertThat(raw.name()).isEqualTo("dialog:start");
              assertThat(raw.callId()).isEqualTo(callId);
              assertThat(raw.fields()).containsEntry("callid", sipCallId);
            });
  }

  /** Names of the raw evapi events about one SIP call, in arrival order. */
  private List<String> rawEvents(String sipCallId) {
    return events.stream()
        .filter(e -> e instanceof ServerEvent r && sipCallId.equals(r.fields().get("callid")))
        .map(e -> ((ServerEvent) e).name())
        .toList();
  }

  @Test
  void busyDestinationEndsFailedWithUserBusy() {
    connect(config(kamailio).build());
    String sipCallId = "kam-busy-" + System.nanoTime();

    call("busy", sipCallId, Duration.ofSeconds(1));
    String callId = awaitIncoming(sipCallId);
    CallStateChanged end = terminalOf(callId);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().sipStatus()).isEqualTo(486);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.USER_BUSY.q850());
    assertThat(adapter.callHistory())
        .anySatisfy(
            r -> {
              assertThat(r.callId()).isEqualTo(callId);
              assertThat(r.disposition()).isEqualTo(Disposition.BUSY);
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> rawEvents(sipCallId).contains("dialog:failed"));
  }

  @Test
  void unknownUserEndsFailedWith404() {
    connect(config(kamailio).build());
    String sipCallId = "kam-404-" + System.nanoTime();

    call("nobody", sipCallId, Duration.ofSeconds(1));
    CallStateChanged end = terminalOf(awaitIncoming(sipCallId));

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().sipStatus()).isEqualTo(404);
  }

  @Test
  void hangupEndsTheLiveDialogWithByeBothWays() {
    connect(config(kamailio).build());
    String sipCallId = "kam-hangup-" + System.nanoTime();
    call("2000", sipCallId, Duration.ofSeconds(60));
    String callId = awaitIncoming(sipCallId);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> statesOf(callId).contains(CallState.CONNECTED));
    assertThat(adapter.serverDialog(callId))
        .hasValueSatisfying(d -> assertThat(d.callId()).isEqualTo(sipCallId));

    adapter.hangup(callId);

    CallStateChanged end = terminalOf(callId);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                adapter.serverDialog(callId).isEmpty()
                    || kamailio.rpc("dlg.list").contains("\"state\":5")
                    || !kamailio.rpc("dlg.list").contains(sipCallId));
  }

  @Test
  void dialogsAlreadyUpAtConnectAreReportedAsConnectedIncomingCalls() {
    String sipCallId = "kam-before-" + System.nanoTime();
    call("2000", sipCallId, Duration.ofSeconds(30));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> kamailio.rpc("dlg.list").contains(sipCallId));

    connect(config(kamailio).build());
    String callId = awaitIncoming(sipCallId);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> statesOf(callId).contains(CallState.CONNECTED));
    assertThat(adapter.activeCalls()).anySatisfy(s -> assertThat(s.callId()).isEqualTo(callId));
  }

  @Test
  void withoutEvapiPollingDlgListStillReportsTheCall() {
    connect(
        AdapterConfig.builder("kamailio")
            .name("kam-poll")
            .server(KamailioServer.HOST, kamailio.sipPort())
            .option("pollInterval", "200ms")
            .build());
    String sipCallId = "kam-poll-" + System.nanoTime();

    call("2000", sipCallId, Duration.ofSeconds(2));
    String callId = awaitIncoming(sipCallId);
    CallStateChanged end = terminalOf(callId);

    assertThat(statesOf(callId)).contains(CallState.CONNECTED);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
  }

  @Test
  void operationsAProxyCannotDoAreUnsupported() {
    connect(config(kamailio).build());
    String sipCallId = "kam-unsupported-" + System.nanoTime();
    call("2000", sipCallId, Duration.ofSeconds(5));
    String callId = awaitIncoming(sipCallId);

    assertThat(adapter.features())
        .containsExactlyInAnyOrder(Feature.INBOUND_CALLS, Feature.OUTBOUND_CALLS);
    assertThatThrownBy(() -> adapter.hold(callId)).isInstanceOf(UnsupportedFeatureException.class);
    assertThatThrownBy(() -> adapter.sendDtmf(callId, "1"))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThatThrownBy(() -> adapter.startRecording(callId, "x.wav"))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThatThrownBy(() -> adapter.conference("room", callId))
        .isInstanceOf(UnsupportedFeatureException.class);
  }

  @Test
  void clickToDialRefusesWhatIsNeitherAPlainSipUriNorABareUser() {
    connect(config(kamailio).build());

    assertThatThrownBy(() -> adapter.makeCall("10 00", "sip:2000@127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> adapter.makeCall("sip:a@h", "\"Bob\" <sip:b@h>"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> adapter.makeCall("sip:a@h", "sip:b@h>\r\nX: y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> adapter.makeCall("sip:a@h", "sip:b@h, sip:c@h"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(adapter.activeCalls())
        .noneMatch(c -> c.direction() == org.sipadapter.CallDirection.OUTBOUND);
  }

  @Test
  void clickToDialBridgesAReferCapablePhoneToTheDestination() {
    connect(config(kamailio).build());
    try (SippProcess firstParty = SippProcess.uas(UasScenario.REFER_FOLLOWER).start()) {
      // A bare user is a user at this Kamailio: sip:2000@<host>:<port>.
      String callId = adapter.makeCall("sip:first@127.0.0.1:" + firstParty.port(), "2000");

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> statesOf(callId).contains(CallState.CONNECTED));
      assertThat(statesOf(callId))
          .containsExactly(CallState.DIALING, CallState.RINGING, CallState.CONNECTED);
      assertThat(adapter.getStatus(callId).serverIds())
          .containsKeys(KamailioAdapter.CALL_ID, KamailioAdapter.DIALOG);
      String sipCallId = adapter.getStatus(callId).serverIds().get(KamailioAdapter.CALL_ID);
      assertThat(events)
          .noneMatch(
              e ->
                  e instanceof IncomingCall ic
                      && sipCallId.equals(ic.serverIds().get(KamailioAdapter.CALL_ID)));

      adapter.hangup(callId);

      CallStateChanged end = terminalOf(callId);
      assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
      assertThat(adapter.metrics().callsSucceeded()).isEqualTo(1);
    }
  }

  /**
   * A {@code dlg.bridge_dlg} cut off with the link may or may not have reached Kamailio, so its
   * call is given up and a dialog it brings late is hung up. When it never reached Kamailio, the
   * next call to the same destination must still get its own dialog.
   */
  @Test
  void aClickToDialLostWithTheLinkDoesNotTakeTheNextCallsDialog() {
    try (FaultProxy proxy = FaultProxy.start(KamailioServer.HOST, kamailio.sipPort());
        SippProcess firstParty = SippProcess.uas(UasScenario.REFER_FOLLOWER).start()) {
      connect(config(kamailio).server(proxy.host(), proxy.port()).build());
      String caller = "sip:first@127.0.0.1:" + firstParty.port();
      // A full URI: a bare user would name the proxy, which carries no SIP.
      String callee = "sip:2000@" + KamailioServer.HOST + ":" + kamailio.sipPort();
      proxy.refuseNew();
      proxy.cutAll();

      CompletableFuture<String> lost = adapter.makeCallAsync(caller, callee, CallOptions.DEFAULTS);
      await().atMost(Duration.ofSeconds(60)).until(lost::isDone);
      assertThatThrownBy(lost::join).hasCauseInstanceOf(AdapterConnectionException.class);

      proxy.restore();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> adapter.connectionState() == ConnectionState.CONNECTED);
      String next = adapter.makeCall(caller, callee);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> statesOf(next).contains(CallState.CONNECTED));
      assertThat(statesOf(next))
          .containsExactly(CallState.DIALING, CallState.RINGING, CallState.CONNECTED);
      adapter.hangup(next);
      assertThat(terminalOf(next).state()).isEqualTo(CallState.DISCONNECTED);
      assertThat(adapter.metrics().orphansHungUp()).isZero();
    }
  }

  @Test
  void malformedEvapiBytesAreReportedAndLaterEventsStillArrive() throws Exception {
    try (ServerSocket fakeEvapi = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      connectInBackground(config(kamailio).option("evapiPort", fakeEvapi.getLocalPort()).build());
      try (Socket s = fakeEvapi.accept()) {
        OutputStream out = s.getOutputStream();
        // What event_route[evapi:connection-new] sends once the client is taken in.
        String ready = "{\"event\":\"evapi:ready\"}";
        out.write((ready.length() + ":" + ready + ",").getBytes(StandardCharsets.UTF_8));
        out.flush();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> adapter.connectionState().name().equals("CONNECTED"));
        String good =
            "{\"event\":\"dialog:start\",\"h_entry\":7,\"h_id\":8,\"callid\":\"fake-1\","
                + "\"from_uri\":\"sip:a@h\",\"to_uri\":\"sip:b@h\",\"state\":4}";
        out.write(
            ("garbage!!" + "12:{\"event\":1}," + "5:nojso," + good.length() + ":" + good + ",")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        String callId = awaitIncoming("fake-1");
        assertThat(statesOf(callId)).containsExactly(CallState.CONNECTED);
        assertThat(events).anyMatch(e -> e instanceof AdapterError);
      }
    }
  }

  private void connectInBackground(AdapterConfig config) {
    Thread t = new Thread(() -> connect(config), "connect");
    t.setDaemon(true);
    t.start();
  }
}
