package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ReconnectPolicy;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.sipadapter.testkit.net.FaultProxy;
import org.sipadapter.testkit.tck.EventRecorder;

/** Link loss through a fault-injecting proxy: fail fast, reconnect, resync, keepalive. */
class AsteriskReconnectTest {
  private AmiEmulator pbx;
  private FaultProxy proxy;
  private AsteriskAdapter adapter;
  private final EventRecorder events = new EventRecorder();

  @BeforeEach
  void start() {
    pbx = AmiEmulator.create().start();
    proxy = FaultProxy.start(pbx.host(), pbx.port());
  }

  @AfterEach
  void stop() {
    if (adapter != null) {
      adapter.close();
    }
    proxy.close();
    pbx.close();
  }

  private AsteriskAdapter connect(Duration request, Duration keepalive) {
    adapter =
        new AsteriskAdapter(
            AdapterConfig.builder("asterisk")
                .server(proxy.host(), proxy.port())
                .auth("admin", "amipass")
                .timeouts(
                    new Timeouts(Duration.ofSeconds(2), request, Duration.ofSeconds(30), keepalive))
                .reconnect(
                    new ReconnectPolicy(true, Duration.ofMillis(50), Duration.ofMillis(300), 0))
                .build());
    adapter.addListener(events);
    adapter.connect();
    return adapter;
  }

  private String answeredCall() {
    String id = adapter.makeCall("1000", "2000");
    await().until(() -> events.states(id).contains(CallState.CONNECTED));
    return id;
  }

  @Test
  void cutLinkFailsInFlightActionsFastThenReconnectsAndKeepsLiveCalls() {
    connect(Duration.ofSeconds(60), Duration.ofSeconds(30));
    String survivor = answeredCall();
    int survivorEvents = events.callEvents(survivor).size();

    proxy.blackHole();
    CompletableFuture<String> inFlight =
        adapter.makeCallAsync("1000", "2000", CallOptions.DEFAULTS);
    proxy.cutAll();

    await().atMost(Duration.ofSeconds(60)).until(inFlight::isDone);
    assertThatThrownBy(inFlight::join).hasCauseInstanceOf(AdapterConnectionException.class);
    proxy.restore();
    await().until(() -> adapter.connectionState() == ConnectionState.CONNECTED);

    assertThat(events.connectionStates()).contains(ConnectionState.RECONNECTING);
    assertThat(adapter.getStatus(survivor).state()).isEqualTo(CallState.CONNECTED);
    assertThat(events.callEvents(survivor)).hasSize(survivorEvents);
    assertThat(pbx.receivedFrames(f -> new String(f.bytes()).contains("CoreShowChannels")))
        .isNotEmpty();
    String after = answeredCall();
    adapter.hangup(after);
    adapter.hangup(survivor);
    await().until(() -> events.ended(after) && events.ended(survivor));
  }

  @Test
  void callEndedWhileTheLinkWasDownGetsItsTerminalEventFromResync() {
    connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
    String ended = answeredCall();
    String kept = answeredCall();

    proxy.refuseNew();
    proxy.cutAll();
    await().until(() -> adapter.connectionState() == ConnectionState.RECONNECTING);
    pbx.remoteHangup(adapter.getStatus(ended).serverIds().get("Uniqueid"), 16);
    proxy.acceptNew();
    await().until(() -> adapter.connectionState() == ConnectionState.CONNECTED);

    await().until(() -> events.ended(ended));
    assertThat(events.terminalEvents(ended)).hasSize(1);
    assertThat(events.terminalEvents(ended).get(0).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(adapter.getStatus(kept).state()).isEqualTo(CallState.CONNECTED);
  }

  @Test
  void callThatBeganWhileTheLinkWasDownIsReportedAsIncoming() {
    connect(Duration.ofSeconds(2), Duration.ofSeconds(30));

    proxy.refuseNew();
    proxy.cutAll();
    await().until(() -> adapter.connectionState() == ConnectionState.RECONNECTING);
    String uniqueid = pbx.incomingCall("3001", "4001");
    proxy.acceptNew();

    await().until(() -> !events.incomingCalls().isEmpty());
    assertThat(events.incomingCalls().get(0).serverIds()).containsEntry("Uniqueid", uniqueid);
  }

  @Test
  void missingPingReplyIsTreatedAsALostLink() {
    connect(Duration.ofMillis(300), Duration.ofMillis(200));

    proxy.blackHole();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> events.connectionStates().contains(ConnectionState.RECONNECTING));
    assertThat(events.errors())
        .anySatisfy(e -> assertThat(e.message()).contains("keepalive failed"));
    proxy.restore();
    await().until(() -> adapter.connectionState() == ConnectionState.CONNECTED);
  }

  @Test
  void requestToAStalledServerTimesOutWithinTheRequestTimeout() {
    connect(Duration.ofMillis(500), Duration.ofSeconds(30));
    pbx.stall();

    assertThatThrownBy(() -> adapter.hangup(answeredCallBeforeStall()))
        .isInstanceOf(AdapterTimeoutException.class);
  }

  private String answeredCallBeforeStall() {
    pbx.resume();
    String id = answeredCall();
    pbx.stall();
    return id;
  }
}
