package org.sipadapter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.Answer;
import org.sipadapter.spi.AttendedTransfer;
import org.sipadapter.spi.Bridge;
import org.sipadapter.spi.Capabilities;
import org.sipadapter.spi.Capability;
import org.sipadapter.spi.Conference;
import org.sipadapter.spi.Hold;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.Recording;
import org.sipadapter.spi.RefreshStatus;
import org.sipadapter.spi.Reject;
import org.sipadapter.spi.SendDtmf;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.Transfer;
import org.sipadapter.spi.WireField;

/**
 * The public call operations: their input checks (before anything is sent), the capability and
 * state checks, the call's tracking, and one request timeout each. Returns futures; {@link
 * SipAdapter} adds the blocking forms.
 *
 * <p>Order of checks, the same for every operation: bad input throws {@link
 * IllegalArgumentException} (or {@link NullPointerException}) at once; then the future fails with
 * {@link UnsupportedFeatureException} if the driver lacks the capability, {@link
 * CallNotFoundException} for an unknown call, and {@link AdapterConnectionException} when not
 * connected.
 */
final class CallOperations {
  private final AdapterConfig config;
  private final AdapterDriver driver;
  private final CallRegistry registry;
  private final CallStateMachine machine;
  private final RequestTracker requests;
  private final ConnectionWatchdog watchdog;
  private final WireChecks checks;

  CallOperations(
      AdapterConfig config,
      AdapterDriver driver,
      CallRegistry registry,
      CallStateMachine machine,
      RequestTracker requests,
      ConnectionWatchdog watchdog,
      WireChecks checks) {
    this.config = config;
    this.driver = driver;
    this.registry = registry;
    this.machine = machine;
    this.requests = requests;
    this.watchdog = watchdog;
    this.checks = checks;
  }

  // ---------------------------------------------------------------- calls

  CompletableFuture<String> makeCall(String from, String to, CallOptions options) {
    checks.call(from, to, options);
    Optional<OutboundCalls> outbound = capabilities().get(OutboundCalls.class);
    if (outbound.isEmpty()) {
      return unsupported(Feature.OUTBOUND_CALLS);
    }
    CompletableFuture<String> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    Duration ring = options.timeout().orElse(config.timeouts().ring());
    CallEntry call = machine.placeOutbound(from, to, options, ring);
    return requests
        .timed("makeCall", () -> outbound.get().makeCall(call))
        .handle(
            (v, error) -> {
              if (error != null) {
                Throwable e = RequestTracker.unwrap(error);
                HangupCause cause = HangupCause.NORMAL_TEMPORARY_FAILURE.withText(e.getMessage());
                if (e instanceof AdapterTimeoutException
                    || e instanceof AdapterConnectionException) {
                  // The server may still run the request: what it creates later is hung up.
                  machine.giveUp(call, null, cause);
                } else {
                  machine.ended(call.callId(), cause, Map.of());
                }
                throw new CompletionException(e);
              }
              return call.callId();
            });
  }

  CompletableFuture<Void> hangup(String callId) {
    Objects.requireNonNull(callId, "callId");
    CallEntry call = registry.live(callId);
    if (call == null) {
      return registry.known(callId)
          ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(unknownCall(callId));
    }
    CompletableFuture<Void> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    machine.hangupRequested(call);
    return requests
        .timed("hangup", () -> driver.hangup(call, HangupCause.NORMAL_CLEARING))
        .thenRun(() -> machine.endIfServerStaysSilent(call, HangupCause.NORMAL_CLEARING));
  }

  CallStatus status(String callId) {
    Objects.requireNonNull(callId, "callId");
    CallEntry call = registry.live(callId);
    if (call != null) {
      return call.status();
    }
    CallRecord r = registry.record(callId).orElseThrow(() -> unknownCall(callId));
    return new CallStatus(
        r.callId(),
        r.direction(),
        r.from(),
        r.to(),
        r.finalState(),
        r.createdAt(),
        r.answeredAt(),
        r.endedAt(),
        r.cause(),
        r.serverIds());
  }

  CompletableFuture<CallStatus> refreshStatus(String callId) {
    Objects.requireNonNull(callId, "callId");
    CallEntry call = registry.live(callId);
    if (call == null) {
      try {
        return CompletableFuture.completedFuture(status(callId));
      } catch (CallNotFoundException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    CompletableFuture<CallStatus> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    Optional<RefreshStatus> refresh = capabilities().get(RefreshStatus.class);
    if (refresh.isEmpty()) {
      // The tracked state is all the adapter knows.
      return CompletableFuture.completedFuture(status(callId));
    }
    return requests
        .timed("refreshStatus", () -> refresh.get().refreshStatus(call))
        .thenApply(v -> status(callId));
  }

  List<CallStatus> active() {
    List<CallStatus> out = new ArrayList<>();
    for (CallEntry c : registry.liveCalls()) {
      out.add(c.status());
    }
    out.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
    return out;
  }

  // ---------------------------------------------------------------- optional features

  CompletableFuture<Void> answer(String callId) {
    return onCall(Answer.class, Feature.ANSWER, callId, Answer::answer);
  }

  CompletableFuture<Void> reject(String callId, HangupCause cause) {
    Objects.requireNonNull(cause, "cause");
    return onCall(
        Reject.class,
        Feature.REJECT,
        callId,
        (r, c) -> {
          machine.hangupRequested(c);
          return r.reject(c, cause);
        });
  }

  CompletableFuture<Void> transfer(String callId, String target) {
    checks.required(WireField.TARGET, target);
    return onCall(
        Transfer.class,
        Feature.TRANSFER,
        callId,
        (t, c) -> transferring(c, () -> t.transfer(c, target)));
  }

  CompletableFuture<Void> attendedTransfer(String callId, String target) {
    checks.required(WireField.TARGET, target);
    return onCall(
        AttendedTransfer.class,
        Feature.ATTENDED_TRANSFER,
        callId,
        (t, c) -> transferring(c, () -> t.attendedTransfer(c, target)));
  }

  CompletableFuture<Void> hold(String callId) {
    return onCall(Hold.class, Feature.HOLD, callId, Hold::hold);
  }

  CompletableFuture<Void> resume(String callId) {
    return onCall(Hold.class, Feature.HOLD, callId, Hold::resume);
  }

  CompletableFuture<Void> startRecording(String callId, String fileName) {
    checks.required(WireField.FILE_NAME, fileName);
    return onCall(
        Recording.class, Feature.RECORDING, callId, (r, c) -> r.startRecording(c, fileName));
  }

  CompletableFuture<Void> stopRecording(String callId) {
    return onCall(Recording.class, Feature.RECORDING, callId, Recording::stopRecording);
  }

  CompletableFuture<Void> sendDtmf(String callId, String digits) {
    WireChecks.dtmf(digits);
    return onCall(SendDtmf.class, Feature.SEND_DTMF, callId, (s, c) -> s.sendDtmf(c, digits));
  }

  CompletableFuture<Void> conference(String room, String... callIds) {
    checks.required(WireField.ROOM, room);
    if (callIds.length == 0) {
      throw new IllegalArgumentException("conference needs at least one call");
    }
    Optional<Conference> conference = capabilities().get(Conference.class);
    if (conference.isEmpty()) {
      return unsupported(Feature.CONFERENCE);
    }
    List<TrackedCall> members = new ArrayList<>();
    for (String id : callIds) {
      CallEntry c = registry.live(Objects.requireNonNull(id, "callId"));
      if (c == null) {
        return CompletableFuture.failedFuture(unknownCall(id));
      }
      members.add(c);
    }
    CompletableFuture<Void> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    return requests.timed(
        "conference", () -> conference.get().conference(room, List.copyOf(members)));
  }

  CompletableFuture<Void> bridge(String callIdA, String callIdB) {
    Objects.requireNonNull(callIdB, "callIdB");
    return onCall(
        Bridge.class,
        Feature.BRIDGE,
        callIdA,
        (bridge, a) -> {
          CallEntry b = registry.live(callIdB);
          if (b == null) {
            return CompletableFuture.failedFuture(unknownCall(callIdB));
          }
          return bridge.bridge(a, b);
        });
  }

  // ---------------------------------------------------------------- internals

  private Capabilities capabilities() {
    return driver.capabilities();
  }

  private <C extends Capability> CompletableFuture<Void> onCall(
      Class<C> capability,
      Feature feature,
      String callId,
      BiFunction<C, CallEntry, CompletableFuture<Void>> op) {
    Objects.requireNonNull(callId, "callId");
    Optional<C> c = capabilities().get(capability);
    if (c.isEmpty()) {
      return unsupported(feature);
    }
    CallEntry call = registry.live(callId);
    if (call == null) {
      return CompletableFuture.failedFuture(unknownCall(callId));
    }
    CompletableFuture<Void> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    return requests.timed(feature.displayName(), () -> op.apply(c.get(), call));
  }

  /**
   * Runs a transfer hook. The call reports {@code TRANSFERRING} before the request goes out, so
   * whatever the server shows next (the call continuing, or its end) comes after it whichever of
   * the reply and the server's events arrives first; a refused transfer returns it to {@code
   * CONNECTED}.
   */
  private CompletableFuture<Void> transferring(
      CallEntry call, Supplier<CompletableFuture<Void>> hook) {
    machine.transferStarted(call);
    CompletableFuture<Void> f;
    try {
      f = hook.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (f == null) {
      machine.transferFailed(call);
      return null;
    }
    f.copy()
        .orTimeout(config.timeouts().request().toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                machine.transferFailed(call);
              }
            });
    return f;
  }

  private <T> CompletableFuture<T> requireConnected() {
    ConnectionState s = watchdog.state();
    if (s == ConnectionState.CONNECTED) {
      return null;
    }
    if (s == ConnectionState.CLOSED) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("[" + config.name() + "] adapter is closed"));
    }
    return CompletableFuture.failedFuture(
        new AdapterConnectionException(
            "[" + config.name() + "] not connected (" + s + "); call connect() first"));
  }

  private <T> CompletableFuture<T> unsupported(Feature f) {
    return CompletableFuture.failedFuture(
        new UnsupportedFeatureException(
            f, config.type(), driver.unsupportedReason(f).orElse(null)));
  }

  private CallNotFoundException unknownCall(String callId) {
    return new CallNotFoundException(
        "["
            + config.name()
            + "] unknown call id '"
            + callId
            + "' (never issued, or dropped from history)");
  }
}
