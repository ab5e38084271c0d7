package org.sipadapter.pjsua;

import static org.sipadapter.pjsua.PjsuaAdapter.INV_CONFIRMED;
import static org.sipadapter.pjsua.PjsuaAdapter.INV_DISCONNECTED;
import static org.sipadapter.pjsua.PjsuaAdapter.INV_EARLY;
import static org.sipadapter.pjsua.PjsuaAdapter.MARKER_HEADER;
import static org.sipadapter.pjsua.PjsuaAdapter.MEDIA_ACTIVE;
import static org.sipadapter.pjsua.PjsuaAdapter.MEDIA_LOCAL_HOLD;
import static org.sipadapter.pjsua.PjsuaAdapter.MEDIA_REMOTE_HOLD;
import static org.sipadapter.pjsua.PjsuaAdapter.REF;
import static org.sipadapter.pjsua.PjsuaAdapter.SIP_CALL_ID;
import static org.sipadapter.pjsua.PjsuaAdapter.SLOT;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallException;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.InputGuard;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.Answer;
import org.sipadapter.spi.AttendedTransfer;
import org.sipadapter.spi.Bridge;
import org.sipadapter.spi.Conference;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.Hold;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.ReceiveDtmf;
import org.sipadapter.spi.Recording;
import org.sipadapter.spi.Reject;
import org.sipadapter.spi.SendDtmf;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.Transfer;
import org.sipadapter.spi.WireField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pjsua2 driver behind {@link PjsuaAdapter}: an in-process SIP user agent whose call states
 * become the unified ones.
 *
 * <p>Threading: every pjsua2 call runs on one thread of this driver ({@code
 * sipadapter-pjsua-ops-<name>}), registered with pjlib once. pjsua's callbacks run on its worker
 * thread; they copy what they need, report it to core (which never blocks) and hand any further
 * library call to the ops thread, so no callback waits.
 */
final class PjsuaDriver
    implements AdapterDriver,
        OutboundCalls,
        InboundCalls,
        Answer,
        Reject,
        Transfer,
        AttendedTransfer,
        Hold,
        Recording,
        SendDtmf,
        ReceiveDtmf,
        Conference,
        Bridge {

  private static final Logger log = LoggerFactory.getLogger(PjsuaDriver.class);

  private final AdapterConfig config;
  private final DriverContext core;
  private final PjsuaSettings settings;
  private final Supplier<? extends UserAgentBackend> backends;
  private final Map<String, String> refToCall = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> consultations = new ConcurrentHashMap<>();
  private final Set<String> slots = new HashSet<>(); // guarded by itself: refs holding a call slot
  private volatile UserAgentBackend backend;
  private volatile ExecutorService ops;
  private volatile Path caListFile;

  /**
   * Creates the driver on a backend.
   *
   * @param config the config
   * @param core what core offers the driver
   * @param backends makes one backend per connect
   */
  PjsuaDriver(
      AdapterConfig config, DriverContext core, Supplier<? extends UserAgentBackend> backends) {
    this.config = config;
    this.core = core;
    this.settings = PjsuaSettings.from(config);
    this.backends = backends;
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("2.16", "2.17");
  }

  /**
   * Returns the settings read from the config's options.
   *
   * @return the settings
   */
  PjsuaSettings settings() {
    return settings;
  }

  private String name() {
    return config.name();
  }

  private AdapterConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- connection

  @Override
  public void connect(ConnectTarget target) throws Exception {
    String threadName = "sipadapter-pjsua-ops-" + name();
    ExecutorService o =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    UserAgentBackend b = backends.get();
    CompletableFuture<Integer> registered = new CompletableFuture<>();
    Path ca = null;
    if (settings.transportType() == 3) {
      ca = TrustedCertificates.writePem(TrustedCertificates.of(config().tlsSettings()));
    }
    caListFile = ca;
    UserAgentBackend.Start start =
        new UserAgentBackend.Start(
            target.host(),
            target.port(),
            settings.transportType(),
            settings.publicAddress(),
            settings.idUri(),
            settings.registrar(),
            target.credentials().username(),
            target.credentials().secret(),
            settings.maxCalls(),
            settings.logLevel(),
            settings.userAgent(),
            ca == null ? "" : ca.toString(),
            true,
            settings.outboundProxy(),
            settings.srtpUse());
    long deadline = System.nanoTime() + target.connectTimeout().toNanos();
    try {
      Future<?> started =
          o.submit(
              () -> {
                b.start(start, new BackendEvents(b, registered));
                b.registerThread(threadName);
                return null;
              });
      started.get(remaining(deadline), TimeUnit.NANOSECONDS);
      if (!settings.registrar().isEmpty()) {
        int code = registered.get(remaining(deadline), TimeUnit.NANOSECONDS);
        if (code == 401 || code == 403 || code == 407) {
          throw new AuthenticationException(
              "registrar " + settings.registrar() + " refused the credentials (" + code + ")");
        }
        if (code / 100 != 2) {
          throw new AdapterConnectionException(
              "registration at " + settings.registrar() + " failed with " + code);
        }
      }
    } catch (ExecutionException e) {
      shutdown(b, o);
      Throwable cause = e.getCause();
      String why =
          cause instanceof LinkageError le ? Pjsua2Binding.loadFailure(le) : cause.getMessage();
      throw new AdapterConnectionException("pjsua did not start: " + why, cause);
    } catch (TimeoutException e) {
      shutdown(b, o);
      throw new AdapterTimeoutException(
          "pjsua did not start or register within " + target.connectTimeout());
    } catch (Exception e) {
      shutdown(b, o);
      throw e;
    }
    backend = b;
    ops = o;
    core.reportServerVersion(b.version());
    log.info(
        "[{}] pjsua {} user agent started on {}:{} ({}){}",
        name(),
        b.version(),
        target.host(),
        target.port(),
        settings.transport(),
        settings.registrar().isEmpty() ? "" : ", registered at " + settings.registrar());
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  @Override
  public void disconnect() {
    UserAgentBackend b = backend;
    ExecutorService o = ops;
    backend = null;
    ops = null;
    refToCall.clear();
    consultations.values().forEach(f -> f.completeExceptionally(new CallException("stopped")));
    consultations.clear();
    synchronized (slots) {
      slots.clear();
    }
    if (b != null && o != null) {
      shutdown(b, o);
      log.info("[{}] pjsua user agent stopped", name());
    }
  }

  /** Deletes what one start wrote; runs also when the start failed. */
  private void deleteCaListFile() {
    Path ca = caListFile;
    caListFile = null;
    if (ca != null) {
      try {
        Files.deleteIfExists(ca);
      } catch (IOException e) {
        log.warn("[{}] cannot delete {}: {}", name(), ca, e.toString());
      }
    }
  }

  /** Stops the library on its own thread, then ends that thread; bounded, never throws. */
  private void shutdown(UserAgentBackend b, ExecutorService o) {
    try {
      o.submit(b::stop).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("[{}] pjsua did not stop cleanly: {}", name(), e.toString());
    }
    deleteCaListFile();
    o.shutdownNow();
    try {
      if (!o.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("[{}] pjsua ops thread still running after 5 s", name());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- calls

  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    String ref = call.callId();
    String uri = toUri(call.to());
    String from = fromUri(call);
    Map<String, String> headers = new LinkedHashMap<>(call.options().headers());
    headers.put(MARKER_HEADER, core.callMarker(call));
    CallException full = reserveSlot(ref);
    if (full != null) {
      return CompletableFuture.failedFuture(full);
    }
    refToCall.put(ref, call.callId());
    core.bindServerId(call.callId(), REF, ref);
    return op("makeCall", b -> b.makeCall(ref, uri, from, headers))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                freeSlot(ref);
              }
            });
  }

  /** Takes a call slot for {@code ref}; returns the refusal if every slot is taken. */
  private CallException reserveSlot(String ref) {
    synchronized (slots) {
      if (slots.size() >= settings.maxCalls()) {
        return new CallException(
            "pjsua holds "
                + settings.maxCalls()
                + " calls at once (options.maxCalls) and all are in use; raise options.maxCalls up"
                + " to "
                + settings.capacity()
                + " (the media sockets of options.mediaHandles "
                + settings.mediaHandles()
                + ") and within pjproject's PJSUA_MAX_CALLS");
      }
      slots.add(ref);
      return null;
    }
  }

  private void freeSlot(String ref) {
    synchronized (slots) {
      slots.remove(ref);
    }
  }

  /**
   * Returns how many calls hold a pjsua call slot now.
   *
   * @return placed, arrived and consultation calls not yet disconnected
   */
  int callsInUse() {
    synchronized (slots) {
      return slots.size();
    }
  }

  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    return op("hangup", b -> b.hangup(ref(call), 0));
  }

  @Override
  public CompletableFuture<Void> answer(TrackedCall call) {
    return op("answer", b -> b.answer(ref(call), 200));
  }

  @Override
  public CompletableFuture<Void> reject(TrackedCall call, HangupCause cause) {
    // as documented: 486 Busy Here for USER_BUSY, 603 Decline for every other cause
    int status = cause.q850() == HangupCause.USER_BUSY.q850() ? 486 : 603;
    return op("reject", b -> b.hangup(ref(call), status));
  }

  @Override
  public CompletableFuture<Void> hold(TrackedCall call) {
    return op("hold", b -> b.hold(ref(call)));
  }

  @Override
  public CompletableFuture<Void> resume(TrackedCall call) {
    return op("resume", b -> b.unhold(ref(call)));
  }

  @Override
  public CompletableFuture<Void> sendDtmf(TrackedCall call, String digits) {
    return op("sendDtmf", b -> b.dialDtmf(ref(call), digits));
  }

  @Override
  public CompletableFuture<Void> transfer(TrackedCall call, String target) {
    String uri = toUri(target);
    return op("transfer", b -> b.transfer(ref(call), uri));
  }

  /**
   * Calls {@code target} on a consultation call of its own and, once that call is confirmed,
   * transfers {@code call} to it with {@code xferReplaces}.
   */
  @Override
  public CompletableFuture<Void> attendedTransfer(TrackedCall call, String target) {
    String ref = ref(call);
    String consultRef = "consult-" + UUID.randomUUID();
    CallException full = reserveSlot(consultRef);
    if (full != null) {
      return CompletableFuture.failedFuture(full);
    }
    CompletableFuture<Void> confirmed = new CompletableFuture<>();
    consultations.put(consultRef, confirmed);
    Duration ring = config().timeouts().ring();
    Map<String, String> headers = Map.of(MARKER_HEADER, core.callMarker(call));
    return op("attendedTransfer", b -> b.makeCall(consultRef, toUri(target), "", headers))
        .thenCompose(v -> confirmed.orTimeout(ring.toMillis(), TimeUnit.MILLISECONDS))
        .thenCompose(v -> op("attendedTransfer", b -> b.transferReplaces(ref, consultRef)))
        .whenComplete(
            (v, e) -> {
              if (e != null && consultations.remove(consultRef) != null) {
                op("attendedTransfer", b -> b.hangup(consultRef, 0))
                    .whenComplete((x, err) -> freeSlot(consultRef));
              }
            });
  }

  /**
   * Records what the call receives into {@code <options.recordingDirectory>/<fileName>} (with
   * {@code .wav} added when the name has no extension) through an {@code AudioMediaRecorder}.
   */
  @Override
  public CompletableFuture<Void> startRecording(TrackedCall call, String fileName) {
    Path file = recordingFile(fileName);
    return op("startRecording", b -> b.startRecording(ref(call), file));
  }

  @Override
  public CompletableFuture<Void> stopRecording(TrackedCall call) {
    return op("stopRecording", b -> b.stopRecording(ref(call)));
  }

  Path recordingFile(String fileName) {
    String name = fileName.contains(".") ? fileName : fileName + ".wav";
    return settings.recordingDirectory().resolve(name);
  }

  /**
   * Joins the calls in pjsua's conference bridge: each member's audio goes to every other member
   * ({@code startTransmit} both ways between every pair), so each hears the mix of the others. The
   * room is this adapter's only: pjsua has no named rooms, and a call ending leaves the bridge.
   */
  @Override
  public CompletableFuture<Void> conference(String room, List<TrackedCall> members) {
    List<String> refs = members.stream().map(PjsuaDriver::ref).toList();
    return op(
        "conference",
        b -> {
          for (String from : refs) {
            for (String to : refs) {
              if (!from.equals(to)) {
                b.connectAudio(from, to);
              }
            }
          }
        });
  }

  /** Connects the audio of two calls both ways in pjsua's conference bridge. */
  @Override
  public CompletableFuture<Void> bridge(TrackedCall a, TrackedCall b) {
    String refA = ref(a);
    String refB = ref(b);
    return op(
        "bridge",
        be -> {
          be.connectAudio(refA, refB);
          be.connectAudio(refB, refA);
        });
  }

  /** Asks the library for its transport state: it answers unless its worker is stuck. */
  @Override
  public void keepalive() throws Exception {
    long start = System.nanoTime();
    awaitOp(details("keepalive"));
    core.recordRequestLatency(System.nanoTime() - start);
  }

  /**
   * Transport, registration (active, last status, seconds to expiry) and calls in use against the
   * capacity; fails when the library does not answer within the request timeout or the account
   * configured with a registrar is not registered.
   */
  @Override
  public Map<String, Object> healthDetails() {
    Map<String, Object> d = new LinkedHashMap<>(awaitOp(details("health")));
    if (!settings.registrar().isEmpty() && !Boolean.TRUE.equals(d.get("registered"))) {
      throw new CallException(
          "not registered at " + settings.registrar() + ": " + d.get("registrationStatus"));
    }
    d.put("callsInUse", callsInUse());
    d.put("maxCalls", settings.maxCalls());
    d.put("capacity", settings.capacity());
    return d;
  }

  private CompletableFuture<Map<String, Object>> details(String what) {
    CompletableFuture<Map<String, Object>> out = new CompletableFuture<>();
    op(what, b -> out.complete(b.details()))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                out.completeExceptionally(e);
              }
            });
    return out;
  }

  private <T> T awaitOp(CompletableFuture<T> f) {
    Duration limit = config().timeouts().request();
    try {
      return f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AdapterTimeoutException("pjsua did not answer within " + limit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdapterConnectionException("interrupted");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re
          ? re
          : new CallException(e.getCause().getMessage(), e.getCause());
    }
  }

  private static String ref(TrackedCall call) {
    return call.serverId(REF)
        .orElseThrow(() -> new CallException("call " + call.callId() + " has no pjsua call"));
  }

  /** The wire here is a SIP URI and header: refuse what would break out of one. */
  @Override
  public void checkWire(WireField field, String value) {
    WireField.Kind kind = field.kind();
    if (kind == WireField.Kind.CALLER_ID_NAME) {
      InputGuard.check(field.toString(), value, "\"\\");
    } else if (kind == WireField.Kind.FILE_NAME) {
      // a name inside options.recordingDirectory, never a path out of it
      InputGuard.check(field.toString(), value, "/\\<>\" \t");
      if (value.startsWith(".")) {
        throw new IllegalArgumentException("fileName must not start with '.': " + value);
      }
    } else if (kind != WireField.Kind.HEADER && kind != WireField.Kind.HEADER_NAME) {
      InputGuard.check(field.toString(), value, "<>\" \t");
    }
  }

  String toUri(String to) {
    if (PjsuaSettings.isSipUri(to)) {
      return to;
    }
    return to.contains("@") ? "sip:" + to : "sip:" + to + "@" + settings.domain();
  }

  private String fromUri(TrackedCall call) {
    String number = call.options().callerIdNumber().orElse(call.from());
    String uri = toUri(number);
    return call.options().callerIdName().map(n -> "\"" + n + "\" <" + uri + ">").orElse(uri);
  }

  // ---------------------------------------------------------------- library thread

  /** A library call that may throw. */
  @FunctionalInterface
  private interface BackendCall {
    void run(UserAgentBackend backend) throws Exception;
  }

  /** Runs {@code action} on the ops thread; the future fails with CallException if pjsua threw. */
  private CompletableFuture<Void> op(String what, BackendCall action) {
    UserAgentBackend b = backend;
    ExecutorService o = ops;
    if (b == null || o == null) {
      return CompletableFuture.failedFuture(
          new AdapterConnectionException("the pjsua user agent is not started"));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      o.execute(
          () -> {
            try {
              action.run(b);
              done.complete(null);
            } catch (Exception e) {
              done.completeExceptionally(
                  e instanceof RuntimeException re && !(e instanceof UnsupportedOperationException)
                      ? re
                      : new CallException(what + ": pjsua refused: " + e.getMessage(), e));
            }
          });
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(new AdapterConnectionException("the pjsua user agent stopped"));
    }
    return done;
  }

  // ---------------------------------------------------------------- callbacks (pjsua worker)

  /** Maps pjsua's callbacks; runs on the worker thread and never blocks. */
  private final class BackendEvents implements UserAgentBackend.Events {
    private final UserAgentBackend owner;
    private final CompletableFuture<Integer> registered;

    BackendEvents(UserAgentBackend owner, CompletableFuture<Integer> registered) {
      this.owner = owner;
      this.registered = registered;
    }

    private boolean stale() {
      return backend != owner && registered.isDone();
    }

    @Override
    public void onCallState(String ref, UserAgentBackend.CallInfo info) {
      if (stale()) {
        return;
      }
      CompletableFuture<Void> consult = consultations.get(ref);
      if (consult != null) {
        if (info.state() == INV_CONFIRMED) {
          consult.complete(null);
        } else if (info.state() == INV_DISCONNECTED) {
          consultations.remove(ref);
          freeSlot(ref);
          consult.completeExceptionally(
              new CallException(
                  "consultation call ended: " + info.lastStatusCode() + " " + info.lastReason()));
          releaseLater(ref);
        }
        return;
      }
      String callId = refToCall.get(ref);
      if (callId == null) {
        return;
      }
      Map<String, String> ids = ids(ref, info);
      if (info.sipCallId() != null && !info.sipCallId().isEmpty()) {
        core.bindServerId(callId, SIP_CALL_ID, info.sipCallId());
      }
      log.debug(
          "[{}] {} {} {} {}",
          name(),
          callId,
          info.stateText(),
          info.lastStatusCode(),
          info.lastReason());
      switch (info.state()) {
        case INV_EARLY ->
            core.reportCallState(
                callId,
                info.lastStatusCode() == 183 ? CallState.EARLY_MEDIA : CallState.RINGING,
                null,
                ids);
        case INV_CONFIRMED -> core.reportCallState(callId, CallState.CONNECTED, null, ids);
        case INV_DISCONNECTED -> {
          core.reportCallEnded(
              callId, PjsuaCauses.of(info.lastStatusCode(), info.lastReason()), ids);
          refToCall.remove(ref);
          freeSlot(ref);
          releaseLater(ref);
        }
        // CALLING adds nothing (a call starts DIALING) and CONNECTING (answered, ACK pending) is
        // followed by CONFIRMED; reporting DIALING here would be refused after RINGING.
        default -> {}
      }
    }

    @Override
    public void onCallMediaState(String ref, int mediaStatus) {
      String callId = stale() ? null : refToCall.get(ref);
      if (callId == null) {
        return;
      }
      if (mediaStatus == MEDIA_LOCAL_HOLD || mediaStatus == MEDIA_REMOTE_HOLD) {
        core.reportCallState(callId, CallState.ON_HOLD, null, Map.of());
      } else if (mediaStatus == MEDIA_ACTIVE
          && core.findCall(callId).map(c -> c.state() == CallState.ON_HOLD).orElse(false)) {
        core.reportCallState(callId, CallState.CONNECTED, null, Map.of());
      }
    }

    @Override
    public void onIncomingCall(String ref, UserAgentBackend.CallInfo info) {
      if (stale()) {
        return;
      }
      // pjsua gave the call one of its UaConfig.maxCalls slots already
      synchronized (slots) {
        slots.add(ref);
      }
      // 180 first, on the ops thread, so an answer from a listener is queued after it
      op("ringing", b -> b.answer(ref, 180));
      String callId =
          core.reportIncomingCall(
              userOf(info.remoteUri()), userOf(info.localUri()), CallState.RINGING, ids(ref, info));
      refToCall.put(ref, callId);
      core.bindServerId(callId, REF, ref);
      core.bindServerId(callId, SIP_CALL_ID, info.sipCallId());
    }

    @Override
    public void onDtmfDigit(String ref, String digit) {
      String callId = stale() ? null : refToCall.get(ref);
      if (callId != null) {
        core.reportDtmf(callId, digit, Map.of(REF, ref));
      }
    }

    @Override
    public void onRegState(int code, String reason) {
      if (!registered.complete(code) && code / 100 != 2 && !stale()) {
        log.warn("[{}] registration refresh failed: {} {}", name(), code, reason);
        core.reportError(null, "registration failed: " + code + " " + reason, null);
      }
    }

    private void releaseLater(String ref) {
      op("release", b -> b.release(ref));
    }
  }

  private static Map<String, String> ids(String ref, UserAgentBackend.CallInfo info) {
    return Map.of(
        REF,
        ref,
        SLOT,
        Integer.toString(info.slot()),
        SIP_CALL_ID,
        info.sipCallId() == null ? "" : info.sipCallId());
  }

  /** The user part of a SIP URI or name-addr ({@code "A" <sip:3001@host>} gives 3001). */
  static String userOf(String uri) {
    if (uri == null) {
      return "";
    }
    String s = uri;
    int lt = s.indexOf('<');
    if (lt >= 0) {
      int gt = s.indexOf('>', lt);
      s = s.substring(lt + 1, gt > lt ? gt : s.length());
    }
    int colon = s.indexOf(':');
    int at = s.indexOf('@');
    if (colon >= 0 && at > colon) {
      return s.substring(colon + 1, at);
    }
    return s;
  }
}
