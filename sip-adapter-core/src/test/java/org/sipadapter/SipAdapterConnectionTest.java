package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.ScriptedServer.Outcome;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Credentials;
import org.sipadapter.config.ReconnectPolicy;
import org.sipadapter.event.CallStateChanged;

class SipAdapterConnectionTest {
  private final ScriptedServer server = new ScriptedServer();
  private final EventLog events = new EventLog();
  private ScriptedAdapter adapter;

  private ScriptedAdapter start(AdapterConfig config) {
    adapter = new ScriptedAdapter(config, server);
    adapter.addListener(events);
    return adapter;
  }

  @AfterEach
  void close() {
    if (adapter != null) {
      adapter.close();
    }
    server.close();
  }

  @Test
  void connectLogsInAndAnnouncesConnectingThenConnected() {
    start(Scripted.config().build()).connect();

    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(adapter.serverVersion()).contains("scripted 1.0");
    events.awaitConnection(ConnectionState.CONNECTED);
    assertThat(events.connectionStates())
        .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
  }

  @Test
  void connectingTwiceDoesNothing() {
    start(Scripted.config().build()).connect();
    adapter.connect();

    assertThat(server.loginAttempts()).isEqualTo(1);
  }

  @Test
  void makeCallWhileDisconnectedThrowsAdapterConnectionException() {
    start(Scripted.config().build());

    assertThatThrownBy(() -> adapter.makeCall("1000", "2000"))
        .isExactlyInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("connect()");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void credentialsWithLineBreaksAreRefusedBeforeAnythingIsSent() {
    String forged = "pw\r\nAction: Originate\r\nChannel: Local/666";
    start(Scripted.config().auth("admin", forged).build());

    assertThatThrownBy(adapter::connect)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auth secret")
        .hasMessageNotContaining("Originate");
    assertThatThrownBy(
            () -> adapter.connect("127.0.0.1", 5999, Credentials.of("admin\nEvents: on", "pw")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auth.username");
    assertThatThrownBy(() -> adapter.connect("127.0.0.1\r\n", 5999, Credentials.of("admin", "pw")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host");

    assertThat(server.loginAttempts()).isZero();
    assertThat(server.requests()).isEmpty();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(events.connectionStates()).isEmpty();
  }

  @Test
  void refusedLoginThrowsAuthenticationExceptionLeavesErrorAndIsNotRetried() {
    server.refuseLogin(true);
    start(Scripted.config().build());

    assertThatThrownBy(adapter::connect).isInstanceOf(AuthenticationException.class);

    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.ERROR);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(60))
        .until(() -> server.loginAttempts() == 1);
    assertThat(adapter.metrics().reconnects()).isZero();
  }

  @Test
  void unreachableServerThrowsAdapterConnectionExceptionNamingTheAddress() {
    server.unreachable(true);
    start(Scripted.config().build());

    assertThatThrownBy(adapter::connect)
        .isExactlyInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("127.0.0.1:5999");
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.ERROR);

    server.unreachable(false);
    adapter.connect();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void disconnectHangsUpOwnCallsAndEndsEveryCallWithExactlyOneDisconnectedEvent() {
    server.script("ring", Outcome.NEVER_ANSWER);
    start(Scripted.config().build()).connect();
    String answered = adapter.makeCall("1000", "2000");
    String ringing = adapter.makeCall("1000", "ring");
    events.awaitState(answered, CallState.CONNECTED);
    events.awaitState(ringing, CallState.RINGING);

    adapter.disconnect();
    adapter.close();

    assertThat(events.terminals(answered))
        .singleElement()
        .extracting(CallStateChanged::state)
        .isEqualTo(CallState.DISCONNECTED);
    assertThat(events.terminals(ringing))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(CallState.DISCONNECTED);
              assertThat(e.cause().text()).isEqualTo("adapter disconnected");
            });
    // Nothing this adapter placed is left running on the server.
    assertThat(server.requests())
        .anyMatch(r -> r.startsWith("hangup " + answered))
        .anyMatch(r -> r.startsWith("hangup " + ringing));
  }

  @Test
  void disconnectThenConnectAgainWorks() {
    start(Scripted.config().build()).connect();
    adapter.disconnect();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);

    adapter.connect();
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);
  }

  @Test
  void closeEndsEveryCallOnceAndTheAdapterCannotBeUsedAgain() {
    start(Scripted.config().build()).connect();
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    adapter.close();
    adapter.close();

    assertThat(events.terminals(id)).hasSize(1);
    assertThat(events.connectionStates()).endsWith(ConnectionState.CLOSED);
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CLOSED);
    assertThatThrownBy(adapter::connect).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> adapter.makeCall("1000", "2000"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void linkLossWithReconnectDisabledClosesTheLinkOffTheSharedTimer() {
    AdapterConfig config =
        Scripted.config()
            .reconnect(new ReconnectPolicy(false, Duration.ofMillis(5), Duration.ofMillis(5), 0))
            .build();
    start(config).connect();

    server.dropLink();

    await().atMost(EventLog.WAIT).until(() -> adapter.disconnectThread() != null);
    assertThat(adapter.disconnectThread()).doesNotStartWith("sipadapter-timer");
  }

  @Test
  void linkLossWithReconnectDisabledEndsEveryCallAndMovesToError() {
    AdapterConfig config =
        Scripted.config()
            .reconnect(new ReconnectPolicy(false, Duration.ofMillis(5), Duration.ofMillis(5), 0))
            .build();
    server.script("ring", Outcome.NEVER_ANSWER);
    start(config).connect();
    String answered = adapter.makeCall("1000", "2000");
    String ringing = adapter.makeCall("1000", "ring");
    events.awaitState(answered, CallState.CONNECTED);
    events.awaitState(ringing, CallState.RINGING);

    server.dropLink();

    CallStateChanged a = events.awaitTerminal(answered);
    CallStateChanged r = events.awaitTerminal(ringing);
    assertThat(a.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(r.state()).isEqualTo(CallState.FAILED);
    assertThat(r.cause()).isEqualTo(HangupCause.CONNECTION_LOST);
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.ERROR);
    adapter.close();
    assertThat(events.terminals(answered)).hasSize(1);
    assertThat(events.terminals(ringing)).hasSize(1);
    assertThat(server.loginAttempts()).isEqualTo(1);
  }

  @Test
  void reconnectGivesUpAfterMaxAttemptsAndEndsEveryCall() {
    AdapterConfig config =
        Scripted.config()
            .reconnect(new ReconnectPolicy(true, Duration.ofMillis(1), Duration.ofMillis(4), 3))
            .build();
    start(config).connect();
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    server.unreachable(true);
    server.dropLink();

    events.awaitConnection(ConnectionState.ERROR);
    CallStateChanged end = events.awaitTerminal(id);
    assertThat(end.cause()).isEqualTo(HangupCause.CONNECTION_LOST);
    assertThat(server.loginAttempts()).isEqualTo(1 + 3);
    assertThat(adapter.metrics().reconnects()).isZero();
    assertThat(events.connectionStates())
        .containsSubsequence(
            ConnectionState.CONNECTED, ConnectionState.RECONNECTING, ConnectionState.ERROR);
    adapter.close();
    assertThat(events.terminals(id)).hasSize(1);
  }

  @Test
  void reconnectRetriesWithBackoffUntilTheServerIsBack() {
    start(Scripted.config().build()).connect();
    server.refuseNextConnects(3);

    server.dropLink();

    await().atMost(EventLog.WAIT).until(() -> adapter.metrics().reconnects() == 1);
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(server.loginAttempts()).isEqualTo(1 + 4);
    assertThat(server.loggedIn()).isTrue();
  }

  @Test
  void resyncAfterReconnectEndsCallsThatVanishedAndKeepsTheOthers() {
    start(Scripted.config().build()).connect();
    String kept = adapter.makeCall("1000", "2000");
    String gone = adapter.makeCall("1000", "2001");
    events.awaitState(kept, CallState.CONNECTED);
    events.awaitState(gone, CallState.CONNECTED);

    server.unreachable(true);
    server.dropLink();
    server.forget(gone);
    server.unreachable(false);

    CallStateChanged end = events.awaitTerminal(gone);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.cause().text()).contains("link was down");
    await().atMost(EventLog.WAIT).until(() -> adapter.metrics().reconnects() == 1);
    assertThat(adapter.getStatus(kept).isActive()).isTrue();
    assertThat(events.terminals(kept)).isEmpty();

    server.remoteHangup(kept);
    events.awaitTerminal(kept);
    adapter.close();
    assertThat(events.terminals(kept)).hasSize(1);
    assertThat(events.terminals(gone)).hasSize(1);
  }

  @Test
  void resyncUpdatesCallsWhoseStateChangedWhileTheLinkWasDown() {
    server.script("ring", Outcome.NEVER_ANSWER);
    start(Scripted.config().build()).connect();
    String id = adapter.makeCall("1000", "ring");
    events.awaitState(id, CallState.RINGING);

    server.unreachable(true);
    server.dropLink();
    server.changeSilently(id, CallState.CONNECTED);
    server.unreachable(false);

    events.awaitState(id, CallState.CONNECTED);
    assertThat(adapter.metrics().callsSucceeded()).isEqualTo(1);
  }

  @Test
  void aRequestInFlightFailsFastWhenTheLinkDrops() throws Exception {
    start(Scripted.config().build()).connect();
    server.stopAnswering();

    CompletableFuture<String> call = adapter.makeCallAsync("1000", "2000", CallOptions.DEFAULTS);
    assertThat(call).isNotDone();
    server.dropLink();

    // The request timeout is 30 s; the failure must come from the link loss, not the timeout.
    await().atMost(Duration.ofSeconds(60)).until(call::isDone);
    assertThatThrownBy(call::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseExactlyInstanceOf(AdapterConnectionException.class);
    assertThat(adapter.activeCalls()).isEmpty();
    assertThat(adapter.metrics().callsFailed()).isEqualTo(1);
  }

  @Test
  void aRequestInFlightFailsWhenTheAdapterDisconnects() {
    start(Scripted.config().build()).connect();
    server.stopAnswering();
    CompletableFuture<String> call = adapter.makeCallAsync("1000", "2000", CallOptions.DEFAULTS);

    adapter.disconnect();

    await().atMost(Duration.ofSeconds(60)).until(call::isDone);
    assertThat(call).isCompletedExceptionally();
  }
}
