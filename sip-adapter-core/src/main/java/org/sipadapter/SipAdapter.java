package org.sipadapter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Credentials;
import org.sipadapter.config.HealthThresholds;
import org.sipadapter.config.Redaction;
import org.sipadapter.dispatch.EventDispatcher;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;
import org.sipadapter.metrics.AdapterMetrics;
import org.sipadapter.transport.Backoff;
import org.sipadapter.transport.Schedulers;
import org.sipadapter.transport.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to one telephony server, with the same API on every server.
 *
 * <p>The public operations are final: they check arguments and state, track calls, issue call ids
 * ({@code if://call/<uuid>}), count metrics, raise events and enforce timeouts, then call the
 * protected {@code do...} hooks that each adapter implements for its protocol. Adapters report what
 * the server says through the protected {@code report...} methods; this class applies the call
 * state table, so listeners see only legal sequences and exactly one terminal event per call, also
 * when the link drops or the adapter closes.
 *
 * <p>Threading: every public method is thread-safe. Blocking forms wait at most the configured
 * request timeout (or connect timeout); each has an {@code ...Async} form. Events reach listeners
 * on delivery threads, never on the caller's or the socket reader's thread. The futures of the
 * {@code ...Async} forms that wait for the server complete on the library's worker threads (never
 * on a socket reader or the shared timer), so callbacks chained on them may block.
 *
 * <p>Lifecycle: {@link #connect()} opens the link; when it drops, the adapter reconnects by itself
 * with backoff (if {@code reconnect.enabled}), restores its subscriptions and re-reads the active
 * calls; {@link #disconnect()} stops that and can be followed by another {@code connect()}; {@link
 * #close()} ends the adapter for good.
 */
public abstract class SipAdapter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SipAdapter.class);
  private static final String CALL_ID_PREFIX = "if://call/";
  private static final String DTMF_DIGITS = "0123456789*#ABCDabcd";

  private final AdapterConfig config;
  private final AdapterMetrics metrics = new AdapterMetrics();
  private final EventDispatcher dispatcher;
  private final Map<String, TrackedCall> calls = new ConcurrentHashMap<>();
  private final Map<String, String> serverIdIndex = new ConcurrentHashMap<>();
  private final LinkedHashMap<String, CallRecord> history = new LinkedHashMap<>();
  private final AtomicReference<ConnectionState> state =
      new AtomicReference<>(ConnectionState.DISCONNECTED);
  private final Object lifecycle = new Object();
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final Backoff backoff;
  private final TlsContext tlsContext;

  private volatile ConnectTarget target;
  private volatile String serverVersion = "";
  private volatile ScheduledFuture<?> keepaliveTask;
  private volatile ScheduledFuture<?> reconnectTask;
  private volatile int reconnectGeneration;

  /**
   * Creates the adapter. Does not connect.
   *
   * @param config the validated config (see {@link SipAdapters})
   * @throws org.sipadapter.ConfigurationException if TLS is on and its trust store cannot be opened
   */
  protected SipAdapter(AdapterConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    // Built once: every connect and reconnect reuses the same trust material.
    this.tlsContext = TlsContext.create(config.tlsSettings());
    this.dispatcher = new EventDispatcher(config.name(), config.events(), metrics);
    this.backoff = Backoff.of(config.reconnect());
  }

  // ---------------------------------------------------------------- identity

  /**
   * Returns the adapter's type name.
   *
   * @return the provider's type, such as {@code asterisk}
   */
  public final String type() {
    return config.type();
  }

  /**
   * Returns the adapter's name.
   *
   * @return the configured name, used in logs, metrics and events
   */
  public final String name() {
    return config.name();
  }

  /**
   * Returns the adapter's config.
   *
   * @return the immutable config
   */
  public final AdapterConfig config() {
    return config;
  }

  /**
   * Returns the optional operations this adapter offers. The others throw {@link
   * UnsupportedFeatureException}.
   *
   * @return the features
   */
  public abstract Set<Feature> features();

  /**
   * Returns the server versions this adapter is built and tested for.
   *
   * @return version ranges, such as {@code ["16", "18", "20", "22"]}
   */
  public abstract List<String> supportedVersions();

  /**
   * Returns the version the connected server reported.
   *
   * @return the version, empty before the first connect or when the protocol does not tell
   */
  public final Optional<String> serverVersion() {
    return serverVersion.isEmpty() ? Optional.empty() : Optional.of(serverVersion);
  }

  /**
   * Returns the link's state.
   *
   * @return the current state
   */
  public final ConnectionState connectionState() {
    return state.get();
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Connects with the host, port and credentials of the config. Returns when logged in. Does
   * nothing if already connected.
   *
   * @throws AuthenticationException if the server refused the credentials (no retry follows)
   * @throws AdapterConnectionException if the server cannot be reached or the login fails
   * @throws IllegalStateException if the adapter is closed
   */
  public final void connect() {
    connect(config.host(), config.port(), config.auth());
  }

  /**
   * Connects to the given server. Returns when logged in. Does nothing if already connected.
   *
   * @param host the server's host
   * @param port the server's port
   * @param auth the credentials
   * @throws AuthenticationException if the server refused the credentials (no retry follows)
   * @throws AdapterConnectionException if the server cannot be reached or the login fails
   * @throws IllegalStateException if the adapter is closed
   */
  public final void connect(String host, int port, Credentials auth) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(auth, "auth");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
    }
    synchronized (lifecycle) {
      ConnectionState now = state.get();
      if (now == ConnectionState.CLOSED) {
        throw new IllegalStateException("[" + name() + "] adapter is closed");
      }
      if (now == ConnectionState.CONNECTED) {
        return;
      }
      cancelReconnect();
      if (now == ConnectionState.RECONNECTING) {
        safeDisconnectHook();
      }
      target =
          new ConnectTarget(
              host,
              port,
              auth,
              config.tls(),
              config.timeouts().connect(),
              config.timeouts().request(),
              tlsContext);
      moveTo(ConnectionState.CONNECTING, "connecting to " + host + ":" + port);
      try {
        doConnect(target);
      } catch (Exception e) {
        safeDisconnectHook();
        RuntimeException mapped = connectFailure(e, host, port);
        moveTo(ConnectionState.ERROR, mapped.getMessage());
        throw mapped;
      }
      moveTo(ConnectionState.CONNECTED, "connected to " + host + ":" + port);
      log.info("[{}] connected to {}:{} {}", name(), host, port, serverVersion);
      startKeepalive();
    }
  }

  /**
   * Closes the link and stops reconnecting. Calls still tracked end with a terminal {@code
   * DISCONNECTED} event (cause text {@code adapter disconnected}); they are not hung up on the
   * server. {@link #connect()} may follow. Does nothing if not connected.
   */
  public final void disconnect() {
    synchronized (lifecycle) {
      ConnectionState now = state.get();
      if (now == ConnectionState.CLOSED || now == ConnectionState.DISCONNECTED) {
        return;
      }
      stopBackgroundTasks();
      safeDisconnectHook();
      failInFlight("the adapter was disconnected");
      endAllCalls(
          HangupCause.ADAPTER_CLOSED.withText("adapter disconnected"), CallState.DISCONNECTED);
      moveTo(ConnectionState.DISCONNECTED, "disconnected on request");
      log.info("[{}] disconnected", name());
    }
  }

  /**
   * Disconnects, delivers the remaining events (up to two seconds) and releases the adapter's
   * threads. The adapter cannot be used afterwards. Idempotent.
   */
  @Override
  public final void close() {
    synchronized (lifecycle) {
      if (state.get() == ConnectionState.CLOSED) {
        return;
      }
      stopBackgroundTasks();
      safeDisconnectHook();
      failInFlight("the adapter was closed");
      endAllCalls(HangupCause.ADAPTER_CLOSED, CallState.DISCONNECTED);
      moveTo(ConnectionState.CLOSED, "closed");
      try {
        doClose();
      } catch (RuntimeException e) {
        log.warn("[{}] releasing resources failed", name(), e);
      }
    }
    dispatcher.close(Duration.ofSeconds(2));
    log.info("[{}] closed", name());
  }

  // ---------------------------------------------------------------- calls

  /**
   * Places a call with default options and waits until the server accepted it.
   *
   * @param from the caller (number or URI, as the adapter documents)
   * @param to the destination
   * @return the call id; follow the call through events or {@link #getStatus}
   * @throws IllegalArgumentException if {@code from} or {@code to} is blank or holds characters the
   *     protocol forbids
   * @throws AdapterConnectionException if not connected
   * @throws AdapterTimeoutException if the server did not accept the call in time
   * @throws CallException if the server refused the call
   */
  public final String makeCall(String from, String to) {
    return makeCall(from, to, CallOptions.DEFAULTS);
  }

  /**
   * Places a call and waits until the server accepted it. The call is tracked from this moment: a
   * {@code DIALING} event comes first, a terminal event last.
   *
   * @param from the caller
   * @param to the destination
   * @param options per-call settings
   * @return the call id
   * @throws IllegalArgumentException on bad input (nothing is sent)
   * @throws AdapterConnectionException if not connected
   * @throws AdapterTimeoutException if the server did not accept the call in time
   * @throws CallException if the server refused the call
   */
  public final String makeCall(String from, String to, CallOptions options) {
    return await(makeCallAsync(from, to, options));
  }

  /**
   * Places a call without waiting.
   *
   * @param from the caller
   * @param to the destination
   * @param options per-call settings
   * @return a future completed with the call id when the server accepted the call
   * @throws IllegalArgumentException on bad input (nothing is sent)
   */
  public final CompletableFuture<String> makeCallAsync(
      String from, String to, CallOptions options) {
    Objects.requireNonNull(options, "options");
    checkWire("from", from, true);
    checkWire("to", to, true);
    options.callerIdName().ifPresent(v -> checkWire("callerIdName", v, false));
    options.callerIdNumber().ifPresent(v -> checkWire("callerIdNumber", v, true));
    options
        .variables()
        .forEach(
            (k, v) -> {
              checkWire("variable name", k, true);
              checkWire("variable " + k, v, false);
            });
    options
        .headers()
        .forEach(
            (k, v) -> {
              checkHeaderName(k);
              checkWire("header " + k, v, false);
            });
    if (!features().contains(Feature.OUTBOUND_CALLS)) {
      return CompletableFuture.failedFuture(unsupportedFeature(Feature.OUTBOUND_CALLS));
    }
    CompletableFuture<String> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    String callId = CALL_ID_PREFIX + UUID.randomUUID();
    TrackedCall call =
        new TrackedCall(callId, CallDirection.OUTBOUND, from, to, options, CallState.DIALING);
    calls.put(callId, call);
    metrics.callAttempted();
    emit(
        new CallStateChanged(
            name(), type(), Instant.now(), callId, null, CallState.DIALING, null, Map.of()));
    Duration ring = options.timeout().orElse(config.timeouts().ring());
    call.ringTimer =
        Schedulers.timer()
            .schedule(
                // The hangup hook may write to a socket: run it off the shared timer.
                () -> Schedulers.blocking().execute(() -> onRingTimeout(call, ring)),
                ring.toNanos(),
                TimeUnit.NANOSECONDS);
    return timed("makeCall", () -> doMakeCall(call))
        .handle(
            (v, error) -> {
              if (error != null) {
                Throwable e = unwrap(error);
                reportCallEnded(
                    callId,
                    HangupCause.NORMAL_TEMPORARY_FAILURE.withText(e.getMessage()),
                    Map.of());
                throw new CompletionException(e);
              }
              return callId;
            });
  }

  /**
   * Hangs a call up and waits until the server accepted the request. The terminal event follows
   * when the server reports the end. Hanging up a call that already ended does nothing.
   *
   * @param callId the call
   * @throws CallNotFoundException if the id was never issued by this adapter
   * @throws AdapterConnectionException if not connected
   * @throws AdapterTimeoutException if the server did not answer in time
   */
  public final void hangup(String callId) {
    await(hangupAsync(callId));
  }

  /**
   * Hangs a call up without waiting.
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> hangupAsync(String callId) {
    Objects.requireNonNull(callId, "callId");
    TrackedCall call = calls.get(callId);
    if (call == null) {
      synchronized (history) {
        if (history.containsKey(callId)) {
          return CompletableFuture.completedFuture(null);
        }
      }
      return CompletableFuture.failedFuture(unknownCall(callId));
    }
    CompletableFuture<Void> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    call.hangupRequested = true;
    return timed("hangup", () -> doHangup(call, HangupCause.NORMAL_CLEARING))
        .thenRun(() -> endIfServerStaysSilent(call, HangupCause.NORMAL_CLEARING));
  }

  /**
   * Returns a call's status: live for tracked calls, from the record for recently ended ones.
   *
   * @param callId the call
   * @return the status
   * @throws CallNotFoundException if the id is unknown or its record has been dropped from history
   */
  public final CallStatus getStatus(String callId) {
    Objects.requireNonNull(callId, "callId");
    TrackedCall call = calls.get(callId);
    if (call != null) {
      return call.status();
    }
    CallRecord r;
    synchronized (history) {
      r = history.get(callId);
    }
    if (r == null) {
      throw unknownCall(callId);
    }
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

  /**
   * Asks the server for a call's state (where the adapter can, such as AMI {@code Status}), applies
   * what changed, and returns the status. A call the server no longer has ends with its terminal
   * event. For an ended call it returns the record, like {@link #getStatus}.
   *
   * @param callId the call
   * @return the status after the check
   * @throws CallNotFoundException if the id is unknown
   * @throws AdapterConnectionException if not connected
   * @throws AdapterTimeoutException if the server did not answer in time
   */
  public final CallStatus refreshStatus(String callId) {
    return await(refreshStatusAsync(callId));
  }

  /**
   * Asks the server for a call's state without waiting.
   *
   * @param callId the call
   * @return a future with the status after the check
   */
  public final CompletableFuture<CallStatus> refreshStatusAsync(String callId) {
    Objects.requireNonNull(callId, "callId");
    TrackedCall call = calls.get(callId);
    if (call == null) {
      try {
        return CompletableFuture.completedFuture(getStatus(callId));
      } catch (CallNotFoundException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    CompletableFuture<CallStatus> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    return timed("refreshStatus", () -> doRefreshStatus(call)).thenApply(v -> getStatus(callId));
  }

  /**
   * Returns every call not yet in a terminal state, both directions.
   *
   * @return snapshots, oldest first
   */
  public final List<CallStatus> activeCalls() {
    List<CallStatus> out = new ArrayList<>();
    for (TrackedCall c : calls.values()) {
      out.add(c.status());
    }
    out.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
    return out;
  }

  /**
   * Returns the records of finished calls, up to {@code historySize} of the most recent.
   *
   * @return records, oldest first
   */
  public final List<CallRecord> callHistory() {
    synchronized (history) {
      return List.copyOf(history.values());
    }
  }

  // ---------------------------------------------------------------- optional features

  /**
   * Answers an inbound call. See {@link Feature#ANSWER}.
   *
   * @param callId the call
   */
  public final void answer(String callId) {
    await(answerAsync(callId));
  }

  /**
   * Answers an inbound call without waiting.
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> answerAsync(String callId) {
    return onCall(Feature.ANSWER, callId, this::doAnswer);
  }

  /**
   * Rejects an inbound call. See {@link Feature#REJECT}.
   *
   * @param callId the call
   * @param cause the cause to send, such as {@link HangupCause#CALL_REJECTED}
   */
  public final void reject(String callId, HangupCause cause) {
    await(rejectAsync(callId, cause));
  }

  /**
   * Rejects an inbound call without waiting.
   *
   * @param callId the call
   * @param cause the cause to send
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> rejectAsync(String callId, HangupCause cause) {
    Objects.requireNonNull(cause, "cause");
    return onCall(
        Feature.REJECT,
        callId,
        c -> {
          c.hangupRequested = true;
          return doReject(c, cause);
        });
  }

  /**
   * Transfers a call blind to another destination. See {@link Feature#TRANSFER}.
   *
   * @param callId the call
   * @param target the destination (extension, number or URI)
   */
  public final void transfer(String callId, String target) {
    await(transferAsync(callId, target));
  }

  /**
   * Transfers a call blind without waiting.
   *
   * @param callId the call
   * @param target the destination
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> transferAsync(String callId, String target) {
    checkWire("target", target, true);
    return onCall(Feature.TRANSFER, callId, c -> doTransfer(c, target));
  }

  /**
   * Starts an attended transfer of a call to a destination. See {@link Feature#ATTENDED_TRANSFER}.
   *
   * @param callId the call
   * @param target the destination
   */
  public final void attendedTransfer(String callId, String target) {
    await(attendedTransferAsync(callId, target));
  }

  /**
   * Starts an attended transfer without waiting.
   *
   * @param callId the call
   * @param target the destination
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> attendedTransferAsync(String callId, String target) {
    checkWire("target", target, true);
    return onCall(Feature.ATTENDED_TRANSFER, callId, c -> doAttendedTransfer(c, target));
  }

  /**
   * Puts a call on hold. See {@link Feature#HOLD}.
   *
   * @param callId the call
   */
  public final void hold(String callId) {
    await(holdAsync(callId));
  }

  /**
   * Puts a call on hold without waiting.
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> holdAsync(String callId) {
    return onCall(Feature.HOLD, callId, this::doHold);
  }

  /**
   * Takes a call off hold. See {@link Feature#HOLD}.
   *
   * @param callId the call
   */
  public final void resume(String callId) {
    await(resumeAsync(callId));
  }

  /**
   * Takes a call off hold without waiting.
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> resumeAsync(String callId) {
    return onCall(Feature.HOLD, callId, this::doResume);
  }

  /**
   * Starts recording a call. See {@link Feature#RECORDING}.
   *
   * @param callId the call
   * @param fileName where the server writes the recording (a path on the server)
   */
  public final void startRecording(String callId, String fileName) {
    await(startRecordingAsync(callId, fileName));
  }

  /**
   * Starts recording without waiting.
   *
   * @param callId the call
   * @param fileName where the server writes the recording
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> startRecordingAsync(String callId, String fileName) {
    checkWire("fileName", fileName, true);
    return onCall(Feature.RECORDING, callId, c -> doStartRecording(c, fileName));
  }

  /**
   * Stops recording a call.
   *
   * @param callId the call
   */
  public final void stopRecording(String callId) {
    await(stopRecordingAsync(callId));
  }

  /**
   * Stops recording without waiting.
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> stopRecordingAsync(String callId) {
    return onCall(Feature.RECORDING, callId, this::doStopRecording);
  }

  /**
   * Sends DTMF digits on a call. See {@link Feature#SEND_DTMF}.
   *
   * @param callId the call
   * @param digits one or more of {@code 0-9 * # A-D}
   */
  public final void sendDtmf(String callId, String digits) {
    await(sendDtmfAsync(callId, digits));
  }

  /**
   * Sends DTMF digits without waiting.
   *
   * @param callId the call
   * @param digits one or more of {@code 0-9 * # A-D}
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> sendDtmfAsync(String callId, String digits) {
    Objects.requireNonNull(digits, "digits");
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("digits must not be empty");
    }
    for (int i = 0; i < digits.length(); i++) {
      if (DTMF_DIGITS.indexOf(digits.charAt(i)) < 0) {
        throw new IllegalArgumentException(
            "digits may hold only 0-9, *, # and A-D; found '" + digits.charAt(i) + "'");
      }
    }
    return onCall(Feature.SEND_DTMF, callId, c -> doSendDtmf(c, digits));
  }

  /**
   * Joins calls into a conference room, creating it if needed. See {@link Feature#CONFERENCE}.
   *
   * @param room the room's name
   * @param callIds the calls to join
   */
  public final void conference(String room, String... callIds) {
    await(conferenceAsync(room, callIds));
  }

  /**
   * Joins calls into a conference room without waiting.
   *
   * @param room the room's name
   * @param callIds the calls to join, at least one
   * @return a future completed when the server accepted every request
   */
  public final CompletableFuture<Void> conferenceAsync(String room, String... callIds) {
    checkWire("room", room, true);
    if (callIds.length == 0) {
      throw new IllegalArgumentException("conference needs at least one call");
    }
    if (!features().contains(Feature.CONFERENCE)) {
      return CompletableFuture.failedFuture(unsupportedFeature(Feature.CONFERENCE));
    }
    List<TrackedCall> members = new ArrayList<>();
    for (String id : callIds) {
      TrackedCall c = calls.get(Objects.requireNonNull(id, "callId"));
      if (c == null) {
        return CompletableFuture.failedFuture(unknownCall(id));
      }
      members.add(c);
    }
    CompletableFuture<Void> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    return timed("conference", () -> doConference(room, List.copyOf(members)));
  }

  /**
   * Bridges two calls together. See {@link Feature#BRIDGE}.
   *
   * @param callIdA the first call
   * @param callIdB the second call
   */
  public final void bridge(String callIdA, String callIdB) {
    await(bridgeAsync(callIdA, callIdB));
  }

  /**
   * Bridges two calls without waiting.
   *
   * @param callIdA the first call
   * @param callIdB the second call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> bridgeAsync(String callIdA, String callIdB) {
    Objects.requireNonNull(callIdB, "callIdB");
    return onCall(
        Feature.BRIDGE,
        callIdA,
        a -> {
          TrackedCall b = calls.get(callIdB);
          if (b == null) {
            return CompletableFuture.failedFuture(unknownCall(callIdB));
          }
          return doBridge(a, b);
        });
  }

  // ---------------------------------------------------------------- listeners, health, metrics

  /**
   * Registers a listener for every event.
   *
   * @param listener the listener
   * @return a handle whose {@code close()} unregisters it
   */
  public final ListenerRegistration addListener(SipAdapterListener listener) {
    return dispatcher.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Unregisters a listener.
   *
   * @param listener the listener
   * @return true if it was registered
   */
  public final boolean removeListener(SipAdapterListener listener) {
    return dispatcher.remove(listener);
  }

  /**
   * Registers a handler for one kind of event.
   *
   * @param type the event class, such as {@code CallStateChanged.class}
   * @param handler receives events of that class
   * @param <E> the event type
   * @return a handle whose {@code close()} unregisters it
   */
  public final <E extends AdapterEvent> ListenerRegistration on(
      Class<E> type, Consumer<? super E> handler) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    return addListener(
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent event) {
            if (type.isInstance(event)) {
              handler.accept(type.cast(event));
            }
          }

          @Override
          public String toString() {
            return "handler of " + type.getSimpleName() + " " + handler;
          }
        });
  }

  /**
   * Returns the adapter's counters now.
   *
   * @return a snapshot
   */
  public final MetricsSnapshot metrics() {
    return metrics.snapshot(calls.size());
  }

  /**
   * Checks the adapter's health from its link state, counters and the server's own report (where
   * the adapter asks the server, such as a version or uptime call). Never throws and never contains
   * a secret.
   *
   * @return the report
   */
  public final HealthReport healthCheck() {
    MetricsSnapshot m = metrics();
    HealthThresholds t = config.health();
    List<String> reasons = new ArrayList<>();
    HealthStatus status = HealthStatus.HEALTHY;
    ConnectionState link = state.get();
    if (link != ConnectionState.CONNECTED) {
      status = HealthStatus.CRITICAL;
      reasons.add("not connected (" + link + ")");
    }
    long finished = m.callsSucceeded() + m.callsFailed();
    if (finished >= t.minCallsForRate()) {
      if (m.successRate() < t.criticalSuccessRate()) {
        status = HealthStatus.CRITICAL;
        reasons.add(
            String.format(
                "call success rate %.2f below %.2f", m.successRate(), t.criticalSuccessRate()));
      } else if (m.successRate() < t.degradedSuccessRate()) {
        status = worse(status, HealthStatus.DEGRADED);
        reasons.add(
            String.format(
                "call success rate %.2f below %.2f", m.successRate(), t.degradedSuccessRate()));
      }
    }
    double latency = m.requestLatency().avgMs();
    if (latency > t.degradedLatencyMs()) {
      status = worse(status, HealthStatus.DEGRADED);
      reasons.add(
          String.format(
              "average request latency %.1f ms above %d ms", latency, t.degradedLatencyMs()));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    if (link == ConnectionState.CONNECTED) {
      try {
        details.putAll(doHealthDetails());
      } catch (RuntimeException e) {
        status = worse(status, HealthStatus.DEGRADED);
        reasons.add("server check failed: " + redact(e.getMessage()));
      }
    }
    return new HealthReport(
        name(),
        type(),
        status,
        link,
        serverVersion,
        m.successRate(),
        latency,
        m.activeCalls(),
        reasons,
        Redaction.redactOptions(details),
        Instant.now());
  }

  // ---------------------------------------------------------------- hooks for adapters

  /**
   * Opens the link, logs in and subscribes to events. Blocking; must honour {@code
   * target.connectTimeout()} and {@code target.requestTimeout()}. Called for {@link #connect()} and
   * for every reconnect attempt (after {@link #doDisconnect()} cleaned up the old link).
   *
   * @param target where to connect and with which credentials
   * @throws AuthenticationException if the server refused the credentials
   * @throws Exception for anything else; the adapter reports it as a connection failure
   */
  protected abstract void doConnect(ConnectTarget target) throws Exception;

  /**
   * Closes the link (logging off where the protocol asks for it) and fails in-flight requests. Must
   * not block for long and must not throw. Called also when no link is open.
   */
  protected abstract void doDisconnect();

  /**
   * Places an outbound call. The call is already tracked in {@code DIALING}; report its progress
   * with {@link #reportCallState}/{@link #reportCallEnded}.
   *
   * @param call the call, with its id, from, to and options
   * @return a future completed when the server accepted the request
   */
  protected abstract CompletableFuture<Void> doMakeCall(TrackedCall call);

  /**
   * Ends a call on the server.
   *
   * @param call the call
   * @param cause the cause to send where the protocol takes one
   * @return a future completed when the server accepted the request
   */
  protected abstract CompletableFuture<Void> doHangup(TrackedCall call, HangupCause cause);

  /**
   * Answers an inbound call.
   *
   * @param call the call
   * @return completion of the request
   */
  protected CompletableFuture<Void> doAnswer(TrackedCall call) {
    return unsupported(Feature.ANSWER);
  }

  /**
   * Rejects an inbound call.
   *
   * @param call the call
   * @param cause the cause to send
   * @return completion of the request
   */
  protected CompletableFuture<Void> doReject(TrackedCall call, HangupCause cause) {
    return unsupported(Feature.REJECT);
  }

  /**
   * Blind transfer.
   *
   * @param call the call
   * @param target the destination, checked by {@link #validateWireInput}
   * @return completion of the request
   */
  protected CompletableFuture<Void> doTransfer(TrackedCall call, String target) {
    return unsupported(Feature.TRANSFER);
  }

  /**
   * Attended transfer.
   *
   * @param call the call
   * @param target the destination
   * @return completion of the request
   */
  protected CompletableFuture<Void> doAttendedTransfer(TrackedCall call, String target) {
    return unsupported(Feature.ATTENDED_TRANSFER);
  }

  /**
   * Hold.
   *
   * @param call the call
   * @return completion of the request
   */
  protected CompletableFuture<Void> doHold(TrackedCall call) {
    return unsupported(Feature.HOLD);
  }

  /**
   * Resume from hold.
   *
   * @param call the call
   * @return completion of the request
   */
  protected CompletableFuture<Void> doResume(TrackedCall call) {
    return unsupported(Feature.HOLD);
  }

  /**
   * Start recording.
   *
   * @param call the call
   * @param fileName the file on the server
   * @return completion of the request
   */
  protected CompletableFuture<Void> doStartRecording(TrackedCall call, String fileName) {
    return unsupported(Feature.RECORDING);
  }

  /**
   * Stop recording.
   *
   * @param call the call
   * @return completion of the request
   */
  protected CompletableFuture<Void> doStopRecording(TrackedCall call) {
    return unsupported(Feature.RECORDING);
  }

  /**
   * Send DTMF.
   *
   * @param call the call
   * @param digits validated digits
   * @return completion of the request
   */
  protected CompletableFuture<Void> doSendDtmf(TrackedCall call, String digits) {
    return unsupported(Feature.SEND_DTMF);
  }

  /**
   * Join calls into a room.
   *
   * @param room the room's name
   * @param members the calls
   * @return completion of the request
   */
  protected CompletableFuture<Void> doConference(String room, List<TrackedCall> members) {
    return unsupported(Feature.CONFERENCE);
  }

  /**
   * Bridge two calls.
   *
   * @param a the first call
   * @param b the second call
   * @return completion of the request
   */
  protected CompletableFuture<Void> doBridge(TrackedCall a, TrackedCall b) {
    return unsupported(Feature.BRIDGE);
  }

  /**
   * After a reconnect, reads the calls the server has now. Tracked calls missing from the answer
   * get their terminal event; the others are updated to the reported state. Calls the adapter does
   * not know are for it to report (with {@link #reportIncomingCall}).
   *
   * @return the server's calls matched to call ids, or empty if the adapter cannot resync (then
   *     tracked calls stay as they are)
   * @throws Exception if the server cannot be asked; the link is treated as lost again
   */
  protected Optional<List<CallSnapshot>> doResync() throws Exception {
    return Optional.empty();
  }

  /**
   * Checks that the server still answers (AMI Ping, ESL api status, an RPC version call). Called
   * every {@code timeouts.keepalive} while connected, on a background thread; blocking up to the
   * request timeout is fine.
   *
   * @throws Exception if the server did not answer; the link is then treated as lost
   */
  protected void doKeepalive() throws Exception {}

  /**
   * Returns server-side facts for the health report (uptime, counters). Called only while
   * connected. Blocking up to the request timeout is fine.
   *
   * @return details, never secrets
   */
  protected Map<String, Object> doHealthDetails() {
    return Map.of();
  }

  /**
   * Says why the adapter lacks a feature, for the {@link UnsupportedFeatureException} message (a
   * proxy cannot record media, say).
   *
   * @param feature a feature missing from {@link #features()}
   * @return the reason, or empty for none
   */
  protected Optional<String> unsupportedReason(Feature feature) {
    return Optional.empty();
  }

  /**
   * Asks the server for a tracked call's current state and reports what changed with {@link
   * #reportCallState} or {@link #reportCallEnded} (a call the server no longer has ends). The
   * default does nothing: the tracked state is all the adapter knows.
   *
   * @param call the call
   * @return completion of the check
   */
  protected CompletableFuture<Void> doRefreshStatus(TrackedCall call) {
    return CompletableFuture.completedFuture(null);
  }

  /** Releases what the adapter holds beyond the link (HTTP clients, executors). */
  protected void doClose() {}

  /**
   * Checks a user string that goes onto the wire. The default refuses CR, LF, NUL and other control
   * characters; adapters extend it with their protocol's separators (and call super).
   *
   * @param field the value's name, for the message
   * @param value the value
   * @throws IllegalArgumentException if the value would break or inject into the protocol
   */
  protected void validateWireInput(String field, String value) {
    InputGuard.check(field, value);
  }

  // ---------------------------------------------------------------- reports from adapters

  /**
   * Reports a call's new state as the server said it. Moves the table does not allow are refused,
   * logged and counted; repeating the current state does nothing. A terminal state ends the call
   * (see {@link #reportCallEnded} for how the terminal state is chosen).
   *
   * @param callId the call id
   * @param newState the state
   * @param cause why the call ended, for terminal states (null gives NORMAL_CLEARING)
   * @param serverIds server ids to merge into the call (may be empty)
   */
  protected final void reportCallState(
      String callId, CallState newState, HangupCause cause, Map<String, String> serverIds) {
    TrackedCall call = calls.get(callId);
    if (call == null) {
      log.debug("[{}] state {} for unknown or ended call {}", name(), newState, callId);
      return;
    }
    if (newState.isTerminal()) {
      end(call, newState, cause == null ? HangupCause.NORMAL_CLEARING : cause, serverIds);
      return;
    }
    synchronized (call) {
      mergeIds(call, serverIds);
      CallState prev = call.state;
      if (prev == newState || prev.isTerminal()) {
        return;
      }
      if (!prev.canMoveTo(newState)) {
        metrics.transitionRejected();
        log.warn("[{}] refused state change {} -> {} for {}", name(), prev, newState, callId);
        return;
      }
      call.state = newState;
      if (newState.isAnswered() && call.answeredAt == null) {
        call.answeredAt = Instant.now();
        cancelRingTimer(call);
        if (call.direction() == CallDirection.OUTBOUND) {
          metrics.callSucceeded(System.nanoTime() - call.createdNanos());
        }
      }
      emit(
          new CallStateChanged(
              name(), type(), Instant.now(), callId, prev, newState, null, call.serverIds()));
    }
  }

  /**
   * Reports that a call ended. The terminal state is chosen here so it is the same on every server:
   * {@code DISCONNECTED} if the call was answered or a hangup was asked for, else {@code FAILED}; a
   * call that hit its ring timeout ends {@code FAILED} with {@code NO_ANSWER}. Reporting the end of
   * an ended call does nothing.
   *
   * @param callId the call id
   * @param cause the server's cause
   * @param serverIds server ids to merge (may be empty)
   */
  protected final void reportCallEnded(
      String callId, HangupCause cause, Map<String, String> serverIds) {
    TrackedCall call = calls.get(callId);
    if (call != null) {
      end(call, null, Objects.requireNonNull(cause, "cause"), serverIds);
    }
  }

  /**
   * Reports a call that arrived from outside. Raises {@link IncomingCall} and then a first {@link
   * CallStateChanged} to {@code initialState}.
   *
   * @param from the caller as the server reports it
   * @param to the destination
   * @param initialState usually {@code RINGING}; {@code CONNECTED} for calls found already up
   * @param serverIds the server's ids for the call
   * @return the call id issued for it
   */
  protected final String reportIncomingCall(
      String from, String to, CallState initialState, Map<String, String> serverIds) {
    if (initialState.isTerminal()) {
      throw new IllegalArgumentException("an incoming call cannot start " + initialState);
    }
    String callId = CALL_ID_PREFIX + UUID.randomUUID();
    TrackedCall call =
        new TrackedCall(
            callId,
            CallDirection.INBOUND,
            from == null ? "" : from,
            to == null ? "" : to,
            CallOptions.DEFAULTS,
            initialState);
    synchronized (call) {
      mergeIds(call, serverIds);
      if (initialState.isAnswered()) {
        call.answeredAt = Instant.now();
      }
      calls.put(callId, call);
      metrics.incomingCall();
      emit(
          new IncomingCall(
              name(), type(), Instant.now(), callId, call.from(), call.to(), call.serverIds()));
      emit(
          new CallStateChanged(
              name(), type(), Instant.now(), callId, null, initialState, null, call.serverIds()));
    }
    return callId;
  }

  /**
   * Reports a DTMF digit received on a call.
   *
   * @param callId the call id
   * @param digit the digit
   * @param serverIds the server's ids (may be empty)
   */
  protected final void reportDtmf(String callId, String digit, Map<String, String> serverIds) {
    if (calls.containsKey(callId)) {
      emit(new DtmfReceived(name(), type(), Instant.now(), callId, digit, serverIds));
    }
  }

  /**
   * Passes on a raw server event outside the unified model.
   *
   * @param callId the call it concerns, or null
   * @param eventName the server's event name
   * @param fields its fields (values with secret-looking keys must be left out by the adapter)
   */
  protected final void reportServerEvent(
      String callId, String eventName, Map<String, String> fields) {
    emit(new ServerEvent(name(), type(), Instant.now(), callId, eventName, fields));
  }

  /**
   * Reports a background error (a malformed frame, an unmappable event).
   *
   * @param callId the call it concerns, or null
   * @param message what happened
   * @param error the exception, or null
   */
  protected final void reportError(String callId, String message, Throwable error) {
    emit(new AdapterError(name(), type(), Instant.now(), callId, message, error));
  }

  /**
   * Reports that the link dropped by itself. If the adapter was connected, it moves to {@code
   * RECONNECTING} and reconnects with backoff (or to {@code ERROR}, ending every call, when
   * reconnect is off). Safe to call from the reader thread; returns at once.
   *
   * @param cause why the link dropped
   */
  protected final void reportConnectionLost(Throwable cause) {
    String why = redact(cause == null ? "link lost" : String.valueOf(cause.getMessage()));
    if (config.reconnect().enabled()) {
      if (state.compareAndSet(ConnectionState.CONNECTED, ConnectionState.RECONNECTING)) {
        log.warn("[{}] connection lost ({}); reconnecting", name(), why);
        announce(
            ConnectionState.CONNECTED, ConnectionState.RECONNECTING, "connection lost: " + why);
        stopKeepalive();
        failInFlight("connection lost: " + why);
        scheduleReconnect(1, reconnectGeneration);
      }
    } else if (state.compareAndSet(ConnectionState.CONNECTED, ConnectionState.ERROR)) {
      log.warn("[{}] connection lost ({}); reconnect is disabled", name(), why);
      announce(ConnectionState.CONNECTED, ConnectionState.ERROR, "connection lost: " + why);
      stopKeepalive();
      failInFlight("connection lost: " + why);
      // Off the reader thread (closing joins it) and off the timer (closing may block).
      Schedulers.blocking()
          .execute(
              () -> {
                safeDisconnectHook();
                endAllCalls(HangupCause.CONNECTION_LOST, null);
              });
    }
  }

  /**
   * Records the round trip of a request the adapter made on its own (keepalive, status query).
   * Requests made through the public operations are measured by this class.
   *
   * @param nanos the latency
   */
  protected final void recordRequestLatency(long nanos) {
    metrics.requestLatency(nanos);
  }

  /**
   * Sets the server version shown by {@link #serverVersion()} and the health report.
   *
   * @param version the version as the server reported it
   */
  protected final void serverVersion(String version) {
    this.serverVersion = version == null ? "" : version;
  }

  /**
   * Looks up a tracked call.
   *
   * @param callId the call id
   * @return the call, if tracked and not ended
   */
  protected final Optional<TrackedCall> findCall(String callId) {
    return Optional.ofNullable(calls.get(callId));
  }

  /**
   * Looks up a tracked call by one of the server's ids bound with {@link #bindServerId}.
   *
   * @param key the id's name, such as {@code Uniqueid}
   * @param value its value
   * @return the call, if tracked and not ended
   */
  protected final Optional<TrackedCall> findCallByServerId(String key, String value) {
    String id = serverIdIndex.get(indexKey(key, value));
    return id == null ? Optional.empty() : findCall(id);
  }

  /**
   * Binds a server id to a call so events carrying it find the call. The binding ends with the
   * call.
   *
   * @param callId the call id
   * @param key the id's name
   * @param value its value
   */
  protected final void bindServerId(String callId, String key, String value) {
    TrackedCall call = calls.get(callId);
    if (call != null && value != null && !value.isEmpty()) {
      call.mutableServerIds().put(key, value);
      serverIdIndex.put(indexKey(key, value), callId);
    }
  }

  /**
   * Returns the tracked calls.
   *
   * @return the calls not yet ended
   */
  protected final Collection<TrackedCall> trackedCalls() {
    return List.copyOf(calls.values());
  }

  /**
   * Returns the target of the current or last connect.
   *
   * @return the target, or empty before the first connect
   */
  protected final Optional<ConnectTarget> connectTarget() {
    return Optional.ofNullable(target);
  }

  /**
   * Returns the shared timer for short, non-blocking tasks.
   *
   * @return the timer
   */
  protected final ScheduledExecutorService timer() {
    return Schedulers.timer();
  }

  /**
   * Returns an executor for blocking work outside the reader thread.
   *
   * @return the shared executor
   */
  protected final Executor blockingExecutor() {
    return Schedulers.blocking();
  }

  // ---------------------------------------------------------------- internals

  private void checkWire(String field, String value, boolean notBlank) {
    Objects.requireNonNull(value, field);
    if (notBlank && value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    validateWireInput(field, value);
  }

  private void checkHeaderName(String name) {
    checkWire("header name", name, true);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c == ':' || c > '~') {
        throw new IllegalArgumentException(
            "header name '" + name + "' may not contain spaces, ':' or non-ASCII characters");
      }
    }
  }

  private <T> CompletableFuture<T> requireConnected() {
    ConnectionState s = state.get();
    if (s == ConnectionState.CONNECTED) {
      return null;
    }
    if (s == ConnectionState.CLOSED) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("[" + name() + "] adapter is closed"));
    }
    return CompletableFuture.failedFuture(
        new AdapterConnectionException(
            "[" + name() + "] not connected (" + s + "); call connect() first"));
  }

  private CompletableFuture<Void> onCall(
      Feature feature, String callId, Function<TrackedCall, CompletableFuture<Void>> op) {
    Objects.requireNonNull(callId, "callId");
    if (!features().contains(feature)) {
      return CompletableFuture.failedFuture(unsupportedFeature(feature));
    }
    TrackedCall call = calls.get(callId);
    if (call == null) {
      return CompletableFuture.failedFuture(unknownCall(callId));
    }
    CompletableFuture<Void> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    return timed(feature.displayName(), () -> op.apply(call));
  }

  /** Runs a hook, measures it and bounds it by the request timeout. */
  private <T> CompletableFuture<T> timed(String what, HookCall<T> hook) {
    long start = System.nanoTime();
    CompletableFuture<T> f;
    try {
      f = hook.call();
    } catch (Exception e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (f == null) {
      f = CompletableFuture.failedFuture(new IllegalStateException(what + " returned no future"));
    }
    // The hook's future is mirrored into one this class can fail when the link drops, so callers
    // learn at once instead of waiting out the request timeout.
    CompletableFuture<T> guarded = new CompletableFuture<>();
    f.toCompletableFuture()
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                guarded.complete(v);
              } else {
                guarded.completeExceptionally(e);
              }
            });
    inFlight.add(guarded);
    guarded.whenComplete((v, e) -> inFlight.remove(guarded));
    Duration timeout = config.timeouts().request();
    // Complete on a worker: the hook's future is completed on a connection's reader thread (or a
    // timer), and a caller's callback chained on the returned future must not run there.
    return guarded
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .handleAsync(
            (v, e) -> {
              if (e == null) {
                metrics.requestLatency(System.nanoTime() - start);
                return v;
              }
              Throwable cause = unwrap(e);
              if (cause instanceof TimeoutException) {
                cause =
                    new AdapterTimeoutException(
                        "["
                            + name()
                            + "] "
                            + what
                            + " got no answer within "
                            + timeout.toMillis()
                            + " ms");
              }
              throw new CompletionException(cause);
            },
            Schedulers.blocking());
  }

  @FunctionalInterface
  private interface HookCall<T> {
    CompletableFuture<T> call() throws Exception;
  }

  private <T> T await(CompletableFuture<T> f) {
    Duration limit = config.timeouts().request().plusSeconds(1);
    try {
      return f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable c = unwrap(e);
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      throw new SipAdapterException("[" + name() + "] " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new AdapterTimeoutException(
          "[" + name() + "] no answer within " + limit.toMillis() + " ms", e);
    } catch (CancellationException e) {
      throw new SipAdapterException("[" + name() + "] request cancelled", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SipAdapterException("[" + name() + "] interrupted while waiting", e);
    }
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private UnsupportedFeatureException unsupportedFeature(Feature f) {
    return new UnsupportedFeatureException(f, type(), unsupportedReason(f).orElse(null));
  }

  private CallNotFoundException unknownCall(String callId) {
    return new CallNotFoundException(
        "["
            + name()
            + "] unknown call id '"
            + callId
            + "' (never issued, or dropped from history)");
  }

  private <T> CompletableFuture<T> unsupported(Feature f) {
    return CompletableFuture.failedFuture(unsupportedFeature(f));
  }

  private void end(
      TrackedCall call, CallState requested, HangupCause cause, Map<String, String> serverIds) {
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
      call.endedAt = Instant.now();
      cancelRingTimer(call);
      // A call the caller gave up on (hangup, disconnect, close) is not a failed call.
      if (call.direction() == CallDirection.OUTBOUND && terminal == CallState.FAILED) {
        metrics.callFailed();
      }
      // History first, then forget the live call: getStatus never misses the call in between,
      // and a listener that looks the call up on its terminal event finds the record.
      CallRecord record = call.record(name(), type());
      synchronized (history) {
        history.put(record.callId(), record);
        while (history.size() > config.historySize()) {
          history.remove(history.keySet().iterator().next());
        }
      }
      calls.remove(call.callId());
      call.mutableServerIds().forEach((k, v) -> serverIdIndex.remove(indexKey(k, v)));
      emit(
          new CallStateChanged(
              name(),
              type(),
              call.endedAt,
              call.callId(),
              prev,
              terminal,
              finalCause,
              call.serverIds()));
    }
  }

  private void mergeIds(TrackedCall call, Map<String, String> ids) {
    if (ids == null || ids.isEmpty()) {
      return;
    }
    ids.forEach(
        (k, v) -> {
          if (k != null && v != null && !v.isEmpty()) {
            call.mutableServerIds().put(k, v);
          }
        });
  }

  private static String indexKey(String key, String value) {
    return key + '\u0000' + value;
  }

  private void onRingTimeout(TrackedCall call, Duration ring) {
    synchronized (call) {
      if (call.state.isTerminal() || call.answeredAt != null) {
        return;
      }
      call.ringTimedOut = true;
      call.hangupRequested = true;
    }
    log.debug("[{}] {} not answered within {}; hanging up", name(), call.callId(), ring);
    HangupCause cause = HangupCause.NO_ANSWER;
    CompletableFuture<Void> f;
    try {
      f =
          state.get() == ConnectionState.CONNECTED
              ? doHangup(call, cause)
              : CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (v, e) -> {
          if (e != null) {
            end(call, CallState.FAILED, cause, Map.of());
          } else {
            endIfServerStaysSilent(call, cause);
          }
        });
  }

  /** Ends a call locally if the server accepted a hangup but never reported the end. */
  private void endIfServerStaysSilent(TrackedCall call, HangupCause cause) {
    Duration grace = config.timeouts().request();
    Schedulers.timer()
        .schedule(
            () -> {
              if (!call.state.isTerminal()) {
                log.warn(
                    "[{}] server reported no end of {} within {} ms of the hangup; ending it",
                    name(),
                    call.callId(),
                    grace.toMillis());
                end(
                    call,
                    null,
                    cause.withText(cause.text() + " " + HangupCause.NO_HANGUP_EVENT),
                    Map.of());
              }
            },
            grace.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  private static void cancelRingTimer(TrackedCall call) {
    ScheduledFuture<?> t = call.ringTimer;
    if (t != null) {
      t.cancel(false);
    }
  }

  /**
   * Ends every tracked call. {@code unansweredState} is the terminal state of calls never answered:
   * {@code DISCONNECTED} when the user ended them (disconnect, close), null for {@code FAILED}.
   */
  private void endAllCalls(HangupCause cause, CallState unansweredState) {
    for (TrackedCall c : List.copyOf(calls.values())) {
      end(c, unansweredState, cause, Map.of());
    }
  }

  /** Fails the requests still waiting for the server, so no caller waits for a dead link. */
  private void failInFlight(String why) {
    for (CompletableFuture<?> f : List.copyOf(inFlight)) {
      f.completeExceptionally(new AdapterConnectionException("[" + name() + "] " + why));
    }
  }

  private void emit(AdapterEvent event) {
    dispatcher.dispatch(event);
  }

  private void moveTo(ConnectionState next, String reason) {
    ConnectionState prev = state.getAndSet(next);
    if (prev != next) {
      announce(prev, next, reason);
    }
  }

  private void announce(ConnectionState prev, ConnectionState next, String reason) {
    emit(new ConnectionStateChanged(name(), type(), Instant.now(), prev, next, reason));
  }

  private static HealthStatus worse(HealthStatus a, HealthStatus b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  private RuntimeException connectFailure(Exception e, String host, int port) {
    if (e instanceof AdapterConnectionException) {
      return (AdapterConnectionException) e;
    }
    if (e instanceof SipAdapterException) {
      return (SipAdapterException) e;
    }
    if (e instanceof IllegalArgumentException) {
      return (IllegalArgumentException) e;
    }
    return new AdapterConnectionException(
        "[" + name() + "] cannot connect to " + host + ":" + port + ": " + redact(e.getMessage()),
        e);
  }

  /** Masks the configured and the current password in a text built from a server's words. */
  private String redact(String text) {
    String out = Redaction.mask(text, config.auth().secret());
    ConnectTarget t = target;
    return t == null ? out : Redaction.mask(out, t.credentials().secret());
  }

  private void safeDisconnectHook() {
    try {
      doDisconnect();
    } catch (RuntimeException e) {
      log.warn("[{}] closing the link failed", name(), e);
    }
  }

  private void startKeepalive() {
    stopKeepalive();
    long every = config.timeouts().keepalive().toNanos();
    keepaliveTask =
        Schedulers.timer()
            .scheduleWithFixedDelay(
                () -> Schedulers.blocking().execute(this::keepaliveOnce),
                every,
                every,
                TimeUnit.NANOSECONDS);
  }

  private void keepaliveOnce() {
    if (state.get() != ConnectionState.CONNECTED) {
      return;
    }
    long start = System.nanoTime();
    try {
      doKeepalive();
      metrics.requestLatency(System.nanoTime() - start);
    } catch (Exception e) {
      if (state.get() == ConnectionState.CONNECTED) {
        reportError(null, "keepalive failed: " + e.getMessage(), e);
        reportConnectionLost(
            new AdapterConnectionException("keepalive failed: " + e.getMessage(), e));
      }
    }
  }

  private void stopKeepalive() {
    ScheduledFuture<?> k = keepaliveTask;
    if (k != null) {
      k.cancel(false);
      keepaliveTask = null;
    }
  }

  private void cancelReconnect() {
    reconnectGeneration++;
    ScheduledFuture<?> r = reconnectTask;
    if (r != null) {
      r.cancel(false);
      reconnectTask = null;
    }
  }

  private void stopBackgroundTasks() {
    stopKeepalive();
    cancelReconnect();
  }

  private void scheduleReconnect(int attempt, int generation) {
    Duration delay = backoff.delay(attempt);
    log.debug("[{}] reconnect attempt {} in {} ms", name(), attempt, delay.toMillis());
    reconnectTask =
        Schedulers.timer()
            .schedule(
                () -> Schedulers.blocking().execute(() -> reconnect(attempt, generation)),
                delay.toNanos(),
                TimeUnit.NANOSECONDS);
  }

  private void reconnect(int attempt, int generation) {
    synchronized (lifecycle) {
      if (generation != reconnectGeneration || state.get() != ConnectionState.RECONNECTING) {
        return;
      }
      safeDisconnectHook();
      ConnectTarget t = target;
      try {
        doConnect(t);
        Optional<List<CallSnapshot>> snapshot = doResync();
        moveTo(ConnectionState.CONNECTED, "reconnected after " + attempt + " attempt(s)");
        metrics.reconnected();
        log.info("[{}] reconnected to {}:{} (attempt {})", name(), t.host(), t.port(), attempt);
        snapshot.ifPresent(this::applyResync);
        startKeepalive();
      } catch (AuthenticationException e) {
        log.error("[{}] reconnect refused: credentials rejected; giving up", name());
        safeDisconnectHook();
        moveTo(ConnectionState.ERROR, "authentication failed on reconnect");
        endAllCalls(HangupCause.CONNECTION_LOST, null);
      } catch (Exception e) {
        safeDisconnectHook();
        int max = config.reconnect().maxAttempts();
        if (max > 0 && attempt >= max) {
          log.error(
              "[{}] reconnect failed {} times; giving up: {}", name(), attempt, e.getMessage());
          moveTo(ConnectionState.ERROR, "reconnect failed " + attempt + " times");
          endAllCalls(HangupCause.CONNECTION_LOST, null);
        } else {
          log.warn("[{}] reconnect attempt {} failed: {}", name(), attempt, e.getMessage());
          scheduleReconnect(attempt + 1, generation);
        }
      }
    }
  }

  private void applyResync(List<CallSnapshot> snapshot) {
    Map<String, CallSnapshot> byId = new LinkedHashMap<>();
    for (CallSnapshot s : snapshot) {
      byId.put(s.callId(), s);
    }
    for (TrackedCall c : List.copyOf(calls.values())) {
      CallSnapshot s = byId.get(c.callId());
      if (s == null) {
        end(
            c,
            null,
            HangupCause.CONNECTION_LOST.withText("ended while the link was down"),
            Map.of());
      } else if (s.state() != c.state) {
        reportCallState(c.callId(), s.state(), null, s.serverIds());
      }
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "[name="
        + name()
        + ", type="
        + type()
        + ", host="
        + config.host()
        + ", port="
        + config.port()
        + ", state="
        + state.get()
        + "]";
  }
}
