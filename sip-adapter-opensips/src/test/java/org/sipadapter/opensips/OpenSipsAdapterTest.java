package org.sipadapter.opensips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.UnsupportedFeatureException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ReconnectPolicy;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.opensips.mi.MiException;
import org.sipadapter.testkit.emulator.JsonRpcEmulator;
import org.sipadapter.testkit.opensips.OpenSipsEmulator;
import org.sipadapter.testkit.tck.EventRecorder;

/** The adapter against the OpenSIPS emulator: events, polling, hangup, errors, reconnects. */
class OpenSipsAdapterTest {

  private final OpenSipsEmulator opensips = new OpenSipsEmulator().start();
  private final EventRecorder events = new EventRecorder();
  private SipAdapter adapter;

  @AfterEach
  void close() {
    if (adapter != null) {
      adapter.close();
    }
    opensips.close();
  }

  private AdapterConfig.Builder config() {
    return AdapterConfig.builder("opensips")
        .name("os-test")
        .server(opensips.host(), opensips.port())
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                Duration.ofMillis(300)))
        .reconnect(new ReconnectPolicy(true, Duration.ofMillis(50), Duration.ofMillis(200), 0));
  }

  private OpenSipsAdapter connect(AdapterConfig config) {
    OpenSipsAdapter a = (OpenSipsAdapter) SipAdapters.create(config);
    adapter = a;
    a.addListener(events);
    a.connect();
    return a;
  }

  private OpenSipsAdapter connectWithEvents() {
    return connect(config().option("eventPort", 0).build());
  }

  private IncomingCall awaitIncoming(int n) {
    await().atMost(Duration.ofSeconds(60)).until(() -> events.incomingCalls().size() >= n);
    return events.incomingCalls().get(n - 1);
  }

  @Test
  void providerIsFoundByTypeWithDefaultPort8888AndValidatesOptions() {
    assertThat(SipAdapters.availableTypes()).contains("opensips");
    assertThat(new OpenSipsAdapterProvider().defaultPort()).isEqualTo(8888);
    assertThatThrownBy(
            () ->
                SipAdapters.create(
                    config().option("miPath", "mi x").option("extraEvents", "bad name").build()))
        .hasMessageContaining("options.miPath")
        .hasMessageContaining("options.extraEvents");
  }

  @Test
  void connectSubscribesTheListenerToDialogEventsWithExpiry() {
    OpenSipsAdapter a =
        connect(config().option("eventPort", 0).option("eventExpire", "120s").build());

    assertThat(a.serverVersion()).contains(OpenSipsEmulator.VERSION);
    String socket = "tcp:127.0.0.1:" + a.eventPort().orElseThrow();
    assertThat(opensips.subscribers("E_DLG_STATE_CHANGED")).containsExactly(socket);
    JsonRpcEmulator.RpcRequest sub = opensips.requests("event_subscribe").get(0);
    assertThat(sub.body())
        .contains(
            "\"params\":{\"event\":\"E_DLG_STATE_CHANGED\",\"socket\":\""
                + socket
                + "\",\"expire\":120}");
  }

  @Test
  void dialogThroughOpenSipsIsAnIncomingCallThatRingsConnectsAndEnds() {
    connectWithEvents();

    String dlg = opensips.startDialog("sip:alice@127.0.0.1:5081", "sip:bob@127.0.0.1:5070");
    IncomingCall in = awaitIncoming(1);
    assertThat(in.from()).isEqualTo("sip:alice@127.0.0.1:5081");
    assertThat(in.to()).isEqualTo("sip:bob@127.0.0.1:5070");
    assertThat(in.serverIds()).containsEntry(OpenSipsAdapter.DIALOG, dlg);
    opensips.answer(dlg);
    await().until(() -> events.states(in.callId()).contains(CallState.CONNECTED));
    opensips.endDialog(dlg);

    await().until(() -> events.ended(in.callId()));
    assertThat(events.states(in.callId()))
        .containsExactly(CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    assertThat(events.terminalEvents(in.callId()).get(0).cause().q850()).isEqualTo(16);
  }

  @Test
  void unansweredDialogThatEndsIsAFailedCall() {
    connectWithEvents();
    String dlg = opensips.startDialog("sip:a@h", "sip:b@h");
    IncomingCall in = awaitIncoming(1);
    opensips.endDialog(dlg);
    await().until(() -> events.ended(in.callId()));
    assertThat(events.terminalEvents(in.callId()).get(0).state()).isEqualTo(CallState.FAILED);
  }

  @Test
  void hangupEndsTheDialogWithDlgEndDlgAndAReasonHeader() {
    connectWithEvents();
    String dlg = opensips.startDialog("sip:a@h", "sip:b@h");
    opensips.answer(dlg);
    IncomingCall in = awaitIncoming(1);
    await().until(() -> events.states(in.callId()).contains(CallState.CONNECTED));

    adapter.hangup(in.callId());

    await().until(() -> events.ended(in.callId()));
    assertThat(events.terminalEvents(in.callId()).get(0).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(opensips.requests("dlg_end_dlg").get(0).body())
        .contains(
            "\"params\":{\"dialog_id\":\"" + dlg + "\",\"extra_hdrs\":\"Reason: Q.850;cause=16");
  }

  @Test
  void hangupOfADialogOpenSipsNoLongerHasEndsTheCall() {
    OpenSipsAdapter a = connect(config().build()); // polling, slow enough not to see the end
    String dlg = opensips.startDialog("sip:a@h", "sip:b@h");
    IncomingCall in = awaitIncoming(1);
    opensips
        .mi()
        .method(
            "dlg_end_dlg",
            p -> {
              throw new JsonRpcEmulator.RpcError(404, "Requested Dialog not found");
            });
    a.hangup(in.callId());
    await().until(() -> events.ended(in.callId()));
    assertThat(opensips.dialogState(dlg)).contains(2);
  }

  @Test
  void withoutEventPortTheAdapterPollsDlgListAndDiffs() {
    connect(config().option("pollInterval", "50ms").build());
    String dlg = opensips.startDialog("sip:carol@h", "sip:dave@h");
    IncomingCall in = awaitIncoming(1);
    assertThat(in.from()).isEqualTo("sip:carol@h");
    opensips.answer(dlg);
    await().until(() -> events.states(in.callId()).contains(CallState.CONNECTED));
    opensips.endDialog(dlg);
    await().until(() -> events.ended(in.callId()));
    assertThat(events.terminalEvents(in.callId()).get(0).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(opensips.requests("event_subscribe")).isEmpty();
  }

  @Test
  void dialogsAlreadyUpAtConnectAreAdoptedAsConnectedCalls() {
    String dlg = opensips.startDialog("sip:a@h", "sip:b@h");
    opensips.answer(dlg);
    connectWithEvents();
    IncomingCall in = awaitIncoming(1);
    assertThat(adapter.getStatus(in.callId()).state()).isEqualTo(CallState.CONNECTED);
  }

  /**
   * The first event of a dialog makes the adapter read {@code dlg_list} for its From and To; when
   * the dialog is confirmed meanwhile, the keepalive's list shows it confirmed. That list must not
   * adopt the dialog before its first event is mapped: the call would start CONNECTED and its
   * RINGING be refused.
   */
  @Test
  void aDialogConfirmedWhileItsFirstEventReadsTheListStillRingsFirst() throws Exception {
    JsonRpcEmulator.RpcMethod list = opensips.mi().implementation("dlg_list").orElseThrow();
    CountDownLatch answered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean armed = new AtomicBoolean();
    AtomicBoolean holding = new AtomicBoolean();
    opensips
        .mi()
        .method(
            "dlg_list",
            params -> {
              try {
                if (armed.compareAndSet(true, false)) {
                  // the lookup of the new dialog's URIs: the callee answers meanwhile, and the
                  // lookup returns only once the keepalive has read the list
                  holding.set(true);
                  opensips.liveDialogIds().forEach(opensips::answer);
                  answered.countDown();
                  release.await(30, TimeUnit.SECONDS);
                } else if (holding.get()) {
                  answered.await(30, TimeUnit.SECONDS); // every other read sees it confirmed
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return list.call(params);
            });
    connect(
        config()
            .timeouts(
                new Timeouts(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    Duration.ofMillis(300)))
            .option("eventPort", 0)
            .build());
    armed.set(true);

    opensips.startDialog("sip:a@h", "sip:b@h");
    assertThat(answered.await(30, TimeUnit.SECONDS)).isTrue();
    int seen = opensips.requests("dlg_list").size();
    // two more reads: the keepalive's list of the confirmed dialog has been read and applied
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> opensips.requests("dlg_list").size() >= seen + 2);
    holding.set(false);
    release.countDown();

    IncomingCall in = awaitIncoming(1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> events.states(in.callId()).contains(CallState.CONNECTED));
    assertThat(events.states(in.callId())).containsExactly(CallState.RINGING, CallState.CONNECTED);
    assertThat(events.incomingCalls()).hasSize(1);
  }

  @Test
  void droppedEventConnectionIsReopenedByOpenSipsAndEventsKeepComing() {
    connectWithEvents();
    String first = opensips.startDialog("sip:a@h", "sip:b@h");
    IncomingCall one = awaitIncoming(1);

    opensips.dropEventConnections();
    opensips.endDialog(first);
    opensips.startDialog("sip:c@h", "sip:d@h");

    await().until(() -> events.ended(one.callId()));
    awaitIncoming(2);
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void garbageOnTheEventStreamIsReportedAndDoesNotStopEvents() {
    connectWithEvents();
    opensips.startDialog("sip:a@h", "sip:b@h");
    awaitIncoming(1);

    opensips.sendRawToSubscribers("}} not json \u0000{\"jsonrpc\":tru}".getBytes());
    opensips.startDialog("sip:c@h", "sip:d@h");

    awaitIncoming(2);
    assertThat(events.of(AdapterError.class)).isNotEmpty();
  }

  @Test
  void subscriptionIsRenewedBeforeItExpires() {
    connect(config().option("eventPort", 0).option("eventExpire", "2s").build());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> opensips.requests("event_subscribe").size() >= 2);
    assertThat(opensips.subscribers("E_DLG_STATE_CHANGED")).hasSize(1);
  }

  @Test
  void callsEndedWhileTheMiWasUnreachableGetTheirTerminalEventAfterResync() {
    connectWithEvents();
    String gone = opensips.startDialog("sip:a@h", "sip:b@h");
    String kept = opensips.startDialog("sip:c@h", "sip:d@h");
    opensips.answer(gone);
    opensips.answer(kept);
    IncomingCall a = awaitIncoming(1);
    IncomingCall b = awaitIncoming(2);
    await().until(() -> events.states(b.callId()).contains(CallState.CONNECTED));

    opensips.mi().httpError(503); // keepalive fails: the link counts as lost
    await().until(() -> adapter.connectionState() == ConnectionState.RECONNECTING);
    opensips.dropEventConnections();
    opensips.endDialog(gone); // its event may be lost with the listener
    opensips.restore();
    await().until(() -> adapter.connectionState() == ConnectionState.CONNECTED);

    String goneCall =
        a.serverIds().get(OpenSipsAdapter.DIALOG).equals(gone) ? a.callId() : b.callId();
    String keptCall = goneCall.equals(a.callId()) ? b.callId() : a.callId();
    await().until(() -> events.ended(goneCall));
    assertThat(events.terminalEvents(goneCall)).hasSize(1);
    assertThat(adapter.getStatus(keptCall).state()).isEqualTo(CallState.CONNECTED);
    assertThat(events.terminalEvents(keptCall)).isEmpty();
  }

  @Test
  void credentialsGoAsBasicAuthOrTheConfiguredSchemeAndA401IsAnAuthenticationFailure() {
    AdapterConfig basic = config().auth("admin", "s3cret").build();
    assertThat(OpenSipsSettings.of(basic).authValue(basic.auth()))
        .hasValue("Basic YWRtaW46czNjcmV0");
    AdapterConfig bearer =
        config()
            .auth("", "tok-1")
            .option("authScheme", "Bearer")
            .option("authHeader", "X-Auth")
            .build();
    assertThat(OpenSipsSettings.of(bearer).authValue(bearer.auth())).hasValue("Bearer tok-1");
    assertThat(OpenSipsSettings.of(bearer).authHeader()).isEqualTo("X-Auth");
    AdapterConfig none = config().build();
    assertThat(OpenSipsSettings.of(none).authValue(none.auth())).isEmpty();
    assertThatThrownBy(() -> SipAdapters.create(config().auth("a:b", "x").build()))
        .hasMessageContaining("auth.username");

    opensips.mi().httpError(401);

    assertThatThrownBy(() -> connect(basic))
        .isInstanceOf(org.sipadapter.AuthenticationException.class)
        .hasMessageContaining("auth.password");
  }

  @Test
  void stalledMiGivesAdapterTimeoutException() {
    OpenSipsAdapter a = connectWithEvents();
    opensips.stall();
    try {
      assertThatThrownBy(a::activeDialogStats).isInstanceOf(AdapterTimeoutException.class);
    } finally {
      opensips.restore();
    }
  }

  @Test
  void unknownMiCommandBecomesMiExceptionNamingTheModule() {
    OpenSipsAdapter a = connectWithEvents();
    opensips.mi().removeMethod("ul_dump");
    assertThatThrownBy(a::registeredContacts)
        .isInstanceOfSatisfying(MiException.class, e -> assertThat(e.code()).isEqualTo(-32601))
        .hasMessageContaining("usrloc");
  }

  @Test
  void refusedSubscriptionFailsConnectWithAHint() {
    opensips
        .mi()
        .method(
            "event_subscribe",
            p -> {
              throw new JsonRpcEmulator.RpcError(400, "Bad parameter value");
            });
    OpenSipsAdapter a =
        (OpenSipsAdapter) SipAdapters.create(config().option("eventPort", 0).build());
    adapter = a;
    assertThatThrownBy(a::connect).hasMessageContaining("event_stream");
  }

  @Test
  void extrasReadUsrlocAndDialogCounters() {
    opensips.registerContact("alice", "sip:alice@127.0.0.1:5082");
    OpenSipsAdapter a = connectWithEvents();
    opensips.startDialog("sip:a@h", "sip:b@h");
    awaitIncoming(1);

    assertThat(a.registeredContacts())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.aor()).isEqualTo("alice");
              assertThat(c.contact()).isEqualTo("sip:alice@127.0.0.1:5082");
              assertThat(c.expiresSeconds()).isEqualTo(600);
            });
    assertThat(a.activeDialogStats().active()).isEqualTo(1);
    assertThat(a.activeDialogStats().early()).isEqualTo(1);
    Map<String, Object> details = a.healthCheck().details();
    assertThat(details)
        .containsEntry("events", "event_stream")
        .containsKey("dialog:active_dialogs");
    assertThat((Long) details.get("uptimeSeconds")).isGreaterThanOrEqualTo(0);
  }

  @Test
  void outboundCallsAndProxyIncapableFeaturesAreUnsupported() {
    OpenSipsAdapter a = connectWithEvents();
    assertThat(a.features()).containsExactly(Feature.INBOUND_CALLS);
    assertThatThrownBy(() -> a.makeCall("1000", "2000"))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("b2b_entities");
    opensips.startDialog("sip:a@h", "sip:b@h");
    IncomingCall in = awaitIncoming(1);
    for (Runnable op :
        List.<Runnable>of(
            () -> a.answer(in.callId()),
            () -> a.hold(in.callId()),
            () -> a.sendDtmf(in.callId(), "1"))) {
      assertThatThrownBy(op::run).isInstanceOf(UnsupportedFeatureException.class);
    }
  }

  @Test
  void reasonHeaderCarriesOnlyPlainText() {
    OpenSipsAdapter a = (OpenSipsAdapter) SipAdapters.create(config().build());
    adapter = a;
    assertThat(a.driver().reasonHeader(HangupCause.USER_BUSY.withText("busy now")))
        .isEqualTo("Reason: Q.850;cause=17;text=\"busy now\"\r\n");
    assertThat(a.driver().reasonHeader(HangupCause.USER_BUSY.withText("x\"\r\nVia: evil")))
        .isEqualTo("Reason: Q.850;cause=17\r\n");
  }
}
