package org.sipadapter.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.TrackedCallFixture;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.TrackedCall;

class DialogCallsTest {

  record D(
      String dialogId,
      String callId,
      String fromUri,
      String toUri,
      DialogState state,
      long answeredAtEpochSeconds)
      implements ProxyDialog {}

  private static D dialog(String id, String sip, DialogState state) {
    return new D(id, sip, "sip:a@h", "sip:b@h", state, state.answered() ? 1000 : 0);
  }

  /** A call table that records what is reported, with the core's binding and terminal rules. */
  static class Calls implements CallReports {
    final Map<String, CallState> states = new ConcurrentHashMap<>();
    final Map<String, Map<String, String>> ids = new ConcurrentHashMap<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final AtomicInteger incoming = new AtomicInteger();

    /** Calls given up on while the server may still run them, with the ids they were bound to. */
    final Map<String, Map<String, String>> givenUp = new ConcurrentHashMap<>();

    volatile Runnable onIncoming = () -> {};

    @Override
    public Optional<TrackedCall> findCallByServerId(String key, String value) {
      return ids.entrySet().stream()
          .filter(e -> value.equals(e.getValue().get(key)))
          .map(Map.Entry::getKey)
          .filter(id -> !states.get(id).isTerminal())
          .findFirst()
          .map(this::call);
    }

    @Override
    public Optional<TrackedCall> findGivenUpCallByServerId(String key, String value) {
      return givenUp.entrySet().stream()
          .filter(e -> value.equals(e.getValue().get(key)))
          .findFirst()
          .map(e -> TrackedCallFixture.tracked(e.getKey(), states.get(e.getKey()), e.getValue()));
    }

    /** Ends a call here as core does when its request timed out: the server may still run it. */
    void giveUp(String id) {
      states.put(id, CallState.FAILED);
      givenUp.put(id, new LinkedHashMap<>());
    }

    /** Core's rule for a given-up call the server shows: bind the ids, hang it up once. */
    private boolean orphan(String callId, Map<String, String> serverIds) {
      Map<String, String> bound = givenUp.get(callId);
      if (bound == null) {
        return false;
      }
      if (bound.isEmpty()) {
        log.add(callId + " orphan hung up");
      }
      bound.putAll(serverIds);
      return true;
    }

    TrackedCall call(String id) {
      return TrackedCallFixture.tracked(id, states.get(id), ids.get(id));
    }

    @Override
    public Collection<TrackedCall> trackedCalls() {
      List<TrackedCall> out = new ArrayList<>();
      states.forEach(
          (id, s) -> {
            if (!s.isTerminal()) {
              out.add(call(id));
            }
          });
      return out;
    }

    @Override
    public String reportIncomingCall(
        String from, String to, CallState initialState, Map<String, String> serverIds) {
      String id = "in-" + incoming.incrementAndGet();
      onIncoming.run();
      states.put(id, initialState);
      ids.put(id, new LinkedHashMap<>());
      log.add(id + " incoming " + initialState);
      return id;
    }

    /** A call this adapter placed, not yet bound. */
    String outbound(String id) {
      states.put(id, CallState.DIALING);
      ids.put(id, new LinkedHashMap<>());
      return id;
    }

    @Override
    public void bindServerIds(String callId, Map<String, String> serverIds) {
      if (orphan(callId, serverIds)) {
        return;
      }
      if (states.containsKey(callId) && !states.get(callId).isTerminal()) {
        ids.get(callId).putAll(serverIds);
      }
    }

    @Override
    public void reportCallState(String callId, CallState state, Map<String, String> serverIds) {
      if (orphan(callId, serverIds)) {
        return;
      }
      if (states.get(callId) != state && !states.get(callId).isTerminal()) {
        states.put(callId, state);
        log.add(callId + " " + state);
      }
    }

    @Override
    public void reportCallEnded(String callId, HangupCause cause, Map<String, String> serverIds) {
      if (givenUp.remove(callId) != null) {
        log.add(callId + " orphan gone");
        return;
      }
      if (!states.get(callId).isTerminal()) {
        states.put(callId, CallState.DISCONNECTED);
        log.add(callId + " ended " + cause.q850());
      }
    }
  }

  private final Calls calls = new Calls();

  @Test
  void aDialogSeenByTheEventReaderAndAListReadAtOnceBecomesOneCall() throws Exception {
    DialogCalls<D> tracker = new DialogCalls<>(calls);
    D d = dialog("1:1", "c1", DialogState.EARLY);
    AtomicReference<Thread> second = new AtomicReference<>();
    // The first report waits until the second thread is either stuck behind it or reports too.
    calls.onIncoming =
        () -> {
          if (calls.incoming.get() == 1) {
            Thread t = new Thread(() -> tracker.live(d), "list-read");
            second.set(t);
            t.start();
            await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () ->
                        calls.incoming.get() > 1
                            || t.getState() == Thread.State.BLOCKED
                            || t.getState() == Thread.State.WAITING);
          }
        };

    tracker.live(d);
    second.get().join(10_000);

    assertThat(calls.incoming).hasValue(1);
    assertThat(calls.log).containsExactly("in-1 incoming RINGING");
    assertThat(calls.ids.get("in-1")).containsEntry("dialog", "1:1").containsEntry("Call-ID", "c1");
  }

  @Test
  void aDialogOfACallThisAdapterPlacedIsClaimedNotReportedAsNew() {
    String mine = calls.outbound("out-1");
    DialogCalls<D> tracker =
        new DialogCalls<>(
            calls, d -> d.toUri().equals("sip:b@h") ? Optional.of(mine) : Optional.empty());

    tracker.live(dialog("1:1", "c1", DialogState.EARLY));
    tracker.live(dialog("1:1", "c1", DialogState.CONFIRMED));
    tracker.ended(dialog("1:1", "c1", DialogState.DELETED), HangupCause.NORMAL_CLEARING, false);

    assertThat(calls.incoming).hasValue(0);
    assertThat(calls.log).containsExactly("out-1 RINGING", "out-1 CONNECTED", "out-1 ended 16");
  }

  /**
   * A dialog claimed for a call given up on is being hung up: its later events stay with that call,
   * and the next call to the same destination waits for a dialog of its own.
   */
  @Test
  void aDialogClaimedForAGivenUpCallIsNotClaimedAgainByTheNextCall() {
    Queue<String> waiting = new ConcurrentLinkedQueue<>();
    DialogCalls<D> tracker = new DialogCalls<>(calls, d -> Optional.ofNullable(waiting.poll()));
    waiting.add(calls.outbound("lost"));
    calls.giveUp("lost");

    tracker.live(dialog("1:1", "c1", DialogState.EARLY));
    waiting.add(calls.outbound("next"));
    tracker.live(dialog("1:1", "c1", DialogState.CONFIRMED));
    tracker.ended(dialog("1:1", "c1", DialogState.DELETED), HangupCause.NORMAL_CLEARING, true);
    tracker.live(dialog("2:1", "c2", DialogState.EARLY));

    assertThat(calls.log)
        .containsExactly("lost orphan hung up", "lost orphan gone", "next RINGING");
    assertThat(calls.ids.get("next")).containsEntry(ProxyDialog.CALL_ID, "c2");
    assertThat(calls.incoming).hasValue(0);
  }

  @Test
  void aFailedDialogNoCallHasIsReportedAsAFailedCallOnlyWhenAsked() {
    DialogCalls<D> tracker = new DialogCalls<>(calls);

    tracker.ended(dialog("1:1", "c1", DialogState.DELETED), HangupCause.USER_BUSY, false);
    assertThat(calls.log).isEmpty();

    tracker.ended(dialog("1:2", "c2", DialogState.DELETED), HangupCause.USER_BUSY, true);
    assertThat(calls.log).containsExactly("in-1 incoming DIALING", "in-1 ended 17");
  }

  @Test
  void aDialogIdReusedWithAnotherCallIdIsANewCall() {
    DialogCalls<D> tracker = new DialogCalls<>(calls);
    tracker.live(dialog("1:1", "before-restart", DialogState.CONFIRMED));

    tracker.linkUp(List.of(dialog("1:1", "after-restart", DialogState.EARLY)));

    assertThat(calls.incoming).hasValue(2);
    assertThat(tracker.resync(calls.trackedCalls()))
        .containsExactly(
            new CallSnapshot(
                "in-2", CallState.RINGING, Map.of("dialog", "1:1", "Call-ID", "after-restart")));
  }

  @Test
  void theKeepaliveEndsCallsWhoseDialogIsGoneAndTakesUpDialogsTheEventsMissed() {
    DialogCalls<D> tracker = new DialogCalls<>(calls);
    tracker.live(dialog("1:1", "answered", DialogState.CONFIRMED));
    tracker.live(dialog("1:2", "ringing", DialogState.EARLY));
    tracker.live(dialog("1:3", "moves", DialogState.EARLY));
    List<TrackedCall> before = tracker.boundCalls();

    tracker.settle(
        List.of(
            dialog("1:2", "ringing", DialogState.DELETED),
            dialog("1:3", "moves", DialogState.CONFIRMED),
            dialog("1:4", "missed", DialogState.EARLY)),
        before);

    assertThat(calls.log.subList(3, 6))
        .containsExactlyInAnyOrder("in-1 ended 16", "in-2 ended 31", "in-3 CONNECTED");
    assertThat(calls.log).hasSize(7).last().isEqualTo("in-4 incoming RINGING");
  }

  @Test
  void anUnansweredCauseBecomesNormalClearingForACallThatWasAnswered() {
    DialogCalls<D> tracker = new DialogCalls<>(calls);
    tracker.live(dialog("1:1", "c1", DialogState.CONFIRMED));

    tracker.ended(dialog("1:1", "c1", DialogState.DELETED), DialogCalls.ENDED_UNANSWERED, false);

    assertThat(calls.log).last().isEqualTo("in-1 ended 16");
  }

  @Test
  void pollingReportsAppearedMovedAndEndedDialogsWithWhetherTheyWereAnswered() {
    DialogCalls<D> tracker = new DialogCalls<>(calls);
    tracker.linkUp(List.of());
    List<D> first =
        List.of(
            dialog("1:1", "a", DialogState.EARLY),
            dialog("1:2", "b", DialogState.CONFIRMED),
            dialog("1:3", "c", DialogState.EARLY));
    AtomicReference<List<D>> list = new AtomicReference<>(first);
    ListPoller<String, D> poller =
        tracker.poller(
            () -> "link",
            l -> java.util.concurrent.CompletableFuture.completedFuture(list.get()),
            e -> {},
            e -> {});

    poller.pollSoon();
    list.set(
        List.of(
            dialog("1:1", "a", DialogState.CONFIRMED),
            dialog("1:3", "c", DialogState.DELETED),
            // Two dialogs of one Call-ID are two calls.
            dialog("1:9", "a", DialogState.EARLY)));
    poller.pollSoon();

    assertThat(calls.log)
        .containsExactly(
            "in-1 incoming RINGING",
            "in-2 incoming CONNECTED",
            "in-3 incoming RINGING",
            "in-3 ended 31",
            "in-2 ended 16",
            "in-1 CONNECTED",
            "in-4 incoming RINGING");
  }
}
