package org.sipadapter;

import java.io.IOException;
import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.TrackedCall;

/**
 * An in-memory telephony server whose behaviour a test scripts: how each destination number
 * answers, whether logins succeed, whether requests get answers, and when the link drops. Events go
 * to the logged-in adapter on one "wire" thread, in order, as a socket reader would deliver them.
 */
final class ScriptedServer implements AutoCloseable {
  /** How a destination number behaves when called. */
  enum Outcome {
    /** Rings, then answers. */
    ANSWER_AFTER_RING,
    /** Answers with 486 Busy Here. */
    BUSY,
    /** Answers with 404 Not Found. */
    UNKNOWN_NUMBER,
    /** Rings forever. */
    NEVER_ANSWER
  }

  /** What the server tells the logged-in adapter. */
  interface Link {
    void callState(String callId, CallState state);

    void callEnded(String callId, HangupCause cause);

    void linkLost(Throwable cause);
  }

  static final String PASSWORD = "Pa55-w0rd!x9";

  private final ExecutorService wire =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "scripted-server-wire");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
  private final Map<String, CallState> calls = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger loginAttempts = new AtomicInteger();
  private final AtomicInteger refusedConnects = new AtomicInteger();
  private volatile Link link;
  private volatile boolean refuseLogin;
  private volatile boolean unreachable;
  private volatile boolean silent;
  private volatile boolean hangupsUnreported;
  private final List<CompletableFuture<Void>> heldReplies = new CopyOnWriteArrayList<>();
  private volatile boolean holdReplies;

  /** Makes calls to {@code number} behave as {@code outcome} (default: answer after ringing). */
  ScriptedServer script(String number, Outcome outcome) {
    outcomes.put(number, outcome);
    return this;
  }

  /** Refuses every login from now on, as a server does with a wrong password. */
  void refuseLogin(boolean refuse) {
    this.refuseLogin = refuse;
  }

  /** Refuses TCP connections from now on (server down). */
  void unreachable(boolean down) {
    this.unreachable = down;
  }

  /** Refuses the next {@code n} connection attempts, then accepts again. */
  void refuseNextConnects(int n) {
    refusedConnects.set(n);
  }

  /** Stops answering requests: they stay pending for ever. */
  void stopAnswering() {
    this.silent = true;
  }

  /** Keeps the replies to hold requests back until {@link #releaseReplies()}. */
  void holdReplies() {
    this.holdReplies = true;
  }

  /** Sends the replies kept back, on the wire thread, as a socket reader would complete them. */
  void releaseReplies() {
    holdReplies = false;
    for (CompletableFuture<Void> f : heldReplies) {
      wire.execute(() -> f.complete(null));
    }
    heldReplies.clear();
  }

  /** Accepts hangup requests from now on but never reports the calls' end. */
  void acceptHangupsWithoutEvent() {
    this.hangupsUnreported = true;
  }

  /** Drops the link, as a reset TCP connection would; the adapter hears it on the wire thread. */
  void dropLink() {
    Link l = link;
    link = null;
    if (l != null) {
      wire.execute(() -> l.linkLost(new IOException("connection reset by peer")));
    }
  }

  /** Ends a call from the far end. */
  void remoteHangup(String callId) {
    if (calls.remove(callId) != null) {
      send(l -> l.callEnded(callId, HangupCause.NORMAL_CLEARING));
    }
  }

  /** Forgets a call silently, as if it ended while the adapter was not connected. */
  void forget(String callId) {
    calls.remove(callId);
  }

  /** Changes a call's state without telling the adapter, as if it changed during an outage. */
  void changeSilently(String callId, CallState state) {
    calls.put(callId, state);
  }

  /** Returns the calls the server has now, for resync. */
  Map<String, CallState> activeCalls() {
    return new LinkedHashMap<>(calls);
  }

  /** Returns every request the server received, in order. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  int loginAttempts() {
    return loginAttempts.get();
  }

  boolean loggedIn() {
    return link != null;
  }

  void login(ConnectTarget target, Link adapter) throws IOException {
    loginAttempts.incrementAndGet();
    if (unreachable || refusedConnects.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new ConnectException("Connection refused");
    }
    if (refuseLogin || !PASSWORD.equals(target.credentials().secret().reveal())) {
      throw new AuthenticationException(
          "login refused for user '" + target.credentials().username() + "'");
    }
    link = adapter;
  }

  void logout(Link adapter) {
    if (link == adapter) {
      link = null;
    }
  }

  CompletableFuture<Void> originate(TrackedCall call) {
    requests.add(
        "originate from=" + call.from() + " to=" + call.to() + " options=" + call.options());
    if (link == null) {
      return CompletableFuture.failedFuture(new AdapterConnectionException("not logged in"));
    }
    if (silent) {
      return new CompletableFuture<>();
    }
    String id = call.callId();
    calls.put(id, CallState.DIALING);
    switch (outcomes.getOrDefault(call.to(), Outcome.ANSWER_AFTER_RING)) {
      case ANSWER_AFTER_RING:
        progress(id, CallState.RINGING);
        progress(id, CallState.CONNECTED);
        break;
      case BUSY:
        progress(id, CallState.RINGING);
        end(id, HangupCause.ofSip(486));
        break;
      case UNKNOWN_NUMBER:
        end(id, HangupCause.ofSip(404));
        break;
      case NEVER_ANSWER:
        progress(id, CallState.RINGING);
        break;
      default:
        throw new AssertionError();
    }
    return CompletableFuture.completedFuture(null);
  }

  CompletableFuture<Void> hangup(String callId, HangupCause cause) {
    requests.add("hangup " + callId + " cause=" + cause.name());
    if (link == null) {
      return CompletableFuture.failedFuture(new AdapterConnectionException("not logged in"));
    }
    if (silent) {
      return new CompletableFuture<>();
    }
    if (!hangupsUnreported) {
      end(callId, HangupCause.ORIGINATOR_CANCEL.withText("hangup requested"));
    }
    return CompletableFuture.completedFuture(null);
  }

  CompletableFuture<Void> hold(String callId) {
    requests.add("hold " + callId);
    calls.computeIfPresent(callId, (k, v) -> CallState.ON_HOLD);
    send(l -> l.callState(callId, CallState.ON_HOLD));
    if (holdReplies) {
      CompletableFuture<Void> reply = new CompletableFuture<>();
      heldReplies.add(reply);
      return reply;
    }
    return CompletableFuture.completedFuture(null);
  }

  private void progress(String callId, CallState state) {
    calls.computeIfPresent(callId, (k, v) -> state);
    send(l -> l.callState(callId, state));
  }

  private void end(String callId, HangupCause cause) {
    calls.remove(callId);
    send(l -> l.callEnded(callId, cause));
  }

  private void send(java.util.function.Consumer<Link> event) {
    wire.execute(
        () -> {
          Link l = link;
          if (l != null) {
            event.accept(l);
          }
        });
  }

  @Override
  public void close() {
    wire.shutdownNow();
  }
}
