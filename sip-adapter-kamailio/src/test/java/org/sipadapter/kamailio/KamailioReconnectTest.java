package org.sipadapter.kamailio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ReconnectPolicy;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.net.FaultProxy;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/** Losing the evapi link or the whole Kamailio while dialogs are up. */
class KamailioReconnectTest {

  private KamailioServer kamailio;
  private SippProcess answering;
  private FaultProxy proxy;
  private KamailioAdapter adapter;
  private final List<SippProcess> callers = new CopyOnWriteArrayList<>();
  private final List<AdapterEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");
    answering = SippProcess.uas(UasScenario.ANSWER).start();
    kamailio = KamailioServer.builder().route("2000", answering.port()).build().start();
  }

  @AfterEach
  void stop() {
    callers.forEach(SippProcess::close);
    if (adapter != null) {
      adapter.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (answering != null) {
      answering.close();
    }
    if (kamailio != null) {
      kamailio.close();
    }
  }

  private void connect(int evapiPort) {
    adapter =
        (KamailioAdapter)
            SipAdapters.create(
                AdapterConfig.builder("kamailio")
                    .name("kam-reconnect")
                    .server(KamailioServer.HOST, kamailio.sipPort())
                    .option("evapiPort", evapiPort)
                    .reconnect(
                        new ReconnectPolicy(
                            true, Duration.ofMillis(100), Duration.ofMillis(500), 0))
                    .build());
    adapter.addListener(
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent e) {
            events.add(e);
          }
        });
    adapter.connect();
  }

  private String liveCall(String sipCallId, Duration hold) {
    callers.add(
        SippProcess.uac(KamailioServer.HOST, kamailio.sipPort())
            .service("2000")
            .callDuration(hold)
            .extraArgs("-cid_str", sipCallId)
            .start());
    await().atMost(Duration.ofSeconds(60)).until(() -> incoming(sipCallId).isPresent());
    String callId = incoming(sipCallId).orElseThrow();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> states(callId).contains(CallState.CONNECTED));
    return callId;
  }

  private java.util.Optional<String> incoming(String sipCallId) {
    return events.stream()
        .filter(e -> e instanceof IncomingCall)
        .map(e -> (IncomingCall) e)
        .filter(ic -> sipCallId.equals(ic.serverIds().get(KamailioAdapter.CALL_ID)))
        .map(IncomingCall::callId)
        .findFirst();
  }

  private List<CallState> states(String callId) {
    return events.stream()
        .filter(e -> e instanceof CallStateChanged c && c.callId().equals(callId))
        .map(e -> ((CallStateChanged) e).state())
        .toList();
  }

  private long reconnects() {
    return events.stream()
        .filter(
            e ->
                e instanceof ConnectionStateChanged c
                    && c.previous() == ConnectionState.RECONNECTING
                    && c.state() == ConnectionState.CONNECTED)
        .count();
  }

  @Test
  void kamailioRestartEndsTheDialogsItForgotAndEventsFlowAgain() {
    connect(kamailio.evapiPort());
    String first = liveCall("restart-a-" + System.nanoTime(), Duration.ofSeconds(60));
    String second = liveCall("restart-b-" + System.nanoTime(), Duration.ofSeconds(60));

    kamailio.restart();

    await().atMost(Duration.ofSeconds(60)).until(() -> reconnects() >= 1);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                states(first).contains(CallState.DISCONNECTED)
                    && states(second).contains(CallState.DISCONNECTED));
    assertThat(states(first).stream().filter(CallState::isTerminal)).hasSize(1);
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);

    String after = liveCall("restart-c-" + System.nanoTime(), Duration.ofSeconds(1));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> states(after).contains(CallState.DISCONNECTED));
  }

  @Test
  void evapiCutResyncsKeepingLiveCallsAndEndingThoseThatEndedMeanwhile() throws Exception {
    proxy = FaultProxy.start(KamailioServer.HOST, kamailio.evapiPort());
    connect(proxy.port());
    String staying = liveCall("cut-stay-" + System.nanoTime(), Duration.ofSeconds(60));
    String leaving = liveCall("cut-leave-" + System.nanoTime(), Duration.ofSeconds(2));

    proxy.refuseNew();
    proxy.cutAll();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> adapter.connectionState() == ConnectionState.RECONNECTING);
    callers.get(1).awaitExit(Duration.ofSeconds(10));
    proxy.acceptNew();

    await().atMost(Duration.ofSeconds(60)).until(() -> reconnects() >= 1);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> states(leaving).contains(CallState.DISCONNECTED));
    assertThat(states(staying)).doesNotContain(CallState.DISCONNECTED);
    assertThat(adapter.getStatus(staying).state()).isEqualTo(CallState.CONNECTED);
    assertThat(events.stream().filter(e -> e instanceof IncomingCall)).hasSize(2);
  }
}
