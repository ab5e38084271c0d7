package org.sipadapter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;
import org.sipadapter.metrics.AdapterMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what adapters report to the calls of {@link CallRegistry}, and enforces the call
 * guarantees:
 *
 * <ul>
 *   <li>Only moves the state table allows are emitted; a call has exactly one terminal event.
 *   <li>Nothing carries a call's id after its terminal event: every event about a call is emitted
 *       while holding the call's lock, after checking the call is live. Raw server events and
 *       errors about an ended call are delivered without the call id.
 *   <li>A call the adapter gave up on (ended without the server confirming it) is never left
 *       running: whatever the server later reports about it is hung up, counted and logged once,
 *       and reported to nobody.
 *   <li>Ring timeouts and the grace after an accepted hangup end calls the server stays silent
 *       about.
 * </ul>
 *
 * <p>Thread-safe: state is per call, under the call's monitor; no lock is held while calling the
 * adapter's hangup hook.
 */
final class CallStateMachine {
  private static final Logger log = LoggerFactory.getLogger(CallStateMachine.class);
  static final String CALL_ID_PREFIX = "if://call/";

  private final String name;
  private final String type;
  private final CallRegistry registry;
  private final AdapterMetrics metrics;
  private final Consumer<AdapterEvent> emit;
  private final Consumer<Boolean> outboundOutcome;
  private final BiFunction<CallEntry, HangupCause, CompletableFuture<Void>> hangup;
  private final Timers timers;
  private final Clock clock;
  private final Duration hangupGrace;

  /**
   * Creates the state machine.
   *
   * @param name the adapter's name
   * @param type the adapter's type
   * @param registry the calls
   * @param metrics the counters
   * @param emit where events go (the dispatcher)
   * @param outboundOutcome told of each outbound call's outcome: answered (true) or failed (false)
   * @param hangup sends a hangup to the server; returns a failed future when the link is down
   * @param timers ring and grace timers
   * @param clock the clock for event times
   * @param hangupGrace how long the server may take to report the end of a hung-up call
   */
  CallStateMachine(
      String name,
      String type,
      CallRegistry registry,
      AdapterMetrics metrics,
      Consumer<AdapterEvent> emit,
      Consumer<Boolean> outboundOutcome,
      BiFunction<CallEntry, HangupCause, CompletableFuture<Void>> hangup,
      Timers timers,
      Clock clock,
      Duration hangupGrace) {
    this.name = name;
    this.type = type;
    this.registry = registry;
    this.metrics = metrics;
    this.emit = emit;
    this.outboundOutcome = outboundOutcome;
    this.hangup = hangup;
    this.timers = timers;
    this.clock = clock;
    this.hangupGrace = hangupGrace;
  }

  static String newCallId() {
    return CALL_ID_PREFIX + UUID.randomUUID();
  }

  // ------------------------------------------------------------------ new calls

  /** Tracks an outbound call: {@code DIALING}, and the ring timer. */
  CallEntry placeOutbound(String from, String to, CallOptions options, Duration ring) {
    CallEntry call =
        new CallEntry(newCallId(), CallDirection.OUTBOUND, from, to, options, CallState.DIALING);
    synchronized (call) {
      registry.add(call);
      metrics.callAttempted();
      emit.accept(
          new CallStateChanged(
              name, type, now(), call.callId(), null, CallState.DIALING, null, Map.of()));
      call.cancelRing = timers.schedule(() -> onRingTimeout(call, ring), ring);
    }
    return call;
  }

  /**
   * Tracks a call that arrived from outside, or recognises an orphan: when one of the server ids
   * belongs to a call this adapter gave up on, that call is hung up and its id returned; nothing is
   * emitted.
   */
  String incoming(String from, String to, CallState initialState, Map<String, String> serverIds) {
    if (initialState.isTerminal()) {
      throw new IllegalArgumentException("an incoming call cannot start " + initialState);
    }
    CallEntry orphan = registry.givenUpByServerIds(serverIds);
    if (orphan != null) {
      orphan(orphan, serverIds);
      return orphan.callId();
    }
    CallEntry call =
        new CallEntry(
            newCallId(),
            CallDirection.INBOUND,
            from == null ? "" : from,
            to == null ? "" : to,
            CallOptions.DEFAULTS,
            initialState);
    synchronized (call) {
      mergeIds(call, serverIds);
      if (initialState.isAnswered()) {
        call.answeredAt = now();
      }
      registry.add(call);
      metrics.incomingCall();
      emit.accept(
          new IncomingCall(
              name, type, now(), call.callId(), call.from(), call.to(), call.serverIds()));
      emit.accept(
          new CallStateChanged(
              name, type, now(), call.callId(), null, initialState, null, call.serverIds()));
    }
    return call.callId();
  }

  // ------------------------------------------------------------------ reports

  /** A state the server reported. */
  void state(String callId, CallState newState, HangupCause cause, Map<String, String> ids) {
    Objects.requireNonNull(newState, "newState");
    CallEntry call = registry.live(callId);
    if (call == null) {
      afterEnd(callId, newState.isTerminal(), ids, "state " + newState);
      return;
    }
    if (newState.isTerminal()) {
      end(call, newState, cause == null ? HangupCause.NORMAL_CLEARING : cause, ids, false);
      return;
    }
    synchronized (call) {
      if (call.state.isTerminal()) {
        afterEnd(callId, false, ids, "state " + newState);
        return;
      }
      mergeIds(call, ids);
      CallState prev = call.state;
      if (prev == newState) {
        return;
      }
      if (!prev.canMoveTo(newState)) {
        metrics.transitionRejected();
        log.warn("[{}] refused state change {} -> {} for {}", name, prev, newState, callId);
        return;
      }
      call.state = newState;
      if (newState.isAnswered() && call.answeredAt == null) {
        call.answeredAt = now();
        cancelRing(call);
        if (call.direction() == CallDirection.OUTBOUND) {
          metrics.callSucceeded(System.nanoTime() - call.createdNanos());
          outboundOutcome.accept(true);
        }
      }
      emit.accept(
          new CallStateChanged(name, type, now(), callId, prev, newState, null, call.serverIds()));
    }
  }

  /** The server reported the end of a call. */
  void ended(String callId, HangupCause cause, Map<String, String> ids) {
    Objects.requireNonNull(cause, "cause");
    CallEntry call = registry.live(callId);
    if (call == null) {
      afterEnd(callId, true, ids, "end");
      return;
    }
    end(call, null, cause, ids, false);
  }

  /** A DTMF digit the server reported. */
  void dtmf(String callId, String digit, Map<String, String> ids) {
    CallEntry call = registry.live(callId);
    if (call != null) {
      synchronized (call) {
        if (!call.state.isTerminal()) {
          emit.accept(new DtmfReceived(name, type, now(), callId, digit, ids));
          return;
        }
      }
    }
    afterEnd(callId, false, ids, "DTMF");
  }

  /**
   * A raw server event. About a live call it carries the call id; about an ended (or unknown) call
   * it is delivered without one, so nothing carries an id after its terminal event.
   */
  void serverEvent(String callId, String eventName, Map<String, String> fields) {
    CallEntry call = callId == null ? null : registry.live(callId);
    if (call != null) {
      synchronized (call) {
        if (!call.state.isTerminal()) {
          emit.accept(new ServerEvent(name, type, now(), callId, eventName, fields));
          return;
        }
      }
    }
    emit.accept(new ServerEvent(name, type, now(), null, eventName, fields));
  }

  /** A background error; carries the call id only while the call is live. */
  void error(String callId, String message, Throwable error) {
    CallEntry call = callId == null ? null : registry.live(callId);
    if (call != null) {
      synchronized (call) {
        if (!call.state.isTerminal()) {
          emit.accept(new AdapterError(name, type, now(), callId, message, error));
          return;
        }
      }
    }
    emit.accept(new AdapterError(name, type, now(), null, message, error));
  }

  /**
   * Binds server ids to a live call (shown and indexed), or recognises a given-up call still on the
   * server: it is hung up once, with every id bound so far.
   */
  void bind(String callId, Map<String, String> ids) {
    Map<String, String> valid = new LinkedHashMap<>();
    if (ids != null) {
      ids.forEach(
          (k, v) -> {
            if (k != null && v != null && !v.isEmpty()) {
              valid.put(k, v);
            }
          });
    }
    if (valid.isEmpty()) {
      return;
    }
    CallEntry call = registry.live(callId);
    if (call != null) {
      synchronized (call) {
        if (!call.state.isTerminal()) {
          valid.forEach(
              (k, v) -> {
                call.putServerId(k, v);
                call.boundKeys.add(k);
                registry.index(call, k, v);
              });
          return;
        }
      }
    }
    CallEntry gone = registry.givenUp(callId);
    if (gone != null) {
      gone.boundKeys.addAll(valid.keySet());
    }
    afterEnd(callId, false, valid, "server ids " + valid.keySet());
  }

  // ------------------------------------------------------------------ local decisions

  /**
   * Ends a call because the adapter gave up on it (request timeout, link lost or given up,
   * disconnect, close). An outbound call may still live on the server: it is kept as given up.
   *
   * @param call the call
   * @param unansweredState the terminal state of a call never answered, or null for the table's
   *     choice
   * @param cause the cause
   */
  void giveUp(CallEntry call, CallState unansweredState, HangupCause cause) {
    end(call, unansweredState, cause, Map.of(), true);
  }

  /** Ends every live call locally (see {@link #giveUp}). */
  void giveUpAll(HangupCause cause, CallState unansweredState) {
    for (CallEntry c : registry.liveCalls()) {
      giveUp(c, unansweredState, cause);
    }
  }

  /** Notes that the user asked for the end of the call. */
  void hangupRequested(CallEntry call) {
    call.hangupRequested = true;
  }

  /**
   * Ends the call locally if the server accepted a hangup but did not report the end within the
   * grace period.
   */
  void endIfServerStaysSilent(CallEntry call, HangupCause cause) {
    timers.schedule(
        () -> {
          if (!call.state.isTerminal()) {
            log.warn(
                "[{}] server reported no end of {} within {} ms of the hangup; ending it",
                name,
                call.callId(),
                hangupGrace.toMillis());
            end(
                call,
                null,
                cause.withText(cause.text() + " " + HangupCause.NO_HANGUP_EVENT),
                Map.of(),
                true);
          }
        },
        hangupGrace);
  }

  /**
   * A transfer is under way: an answered call moves to {@code TRANSFERRING}, from which the adapter
   * reports what the server shows next (the call continuing, or its end). Called before the request
   * is sent, so no report of the server can overtake it.
   */
  void transferStarted(CallEntry call) {
    synchronized (call) {
      CallState prev = call.state;
      if (prev.isTerminal() || prev == CallState.TRANSFERRING || !prev.isAnswered()) {
        return;
      }
      call.state = CallState.TRANSFERRING;
      emit.accept(
          new CallStateChanged(
              name,
              type,
              now(),
              call.callId(),
              prev,
              CallState.TRANSFERRING,
              null,
              call.serverIds()));
    }
  }

  /**
   * A transfer request failed: a call that {@link #transferStarted} or the adapter moved to {@code
   * TRANSFERRING} goes back to {@code CONNECTED}.
   */
  void transferFailed(CallEntry call) {
    synchronized (call) {
      if (call.state == CallState.TRANSFERRING) {
        call.state = CallState.CONNECTED;
        emit.accept(
            new CallStateChanged(
                name,
                type,
                now(),
                call.callId(),
                CallState.TRANSFERRING,
                CallState.CONNECTED,
                null,
                call.serverIds()));
      }
    }
  }

  // ------------------------------------------------------------------ internals

  private void onRingTimeout(CallEntry call, Duration ring) {
    synchronized (call) {
      if (call.state.isTerminal() || call.answeredAt != null) {
        return;
      }
      call.ringTimedOut = true;
      call.hangupRequested = true;
    }
    log.debug("[{}] {} not answered within {}; hanging up", name, call.callId(), ring);
    HangupCause cause = HangupCause.NO_ANSWER;
    CompletableFuture<Void> f;
    try {
      f = hangup.apply(call, cause);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (v, e) -> {
          if (e != null) {
            end(call, CallState.FAILED, cause, Map.of(), true);
          } else {
            endIfServerStaysSilent(call, cause);
          }
        });
  }

  /**
   * Something about a call that is no longer live: a given-up call the server still reports is an
   * orphan to hang up; its end, once reported, lets it go. Anything else is dropped.
   */
  private void afterEnd(String callId, boolean endReport, Map<String, String> ids, String what) {
    CallEntry gone = callId == null ? null : registry.givenUp(callId);
    if (gone == null) {
      log.debug("[{}] {} for unknown or ended call {}", name, what, callId);
      return;
    }
    if (endReport) {
      registry.forgetGivenUp(callId);
      return;
    }
    orphan(gone, ids);
  }

  /** Hangs up, once, a call the adapter gave up on and the server still holds. */
  private void orphan(CallEntry call, Map<String, String> ids) {
    synchronized (call) {
      mergeIds(call, ids);
      if (ids != null) {
        ids.forEach(
            (k, v) -> {
              if (call.boundKeys.contains(k) && v != null && !v.isEmpty()) {
                registry.indexGivenUp(call, k, v);
              }
            });
      }
      if (call.orphanHangupSent) {
        return;
      }
      call.orphanHangupSent = true;
    }
    metrics.orphanHungUp();
    log.warn(
        "[{}] the server still holds {} ({}), which ended here as {}; hanging it up",
        name,
        call.callId(),
        call.serverIds(),
        call.state);
    CompletableFuture<Void> f;
    try {
      f = hangup.apply(call, HangupCause.NORMAL_CLEARING);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (v, e) -> {
          if (e != null) {
            // A later report (with more server ids, or on a new link) tries again.
            call.orphanHangupSent = false;
            log.debug("[{}] hanging up orphan {} failed: {}", name, call.callId(), e.toString());
          }
        });
  }

  private void end(
      CallEntry call,
      CallState requested,
      HangupCause cause,
      Map<String, String> serverIds,
      boolean local) {
    synchronized (call) {
      mergeIds(call, serverIds);
      CallState prev = call.state;
      if (prev.isTerminal()) {
        return;
      }
      CallState terminal;
      HangupCause finalCause = cause;
      if (prev.isAnswered() || call.answeredAt != null) {
        terminal = CallState.DISCONNECTED;
      } else if (call.ringTimedOut) {
        terminal = CallState.FAILED;
        finalCause = HangupCause.NO_ANSWER.withText("not answered within the ring timeout");
      } else if (call.hangupRequested) {
        terminal = CallState.DISCONNECTED;
      } else {
        terminal = requested == null ? CallState.FAILED : requested;
      }
      call.state = terminal;
      call.cause = finalCause;
      call.endedAt = now();
      call.endedLocally = local;
      cancelRing(call);
      // A call the caller gave up on (hangup, disconnect, close) is not a failed call.
      if (call.direction() == CallDirection.OUTBOUND && terminal == CallState.FAILED) {
        metrics.callFailed();
        outboundOutcome.accept(false);
      }
      boolean serverMayHoldIt = local && call.direction() == CallDirection.OUTBOUND;
      registry.retire(call, call.record(name, type), serverMayHoldIt);
      emit.accept(
          new CallStateChanged(
              name,
              type,
              call.endedAt,
              call.callId(),
              prev,
              terminal,
              finalCause,
              call.serverIds()));
    }
  }

  private static void mergeIds(CallEntry call, Map<String, String> ids) {
    if (ids == null || ids.isEmpty()) {
      return;
    }
    ids.forEach(
        (k, v) -> {
          if (k != null && v != null && !v.isEmpty()) {
            call.putServerId(k, v);
          }
        });
  }

  private static void cancelRing(CallEntry call) {
    Runnable c = call.cancelRing;
    if (c != null) {
      c.run();
      call.cancelRing = null;
    }
  }

  private Instant now() {
    return clock.instant();
  }
}
