package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;
import org.sipadapter.metrics.AdapterMetrics;

/** The call rules alone: a manual timer, a fixed clock, a recorded hangup hook. */
class CallStateMachineTest {
  private final List<AdapterEvent> events = new CopyOnWriteArrayList<>();
  private final List<String> hangups = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> hangupReplies = new ArrayList<>();
  private final AdapterMetrics metrics = new AdapterMetrics();
  private final ManualTimers timers = new ManualTimers();
  private final CallRegistry registry = new CallRegistry(100);
  private boolean answerHangups = true;
  private final CallStateMachine machine =
      new CallStateMachine(
          "t",
          "test",
          registry,
          metrics,
          events::add,
          answered -> {},
          (call, cause) -> {
            hangups.add(call.callId());
            CompletableFuture<Void> f =
                answerHangups ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
            hangupReplies.add(f);
            return f;
          },
          timers,
          Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
          Duration.ofSeconds(5));

  private CallEntry place() {
    return machine.placeOutbound("1000", "2000", CallOptions.DEFAULTS, Duration.ofSeconds(30));
  }

  private List<AdapterEvent> eventsOf(String callId) {
    return events.stream()
        .filter(e -> e.relatedCallId().filter(callId::equals).isPresent())
        .toList();
  }

  @Test
  void nothingCarriesTheCallIdAfterItsTerminalEvent() {
    CallEntry call = place();
    String id = call.callId();
    machine.state(id, CallState.CONNECTED, null, Map.of());
    machine.ended(id, HangupCause.NORMAL_CLEARING, Map.of());
    int atEnd = eventsOf(id).size();

    machine.serverEvent(id, "SoftHangupRequest", Map.of("Channel", "Local/2000@x;2"));
    machine.dtmf(id, "5", Map.of());
    machine.error(id, "late frame", null);
    machine.state(id, CallState.ON_HOLD, null, Map.of());
    machine.ended(id, HangupCause.NORMAL_CLEARING, Map.of());

    List<AdapterEvent> ofCall = eventsOf(id);
    assertThat(ofCall).hasSize(atEnd);
    assertThat(ofCall.get(ofCall.size() - 1))
        .isInstanceOfSatisfying(
            CallStateChanged.class, e -> assertThat(e.state()).isEqualTo(CallState.DISCONNECTED));
    // The raw event still arrives, without the id.
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e).isInstanceOf(ServerEvent.class);
              assertThat(e.relatedCallId()).isEmpty();
            });
  }

  @Test
  void aCallGivenUpAfterATimeoutIsHungUpOnceWhenTheServerShowsItAndReportedToNobody() {
    CallEntry call = place();
    String id = call.callId();
    machine.giveUp(call, null, HangupCause.NORMAL_TEMPORARY_FAILURE.withText("timed out"));
    int before = events.size();

    machine.state(id, CallState.CONNECTED, null, Map.of("Uniqueid", "1.1"));
    machine.state(id, CallState.CONNECTED, null, Map.of());
    machine.bind(id, Map.of("Channel", "PJSIP/2000-1"));

    assertThat(hangups).containsExactly(id);
    assertThat(metrics.snapshot(0).orphansHungUp()).isEqualTo(1);
    assertThat(events).hasSize(before);
    assertThat(eventsOf(id))
        .filteredOn(e -> e instanceof CallStateChanged c && c.isTerminal())
        .hasSize(1);

    machine.ended(id, HangupCause.NORMAL_CLEARING, Map.of());
    assertThat(registry.givenUpCalls()).isEmpty();
  }

  @Test
  void aFailedOrphanHangupIsTriedAgainOnTheNextReport() {
    CallEntry call = place();
    machine.giveUp(call, null, HangupCause.CONNECTION_LOST);
    answerHangups = false;
    machine.state(call.callId(), CallState.RINGING, null, Map.of());
    hangupReplies.get(0).completeExceptionally(new IllegalStateException("no such channel"));
    answerHangups = true;

    machine.state(call.callId(), CallState.CONNECTED, null, Map.of());

    assertThat(hangups).containsExactly(call.callId(), call.callId());
  }

  @Test
  void aServerCallCarryingAnIdBoundToAGivenUpCallIsHungUpNotReportedAsIncoming() {
    CallEntry call = place();
    machine.bind(call.callId(), Map.of("Uniqueid", "1700000000.7"));
    machine.giveUp(call, null, HangupCause.NORMAL_TEMPORARY_FAILURE);

    String id =
        machine.incoming("1000", "2000", CallState.RINGING, Map.of("Uniqueid", "1700000000.7"));

    assertThat(id).isEqualTo(call.callId());
    assertThat(events).noneMatch(e -> e instanceof IncomingCall);
    assertThat(hangups).containsExactly(call.callId());
  }

  @Test
  void idsBoundToAGivenUpCallHangItUpOnceWithEveryIdAndIndexThemAll() {
    CallEntry call = place();
    machine.giveUp(call, null, HangupCause.NORMAL_TEMPORARY_FAILURE);
    hangups.clear();

    machine.bind(call.callId(), Map.of("Uniqueid", "1700000000.9", "Channel", "PJSIP/2000-9"));

    assertThat(hangups).containsExactly(call.callId());
    assertThat(call.serverIds())
        .containsEntry("Uniqueid", "1700000000.9")
        .containsEntry("Channel", "PJSIP/2000-9");
    // the second id finds the orphan as well: a later channel of it is not an incoming call
    String id =
        machine.incoming("1000", "2000", CallState.RINGING, Map.of("Channel", "PJSIP/2000-9"));
    assertThat(id).isEqualTo(call.callId());
    assertThat(events).noneMatch(e -> e instanceof IncomingCall);
  }

  @Test
  void bindingIndexesEveryIdOfALiveCallAndSkipsEmptyValues() {
    CallEntry call = place();
    java.util.Map<String, String> ids = new java.util.HashMap<>();
    ids.put("Uniqueid", "1700000000.8");
    ids.put("Linkedid", "");
    ids.put("Channel", null);

    machine.bind(call.callId(), ids);

    assertThat(registry.liveByServerId("Uniqueid", "1700000000.8")).containsSame(call);
    assertThat(call.serverIds()).containsOnlyKeys("Uniqueid");
  }

  @Test
  void aSharedServerIdThatWasNeverBoundDoesNotMakeAnIncomingCallAnOrphan() {
    CallEntry call = place();
    machine.state(call.callId(), CallState.RINGING, null, Map.of("Linkedid", "L1"));
    machine.giveUp(call, null, HangupCause.NORMAL_TEMPORARY_FAILURE);

    String id = machine.incoming("3000", "2000", CallState.RINGING, Map.of("Linkedid", "L1"));

    assertThat(id).isNotEqualTo(call.callId());
    assertThat(events).anyMatch(e -> e instanceof IncomingCall);
    assertThat(hangups).isEmpty();
  }

  @Test
  void aCallTheServerEndedIsNotKeptAsGivenUp() {
    CallEntry call = place();
    machine.ended(call.callId(), HangupCause.USER_BUSY, Map.of());

    machine.state(call.callId(), CallState.CONNECTED, null, Map.of());

    assertThat(registry.givenUpCalls()).isEmpty();
    assertThat(hangups).isEmpty();
  }

  @Test
  void ringTimeoutHangsUpThenEndsFailedWithNoAnswerWhenTheServerStaysSilent() {
    CallEntry call = place();
    machine.state(call.callId(), CallState.RINGING, null, Map.of());

    timers.fireAll(); // the ring timer: hangup sent, grace timer started
    assertThat(hangups).containsExactly(call.callId());
    assertThat(call.state()).isEqualTo(CallState.RINGING);
    timers.fireAll(); // the grace timer

    CallStateChanged end = (CallStateChanged) eventsOf(call.callId()).get(2);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(19);
  }

  @Test
  void anAnsweredCallCancelsItsRingTimer() {
    CallEntry call = place();
    machine.state(call.callId(), CallState.CONNECTED, null, Map.of());

    assertThat(timers.pending()).isEmpty();
  }

  @Test
  void aTransferReportsTransferringThenWhatTheServerShows() {
    CallEntry call = place();
    machine.state(call.callId(), CallState.CONNECTED, null, Map.of());

    machine.transferStarted(call);
    machine.ended(call.callId(), HangupCause.NORMAL_CLEARING, Map.of());

    assertThat(eventsOf(call.callId()).stream().map(e -> ((CallStateChanged) e).state()).toList())
        .containsExactly(
            CallState.DIALING, CallState.CONNECTED, CallState.TRANSFERRING, CallState.DISCONNECTED);
  }

  @Test
  void aFailedTransferReturnsToConnected() {
    CallEntry call = place();
    machine.state(call.callId(), CallState.CONNECTED, null, Map.of());
    machine.state(call.callId(), CallState.TRANSFERRING, null, Map.of());

    machine.transferFailed(call);

    assertThat(call.state()).isEqualTo(CallState.CONNECTED);
  }
}
