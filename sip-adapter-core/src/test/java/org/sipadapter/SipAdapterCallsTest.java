package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.ScriptedServer.Outcome;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;

class SipAdapterCallsTest {
  private final ScriptedServer server = new ScriptedServer();
  private final EventLog events = new EventLog();
  private ScriptedAdapter adapter;

  @BeforeEach
  void connect() {
    adapter = new ScriptedAdapter(Scripted.config().build(), server);
    adapter.addListener(events);
    adapter.connect();
  }

  @AfterEach
  void close() {
    adapter.close();
    server.close();
  }

  @Test
  void answeredCallGoesDialingRingingConnectedAndEndsDisconnectedOnRemoteHangup() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    server.remoteHangup(id);
    CallStateChanged end = events.awaitTerminal(id);

    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.previous()).isEqualTo(CallState.CONNECTED);
    assertThat(end.cause()).isEqualTo(HangupCause.NORMAL_CLEARING);
    assertThat(events.states(id))
        .containsExactly(
            CallState.DIALING, CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    assertThat(adapter.callHistory())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.callId()).isEqualTo(id);
              assertThat(r.disposition()).isEqualTo(Disposition.ANSWERED);
              assertThat(r.answeredAt()).isNotNull();
            });
    assertThat(adapter.callRecord(id)).contains(adapter.callHistory().get(0));
    assertThat(adapter.callRecord("if://call/unknown")).isEmpty();
  }

  @Test
  void hangupTheServerNeverConfirmsEndsLocallyAfterTheRequestTimeoutMarkedNoHangupEvent() {
    ScriptedAdapter quick =
        new ScriptedAdapter(
            Scripted.config()
                .timeouts(
                    new Timeouts(
                        Duration.ofSeconds(2),
                        Duration.ofMillis(100),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(30)))
                .build(),
            server);
    EventLog quickEvents = new EventLog();
    quick.addListener(quickEvents);
    try (quick) {
      quick.connect();
      String id = quick.makeCall("1000", "2000");
      quickEvents.awaitState(id, CallState.CONNECTED);
      server.acceptHangupsWithoutEvent();

      quick.hangup(id);
      CallStateChanged end = quickEvents.awaitTerminal(id);

      assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
      assertThat(end.cause().withoutHangupEvent()).isTrue();
      assertThat(end.cause().text()).endsWith(HangupCause.NO_HANGUP_EVENT);
    }
  }

  @Test
  void hangupTheServerConfirmsIsNotMarkedNoHangupEvent() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    adapter.hangup(id);
    CallStateChanged end = events.awaitTerminal(id);

    assertThat(end.cause().withoutHangupEvent()).isFalse();
  }

  @Test
  void asyncResultsCompleteOnAWorkerNotOnTheThreadThatReadTheReplySoCallbacksMayBlock() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);
    server.holdReplies();
    CompletableFuture<Void> held = adapter.holdAsync(id);
    AtomicReference<String> callbackThread = new AtomicReference<>();
    CompletableFuture<Void> callback =
        held.thenRun(() -> callbackThread.set(Thread.currentThread().getName()));

    server.releaseReplies();
    callback.join();

    assertThat(callbackThread.get())
        .isNotEqualTo("scripted-server-wire")
        .startsWith("sipadapter-worker-");
  }

  @Test
  void callIdsAreIfCallUrisWithAUuid() {
    String a = adapter.makeCall("1000", "2000");
    String b = adapter.makeCall("1000", "2000");

    assertThat(a).startsWith("if://call/").isNotEqualTo(b);
    assertThat(UUID.fromString(a.substring("if://call/".length()))).isNotNull();
    assertThat(UUID.fromString(b.substring("if://call/".length()))).isNotNull();
  }

  @Test
  void busyDestinationEndsFailedWithUserBusyCauseAndBusyDisposition() {
    server.script("2001", Outcome.BUSY);

    String id = adapter.makeCall("1000", "2001");
    CallStateChanged end = events.awaitTerminal(id);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().name()).isEqualTo("USER_BUSY");
    assertThat(end.cause().q850()).isEqualTo(17);
    assertThat(end.cause().sipStatus()).isEqualTo(486);
    assertThat(adapter.callHistory().get(0).disposition()).isEqualTo(Disposition.BUSY);
  }

  @Test
  void unknownNumberEndsFailedWithUnallocatedNumber() {
    server.script("9999", Outcome.UNKNOWN_NUMBER);

    String id = adapter.makeCall("1000", "9999");
    CallStateChanged end = events.awaitTerminal(id);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().name()).isEqualTo("UNALLOCATED_NUMBER");
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.FAILED);
    assertThat(adapter.callHistory().get(0).disposition()).isEqualTo(Disposition.FAILED);
  }

  @Test
  void callNotAnsweredWithinTheRingTimeoutEndsFailedWithNoAnswer() {
    server.script("2002", Outcome.NEVER_ANSWER);

    String id =
        adapter.makeCall(
            "1000", "2002", CallOptions.builder().timeout(Duration.ofMillis(50)).build());
    CallStateChanged end = events.awaitTerminal(id);

    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.NO_ANSWER.q850());
    assertThat(server.requests()).anyMatch(r -> r.startsWith("hangup " + id));
    assertThat(adapter.callHistory().get(0).disposition()).isEqualTo(Disposition.NO_ANSWER);
  }

  @Test
  void ringTimeoutHangsUpOffTheSharedTimer() {
    server.script("2002", Outcome.NEVER_ANSWER);

    String id =
        adapter.makeCall(
            "1000", "2002", CallOptions.builder().timeout(Duration.ofMillis(20)).build());
    events.awaitTerminal(id);

    assertThat(adapter.hangupThread()).isNotNull().doesNotStartWith("sipadapter-timer");
  }

  @Test
  void hangupBeforeAnswerEndsDisconnected() {
    server.script("2002", Outcome.NEVER_ANSWER);
    String id = adapter.makeCall("1000", "2002");
    events.awaitState(id, CallState.RINGING);

    adapter.hangup(id);
    CallStateChanged end = events.awaitTerminal(id);

    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(adapter.callHistory().get(0).disposition()).isEqualTo(Disposition.CANCELLED);
  }

  @Test
  void aCallCancelledBeforeAnswerDoesNotCountAsFailed() {
    server.script("2002", Outcome.NEVER_ANSWER);
    String id = adapter.makeCall("1000", "2002");
    events.awaitState(id, CallState.RINGING);

    adapter.hangup(id);
    events.awaitTerminal(id);

    assertThat(adapter.metrics().callsFailed()).isZero();
    assertThat(adapter.metrics().successRate()).isEqualTo(1.0);
  }

  @Test
  void aListenerLookingUpACallOnItsTerminalEventFindsTheRecord() {
    List<CallStatus> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    adapter.on(
        CallStateChanged.class,
        e -> {
          if (e.isTerminal()) {
            seen.add(adapter.getStatus(e.callId()));
          }
        });
    server.script("busy", Outcome.BUSY);

    String id = adapter.makeCall("1000", "busy");
    events.awaitTerminal(id);

    await().atMost(EventLog.WAIT).until(() -> seen.size() == 1);
    assertThat(seen.get(0).state()).isEqualTo(CallState.FAILED);
    assertThat(adapter.metrics().listenerErrors()).isZero();
  }

  @Test
  void hangingUpAnEndedCallDoesNothing() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);
    server.remoteHangup(id);
    events.awaitTerminal(id);
    int requests = server.requests().size();

    adapter.hangup(id);

    assertThat(server.requests()).hasSize(requests);
  }

  @Test
  void getStatusDescribesActiveAndEndedCalls() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    CallStatus live = adapter.getStatus(id);
    assertThat(live.isActive()).isTrue();
    assertThat(live.state()).isEqualTo(CallState.CONNECTED);
    assertThat(live.from()).isEqualTo("1000");
    assertThat(live.to()).isEqualTo("2000");
    assertThat(live.direction()).isEqualTo(CallDirection.OUTBOUND);
    assertThat(live.answeredAt()).isNotNull();
    assertThat(live.serverIds()).containsKey("Server-Id");
    assertThat(adapter.activeCalls()).extracting(CallStatus::callId).containsExactly(id);

    adapter.hangup(id);
    events.awaitTerminal(id);

    CallStatus ended = adapter.getStatus(id);
    assertThat(ended.isActive()).isFalse();
    assertThat(ended.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(ended.endedAt()).isNotNull();
    assertThat(ended.hangupCause()).isPresent();
    assertThat(adapter.activeCalls()).isEmpty();
  }

  @Test
  void unknownCallIdsThrowCallNotFound() {
    String unknown = "if://call/" + UUID.randomUUID();

    assertThatThrownBy(() -> adapter.getStatus(unknown))
        .isInstanceOf(CallNotFoundException.class)
        .hasMessageContaining(unknown);
    assertThatThrownBy(() -> adapter.hangup(unknown)).isInstanceOf(CallNotFoundException.class);
  }

  @Test
  void illegalStateMovesAreRefusedAndCounted() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    adapter.report(id, CallState.RINGING);
    adapter.report(id, CallState.EARLY_MEDIA);
    adapter.report(id, CallState.DIALING);

    assertThat(adapter.metrics().rejectedTransitions()).isEqualTo(3);
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    adapter.close();
    assertThat(events.states(id))
        .containsExactly(
            CallState.DIALING, CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
  }

  @Test
  void repeatedStatesAreIgnoredWithoutCountingThem() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    adapter.report(id, CallState.CONNECTED);
    adapter.report(id, CallState.CONNECTED);
    adapter.close();

    assertThat(adapter.metrics().rejectedTransitions()).isZero();
    assertThat(events.states(id)).containsOnlyOnce(CallState.CONNECTED);
  }

  @Test
  void aCallEndsWithExactlyOneTerminalEventEvenWhenTheServerReportsTheEndTwice() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    adapter.report(id, CallState.DISCONNECTED);
    adapter.report(id, CallState.FAILED);
    server.remoteHangup(id);
    adapter.close();

    assertThat(events.terminals(id)).hasSize(1);
  }

  @Test
  void holdMovesAnAnsweredCallOnHold() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    adapter.hold(id);

    events.awaitState(id, CallState.ON_HOLD);
  }

  @Test
  void undeclaredFeaturesThrowUnsupportedFeatureNamingFeatureAndAdapter() {
    String id = adapter.makeCall("1000", "2000");

    assertThatThrownBy(() -> adapter.transfer(id, "3000"))
        .isInstanceOfSatisfying(
            UnsupportedFeatureException.class,
            e -> {
              assertThat(e.feature()).isEqualTo(Feature.TRANSFER);
              assertThat(e.adapterType()).isEqualTo("scripted");
            })
        .hasMessageContaining("transfer")
        .hasMessageContaining("scripted");
    assertThatThrownBy(() -> adapter.sendDtmf(id, "12"))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("sendDtmf");
    assertThatThrownBy(() -> adapter.conference("room", id))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("conference");
  }

  @Test
  void anUnsupportedFeatureCarriesTheAdaptersReason() {
    String id = adapter.makeCall("1000", "2000");

    assertThatThrownBy(() -> adapter.startRecording(id, "/tmp/a.wav"))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("the scripted server has no media");
  }

  @Test
  void refreshStatusWithoutAServerCheckReturnsTheTrackedStateAndTheRecordOnceEnded() {
    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    assertThat(adapter.refreshStatus(id).state()).isEqualTo(CallState.CONNECTED);

    server.remoteHangup(id);
    events.awaitTerminal(id);
    assertThat(adapter.refreshStatus(id).state()).isEqualTo(CallState.DISCONNECTED);
    assertThatThrownBy(() -> adapter.refreshStatus("if://call/nobody"))
        .isInstanceOf(CallNotFoundException.class);
  }

  @Test
  void featuresAreTheCapabilitiesTheDriverOffers() {
    assertThat(adapter.features())
        .containsExactlyInAnyOrder(Feature.OUTBOUND_CALLS, Feature.INBOUND_CALLS, Feature.HOLD);

    ScriptedAdapter withoutHold =
        new ScriptedAdapter(
            Scripted.config().build(),
            server,
            EnumSet.of(Feature.OUTBOUND_CALLS, Feature.INBOUND_CALLS));
    try {
      withoutHold.connect();
      String id = withoutHold.makeCall("1000", "2000");
      assertThat(withoutHold.features()).doesNotContain(Feature.HOLD);
      assertThatThrownBy(() -> withoutHold.hold(id))
          .isInstanceOfSatisfying(
              UnsupportedFeatureException.class,
              e -> assertThat(e.feature()).isEqualTo(Feature.HOLD));
    } finally {
      withoutHold.close();
    }
  }

  @Test
  void adapterWithoutOutboundCallsRefusesMakeCall() {
    ScriptedAdapter inboundOnly =
        new ScriptedAdapter(Scripted.config().build(), server, EnumSet.of(Feature.INBOUND_CALLS));
    try {
      inboundOnly.connect();
      assertThatThrownBy(() -> inboundOnly.makeCall("1000", "2000"))
          .isInstanceOf(UnsupportedFeatureException.class)
          .hasMessageContaining("makeCall");
    } finally {
      inboundOnly.close();
    }
  }

  static Stream<Arguments> injections() {
    List<String> bad = List.of("20\r\n00", "2000\nAction: Originate", "2000\0", "2000\r");
    Stream.Builder<Arguments> out = Stream.builder();
    for (String v : bad) {
      out.add(Arguments.of("from", (Consumer<ScriptedAdapter>) a -> a.makeCall(v, "2000")));
      out.add(Arguments.of("to", (Consumer<ScriptedAdapter>) a -> a.makeCall("1000", v)));
      out.add(
          Arguments.of(
              "callerIdName",
              (Consumer<ScriptedAdapter>)
                  a -> a.makeCall("1000", "2000", CallOptions.builder().callerIdName(v).build())));
      out.add(
          Arguments.of(
              "callerIdNumber",
              (Consumer<ScriptedAdapter>)
                  a ->
                      a.makeCall("1000", "2000", CallOptions.builder().callerIdNumber(v).build())));
      out.add(
          Arguments.of(
              "variable",
              (Consumer<ScriptedAdapter>)
                  a -> a.makeCall("1000", "2000", CallOptions.builder().variable("X", v).build())));
      out.add(
          Arguments.of(
              "variable name",
              (Consumer<ScriptedAdapter>)
                  a -> a.makeCall("1000", "2000", CallOptions.builder().variable(v, "x").build())));
      out.add(
          Arguments.of(
              "header",
              (Consumer<ScriptedAdapter>)
                  a ->
                      a.makeCall(
                          "1000", "2000", CallOptions.builder().header("X-Tag", v).build())));
    }
    return out.build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("injections")
  void lineBreaksAndNulInCallInputAreRefusedBeforeAnythingIsSent(
      String field, Consumer<ScriptedAdapter> call) {
    assertThatThrownBy(() -> call.accept(adapter)).isInstanceOf(IllegalArgumentException.class);

    assertThat(server.requests()).isEmpty();
    assertThat(adapter.activeCalls()).isEmpty();
    assertThat(adapter.metrics().callsAttempted()).isZero();
  }

  @Test
  void headerNamesWithColonsOrSpacesAreRefused() {
    assertThatThrownBy(
            () ->
                adapter.makeCall(
                    "1000", "2000", CallOptions.builder().header("X-A: b", "c").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void blankNumbersAreRefused() {
    assertThatThrownBy(() -> adapter.makeCall(" ", "2000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("from");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void incomingCallRaisesIncomingCallThenRinging() {
    String id = adapter.incoming("5551234", "100");
    events.awaitState(id, CallState.RINGING);

    assertThat(events.all())
        .filteredOn(e -> e.relatedCallId().orElse("").equals(id))
        .first()
        .isInstanceOfSatisfying(
            IncomingCall.class,
            e -> {
              assertThat(e.from()).isEqualTo("5551234");
              assertThat(e.serverIds()).containsEntry("Server-Id", "in-1");
            });
    assertThat(adapter.getStatus(id).direction()).isEqualTo(CallDirection.INBOUND);
    assertThat(adapter.metrics().incomingCalls()).isEqualTo(1);
  }

  @Test
  void metricsCountAttemptsSuccessesFailuresLatencyAndSetupTime() {
    server.script("busy", Outcome.BUSY);
    String ok1 = adapter.makeCall("1000", "2000");
    String ok2 = adapter.makeCall("1000", "2000");
    String ok3 = adapter.makeCall("1000", "2000");
    String ko = adapter.makeCall("1000", "busy");
    events.awaitState(ok1, CallState.CONNECTED);
    events.awaitState(ok2, CallState.CONNECTED);
    events.awaitState(ok3, CallState.CONNECTED);
    events.awaitTerminal(ko);

    MetricsSnapshot m = adapter.metrics();

    assertThat(m.callsAttempted()).isEqualTo(4);
    assertThat(m.callsSucceeded()).isEqualTo(3);
    assertThat(m.callsFailed()).isEqualTo(1);
    assertThat(m.successRate()).isEqualTo(0.75);
    assertThat(m.requestLatency().count()).isEqualTo(4);
    assertThat(m.callSetupTime().count()).isEqualTo(3);
    assertThat(m.activeCalls()).isEqualTo(3);
    assertThat(m.uptime()).isPositive();

    adapter.hangup(ok1);
    await().atMost(EventLog.WAIT).until(() -> adapter.metrics().activeCalls() == 2);
    assertThat(adapter.metrics().requestLatency().count()).isEqualTo(5);
  }

  @Test
  void successRateIsOneBeforeAnyCallFinished() {
    assertThat(adapter.metrics().successRate()).isEqualTo(1.0);
  }

  @Test
  void typedHandlersSeeOnlyTheirEventClassUntilTheirRegistrationIsClosed() {
    List<CallStateChanged> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    ListenerRegistration reg = adapter.on(CallStateChanged.class, changes::add);
    String first = adapter.makeCall("1000", "2000");
    events.awaitState(first, CallState.CONNECTED);
    adapter.disconnect();
    events.awaitConnection(ConnectionState.DISCONNECTED);
    await().atMost(EventLog.WAIT).until(() -> changes.size() == 4);

    reg.close();
    adapter.connect();
    String second = adapter.makeCall("1000", "2000");
    events.awaitState(second, CallState.CONNECTED);
    adapter.close();

    assertThat(changes).extracting(CallStateChanged::callId).containsOnly(first);
    assertThat(changes).hasSize(4);
  }
}
