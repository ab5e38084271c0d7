package org.sipadapter;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Credentials;
import org.sipadapter.config.Redaction;
import org.sipadapter.dispatch.EventDispatcher;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.metrics.AdapterMetrics;
import org.sipadapter.tracking.CallReports;
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
  private static final String DTMF_DIGITS = "0123456789*#ABCDabcd";

  private final AdapterConfig config;
  private final String instanceId = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final AdapterMetrics metrics = new AdapterMetrics();
  private final EventDispatcher dispatcher;
  private final TlsContext tlsContext;
  private final CallRegistry registry;
  private final HealthEvaluator health;
  private final RequestTracker requests;
  private final CallStateMachine machine;
  private final ConnectionWatchdog watchdog;

  private volatile String serverVersion = "";
  private final CallReports callReports = new AdapterCallReports();

  /**
   * Creates the adapter. Does not connect.
   *
   * @param config the validated config (see {@link SipAdapters})
   * @throws org.sipadapter.ConfigurationException if TLS is on and its trust store cannot be opened
   */
  protected SipAdapter(AdapterConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    // Built once, before any thread starts: every connect and reconnect reuses the trust material.
    this.tlsContext = TlsContext.create(config.tlsSettings());
    this.registry = new CallRegistry(config.historySize());
    this.health =
        new HealthEvaluator(
            config.health(),
            config.timeouts().keepalive(),
            config.timeouts().request(),
            System::nanoTime);
    this.requests =
        new RequestTracker(
            config.name(), config.timeouts().request(), metrics, health, Schedulers.blocking());
    this.dispatcher = new EventDispatcher(config.name(), config.events(), metrics);
    this.machine =
        new CallStateMachine(
            config.name(),
            config.type(),
            registry,
            metrics,
            this::emit,
            health::callFinished,
            this::hangupIfConnected,
            Timers.SHARED,
            Clock.systemUTC(),
            config.timeouts().request());
    this.watchdog =
        new ConnectionWatchdog(
            config.name(),
            config.type(),
            new WatchdogDriver(),
            config.reconnect(),
            config.timeouts().keepalive(),
            Timers.SHARED,
            metrics,
            health,
            this::emit);
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
    return watchdog.state();
  }

  /**
   * Returns this adapter instance's marker: twelve hex digits, new for every adapter object. The
   * adapter puts it (with the call) on what it creates on the server, where the protocol lets it,
   * so that two adapters on one server each know their own calls and see the other's as calls they
   * did not place.
   *
   * @return the marker
   */
  public final String instanceId() {
    return instanceId;
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
    watchdog.connect(
        new ConnectTarget(
            host,
            port,
            auth,
            config.tls(),
            config.timeouts().connect(),
            config.timeouts().request(),
            tlsContext));
    log.info("[{}] connected to {}:{} {}", name(), host, port, serverVersion);
  }

  /**
   * Closes the link and stops reconnecting. The outbound calls this adapter placed that are still
   * live are hung up first (waiting at most the request timeout), so nothing it started is left
   * running on the server; then every call still tracked ends with a terminal {@code DISCONNECTED}
   * event (cause text {@code adapter disconnected}). {@link #connect()} may follow. Does nothing if
   * not connected.
   */
  public final void disconnect() {
    watchdog.disconnect(this::hangUpOwnCalls);
    log.info("[{}] disconnected", name());
  }

  /**
   * Hangs up the outbound calls this adapter placed (waiting at most the request timeout), ends
   * every call with a terminal event, closes the link, delivers the remaining events (up to two
   * seconds) and releases the adapter's threads. The adapter cannot be used afterwards. Idempotent.
   */
  @Override
  public final void close() {
    if (!watchdog.close(this::hangUpOwnCalls)) {
      return;
    }
    try {
      doClose();
    } catch (RuntimeException e) {
      log.warn("[{}] releasing resources failed", name(), e);
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
    Duration ring = options.timeout().orElse(config.timeouts().ring());
    TrackedCall call = machine.placeOutbound(from, to, options, ring);
    String callId = call.callId();
    return requests
        .timed("makeCall", () -> doMakeCall(call))
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
                  machine.ended(callId, cause, Map.of());
                }
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
    TrackedCall call = registry.live(callId);
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
        .timed("hangup", () -> doHangup(call, HangupCause.NORMAL_CLEARING))
        .thenRun(() -> machine.endIfServerStaysSilent(call, HangupCause.NORMAL_CLEARING));
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
    TrackedCall call = registry.live(callId);
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
    TrackedCall call = registry.live(callId);
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
    return requests
        .timed("refreshStatus", () -> doRefreshStatus(call))
        .thenApply(v -> getStatus(callId));
  }

  /**
   * Returns every call not yet in a terminal state, both directions.
   *
   * @return snapshots, oldest first
   */
  public final List<CallStatus> activeCalls() {
    List<CallStatus> out = new ArrayList<>();
    for (TrackedCall c : registry.liveCalls()) {
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
    return registry.history();
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
          machine.hangupRequested(c);
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
    return onCall(Feature.TRANSFER, callId, c -> transferring(c, () -> doTransfer(c, target)));
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
    return onCall(
        Feature.ATTENDED_TRANSFER,
        callId,
        c -> transferring(c, () -> doAttendedTransfer(c, target)));
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
      TrackedCall c = registry.live(Objects.requireNonNull(id, "callId"));
      if (c == null) {
        return CompletableFuture.failedFuture(unknownCall(id));
      }
      members.add(c);
    }
    CompletableFuture<Void> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    return requests.timed("conference", () -> doConference(room, List.copyOf(members)));
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
          TrackedCall b = registry.live(callIdB);
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
   * Registers an observer of every request round trip and call setup time, for metrics libraries
   * that keep their own distributions. Samples recorded before registration are not replayed.
   *
   * @param observer the observer; see {@link LatencyObserver} for its threading contract
   * @return a handle whose {@code close()} unregisters it
   */
  public final ListenerRegistration addLatencyObserver(LatencyObserver observer) {
    Objects.requireNonNull(observer, "observer");
    metrics.addLatencyObserver(observer);
    return () -> metrics.removeLatencyObserver(observer);
  }

  /**
   * Returns the adapter's counters now.
   *
   * @return a snapshot
   */
  public final MetricsSnapshot metrics() {
    return metrics.snapshot(registry.liveCount());
  }

  /**
   * Checks the adapter's health from recent facts: the link state, whether the server answered
   * lately (keepalive and traffic), the server's own report (where the adapter asks the server,
   * such as a version or uptime call, bounded by the request timeout), and the requests and calls
   * of the last 60 seconds. docs/overview.md gives the rules. Never throws and never contains a
   * secret.
   *
   * @return the report
   */
  public final HealthReport healthCheck() {
    return health.evaluate(
        name(),
        type(),
        watchdog.state(),
        serverVersion,
        registry.liveCount(),
        this::doHealthDetails,
        Schedulers.blocking(),
        this::redact);
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
   * Ends a call on the server. Also called for a call that already ended here but that the server
   * may still hold (the adapter gave up on it after a timeout or a lost link, or is closing): the
   * hook must work from the call's server ids alone, without looking the call up.
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
   * (see {@link #reportCallEnded} for how the terminal state is chosen). A report about a call this
   * adapter gave up on (its request timed out, its link was lost or the adapter disconnected) means
   * the server still holds it: the call is hung up, counted in {@link
   * MetricsSnapshot#orphansHungUp()} and reported to nobody.
   *
   * @param callId the call id
   * @param newState the state
   * @param cause why the call ended, for terminal states (null gives NORMAL_CLEARING)
   * @param serverIds server ids to merge into the call (may be empty)
   */
  protected final void reportCallState(
      String callId, CallState newState, HangupCause cause, Map<String, String> serverIds) {
    health.serverActive();
    machine.state(callId, newState, cause, serverIds);
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
    health.serverActive();
    machine.ended(callId, cause, serverIds);
  }

  /**
   * Reports a call that this adapter did not place. Raises {@link IncomingCall} and then a first
   * {@link CallStateChanged} to {@code initialState}. If one of the server ids was bound (with
   * {@link #bindServerId}) to a call this adapter gave up on, the server still holds that call: it
   * is hung up instead, nothing is raised, and its id is returned.
   *
   * @param from the caller as the server reports it
   * @param to the destination
   * @param initialState usually {@code RINGING}; {@code CONNECTED} for calls found already up
   * @param serverIds the server's ids for the call
   * @return the call id issued for it
   */
  protected final String reportIncomingCall(
      String from, String to, CallState initialState, Map<String, String> serverIds) {
    health.serverActive();
    return machine.incoming(from, to, initialState, serverIds);
  }

  /**
   * Reports a DTMF digit received on a call. Dropped once the call has ended.
   *
   * @param callId the call id
   * @param digit the digit
   * @param serverIds the server's ids (may be empty)
   */
  protected final void reportDtmf(String callId, String digit, Map<String, String> serverIds) {
    health.serverActive();
    machine.dtmf(callId, digit, serverIds);
  }

  /**
   * Passes on a raw server event outside the unified model. About a call that has ended (or that
   * this adapter does not know), it is delivered without the call id: nothing carries a call's id
   * after its terminal event.
   *
   * @param callId the call it concerns, or null
   * @param eventName the server's event name
   * @param fields its fields (values with secret-looking keys must be left out by the adapter)
   */
  protected final void reportServerEvent(
      String callId, String eventName, Map<String, String> fields) {
    health.serverActive();
    machine.serverEvent(callId, eventName, fields);
  }

  /**
   * Reports a background error (a malformed frame, an unmappable event). Carries the call id only
   * while the call is live.
   *
   * @param callId the call it concerns, or null
   * @param message what happened
   * @param error the exception, or null
   */
  protected final void reportError(String callId, String message, Throwable error) {
    machine.error(callId, message, error);
  }

  /**
   * Reports that the current link dropped by itself. Prefer {@link #reportConnectionLost(long,
   * Throwable)} with the generation captured in {@link #doConnect}: this form cannot tell a stale
   * link's close from the current one's.
   *
   * @param cause why the link dropped
   */
  protected final void reportConnectionLost(Throwable cause) {
    watchdog.lost(watchdog.generation(), cause);
  }

  /**
   * Reports that the link of a given generation dropped by itself. A stale generation changes
   * nothing. The current link's loss while connected moves to {@code RECONNECTING} and reconnects
   * with backoff (or to {@code ERROR}, ending every call, when reconnect is off), once per outage;
   * its loss while {@link #doConnect} or {@link #doResync} still runs fails that attempt. Safe to
   * call from the reader thread; returns at once.
   *
   * @param linkGeneration {@link #linkGeneration()} as read in {@link #doConnect} for this link
   * @param cause why the link dropped
   */
  protected final void reportConnectionLost(long linkGeneration, Throwable cause) {
    watchdog.lost(linkGeneration, cause);
  }

  /**
   * Returns the generation of the link being brought up (inside {@link #doConnect}) or in use. Read
   * it in {@code doConnect} and hand it to {@link #reportConnectionLost(long, Throwable)} when that
   * link drops.
   *
   * @return the generation
   */
  protected final long linkGeneration() {
    return watchdog.generation();
  }

  /**
   * Records the round trip of a request the adapter made on its own (keepalive, status query).
   * Requests made through the public operations are measured by this class.
   *
   * @param nanos the latency
   */
  protected final void recordRequestLatency(long nanos) {
    metrics.requestLatency(nanos);
    health.requestSucceeded(nanos);
  }

  /**
   * Notes that the server sent something (an event, a reply), for the health report's liveness. The
   * {@code report...} methods note it themselves; call this for traffic they do not see.
   */
  protected final void reportServerActivity() {
    health.serverActive();
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
   * Replaces the record of a finished call in {@link #callHistory()}, for what the server reports
   * after the call ended (such as its own call detail record). Does nothing when the call has not
   * ended or its record has left the history.
   *
   * @param callId the call id
   * @param change the new record, made from the old one; must keep the call id
   * @return true when a record was replaced
   */
  protected final boolean amendCallRecord(String callId, UnaryOperator<CallRecord> change) {
    return registry.amend(callId, change);
  }

  /**
   * Looks up a tracked call.
   *
   * @param callId the call id
   * @return the call, if tracked and not ended
   */
  protected final Optional<TrackedCall> findCall(String callId) {
    return Optional.ofNullable(registry.live(callId));
  }

  /**
   * Looks up a tracked call by one of the server's ids bound with {@link #bindServerId}.
   *
   * @param key the id's name, such as {@code Uniqueid}
   * @param value its value
   * @return the call, if tracked and not ended
   */
  protected final Optional<TrackedCall> findCallByServerId(String key, String value) {
    return registry.liveByServerId(key, value);
  }

  /**
   * Binds a server id to a call so events carrying it find the call. The binding ends with the
   * call. Binding an id to a call this adapter gave up on means the server still holds that call:
   * it is hung up (see {@link #reportCallState}).
   *
   * @param callId the call id
   * @param key the id's name
   * @param value its value
   */
  protected final void bindServerId(String callId, String key, String value) {
    machine.bind(callId, key, value);
  }

  /**
   * Returns the tracked calls.
   *
   * @return the calls not yet ended
   */
  protected final Collection<TrackedCall> trackedCalls() {
    return registry.liveCalls();
  }

  /**
   * Returns this adapter's call table as the shared trackers of {@code org.sipadapter.tracking}
   * take it: the lookups and reports above, same rules.
   *
   * @return the view; one per adapter
   */
  protected final CallReports callReports() {
    return callReports;
  }

  /**
   * Returns the outbound calls this adapter gave up on while the server may still hold them (their
   * request timed out, their link was lost or given up), oldest first, for adapters that must match
   * what the server creates later by other means than a call marker. Report what is found with
   * {@link #reportCallState} or {@link #bindServerId}: the call is then hung up.
   *
   * @return the given-up calls
   */
  protected final List<TrackedCall> givenUpCalls() {
    return registry.givenUpCalls();
  }

  /**
   * Returns the marker of one call of this adapter, to put on what the call creates on the server
   * (a channel variable, a message parameter): {@code <instanceId>.<uuid of the call id>}. It holds
   * only hex digits, {@code -} and {@code .}, so it passes every protocol's value rules.
   *
   * @param call the call
   * @return the marker
   */
  protected final String callMarker(TrackedCall call) {
    return instanceId + "." + call.callId().substring(CallStateMachine.CALL_ID_PREFIX.length());
  }

  /**
   * Reads a call marker found on the server.
   *
   * @param marker the marker, or null
   * @return the call id if this adapter instance made the marker
   */
  protected final Optional<String> callIdOfMarker(String marker) {
    if (marker == null || !marker.startsWith(instanceId + ".")) {
      return Optional.empty();
    }
    return Optional.of(CallStateMachine.CALL_ID_PREFIX + marker.substring(instanceId.length() + 1));
  }

  /**
   * Tells whether a marker was made by another adapter instance (in this process or another): the
   * call is not this adapter's to control, and is reported as a call it did not place.
   *
   * @param marker the marker, or null
   * @return true for a well-formed marker of another instance
   */
  protected final boolean isForeignMarker(String marker) {
    if (marker == null || marker.length() < 14 || marker.charAt(12) != '.') {
      return false;
    }
    for (int i = 0; i < 12; i++) {
      if (Character.digit(marker.charAt(i), 16) < 0) {
        return false;
      }
    }
    return !marker.startsWith(instanceId + ".");
  }

  /**
   * Returns the target of the current or last connect.
   *
   * @return the target, or empty before the first connect
   */
  protected final Optional<ConnectTarget> connectTarget() {
    return watchdog.target();
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
    ConnectionState s = watchdog.state();
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
    TrackedCall call = registry.live(callId);
    if (call == null) {
      return CompletableFuture.failedFuture(unknownCall(callId));
    }
    CompletableFuture<Void> notReady = requireConnected();
    if (notReady != null) {
      return notReady;
    }
    return requests.timed(feature.displayName(), () -> op.apply(call));
  }

  /**
   * Runs a transfer hook. The call reports {@code TRANSFERRING} before the request goes out, so
   * whatever the server shows next (the call continuing, or its end) comes after it whichever of
   * the reply and the server's events arrives first; a refused transfer returns it to {@code
   * CONNECTED}.
   */
  private CompletableFuture<Void> transferring(
      TrackedCall call, Supplier<CompletableFuture<Void>> hook) {
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

  private <T> T await(CompletableFuture<T> f) {
    return requests.await(f);
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

  /** The hangup the core sends on its own (ring timeout, orphans): only over a live link. */
  private CompletableFuture<Void> hangupIfConnected(TrackedCall call, HangupCause cause) {
    if (watchdog.state() != ConnectionState.CONNECTED) {
      return CompletableFuture.failedFuture(
          new AdapterConnectionException("[" + name() + "] not connected"));
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    // Off the caller's thread: the hook may write to a socket, and the caller may be a reader.
    Schedulers.blocking()
        .execute(
            () -> {
              try {
                CompletableFuture<Void> h = doHangup(call, cause);
                if (h == null) {
                  f.completeExceptionally(new IllegalStateException("doHangup returned no future"));
                } else {
                  h.whenComplete(
                      (v, e) -> {
                        if (e == null) {
                          f.complete(null);
                        } else {
                          f.completeExceptionally(e);
                        }
                      });
                }
              } catch (RuntimeException e) {
                f.completeExceptionally(e);
              }
            });
    return f.orTimeout(config.timeouts().request().toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Before disconnect and close, while the link is still up: ends the outbound calls this adapter
   * placed (with the closing cause, so their terminal event does not depend on the server's
   * timing), then hangs them up on the server, waiting at most the request timeout for it to
   * accept. They stay given up until the server reports their end.
   */
  private void hangUpOwnCalls(HangupCause cause) {
    List<TrackedCall> own = new ArrayList<>();
    for (TrackedCall c : registry.liveCalls()) {
      if (c.direction() == CallDirection.OUTBOUND) {
        machine.hangupRequested(c);
        machine.giveUp(c, CallState.DISCONNECTED, cause);
        own.add(c);
      }
    }
    if (own.isEmpty()) {
      return;
    }
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (TrackedCall c : own) {
      pending.add(hangupIfConnected(c, HangupCause.NORMAL_CLEARING));
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(config.timeouts().request().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn(
          "[{}] not every call could be hung up before closing: {}",
          name(),
          redact(String.valueOf(RequestTracker.unwrap(e).getMessage())));
    }
  }

  private void emit(AdapterEvent event) {
    dispatcher.dispatch(event);
  }

  /** Masks the configured and the current password in a text built from a server's words. */
  private String redact(String text) {
    String out = Redaction.mask(text, config.auth().secret());
    Optional<ConnectTarget> t = watchdog.target();
    return t.isEmpty() ? out : Redaction.mask(out, t.get().credentials().secret());
  }

  private RuntimeException connectFailure(Exception e, ConnectTarget t) {
    if (e instanceof AdapterConnectionException ace) {
      return ace;
    }
    if (e instanceof SipAdapterException sae) {
      return sae;
    }
    if (e instanceof IllegalArgumentException iae) {
      return iae;
    }
    return new AdapterConnectionException(
        "["
            + name()
            + "] cannot connect to "
            + t.host()
            + ":"
            + t.port()
            + ": "
            + redact(e.getMessage()),
        e);
  }

  /** The hooks the watchdog drives, kept off the adapter's own surface. */
  private final class WatchdogDriver implements ConnectionWatchdog.Driver {
    @Override
    public void open(ConnectTarget target) throws Exception {
      doConnect(target);
    }

    @Override
    public void close() {
      try {
        doDisconnect();
      } catch (RuntimeException e) {
        log.warn("[{}] closing the link failed", name(), e);
      }
    }

    @Override
    public Optional<List<CallSnapshot>> resync() throws Exception {
      return doResync();
    }

    @Override
    public void keepalive() throws Exception {
      try {
        doKeepalive();
      } catch (Exception e) {
        reportError(null, "keepalive failed: " + redact(String.valueOf(e.getMessage())), e);
        throw e;
      }
    }

    @Override
    public void applyResync(List<CallSnapshot> snapshot) {
      Map<String, CallSnapshot> byId = new LinkedHashMap<>();
      for (CallSnapshot s : snapshot) {
        byId.put(s.callId(), s);
      }
      for (TrackedCall c : registry.liveCalls()) {
        CallSnapshot s = byId.get(c.callId());
        if (s == null) {
          machine.ended(
              c.callId(),
              HangupCause.CONNECTION_LOST.withText("ended while the link was down"),
              Map.of());
        } else if (s.state() != c.state()) {
          machine.state(c.callId(), s.state(), null, s.serverIds());
        }
      }
      // A given-up call the server still lists is an orphan.
      for (CallSnapshot s : snapshot) {
        if (registry.live(s.callId()) == null && registry.givenUp(s.callId()) != null) {
          machine.state(s.callId(), s.state(), null, s.serverIds());
        }
      }
    }

    @Override
    public void linkDown(String why) {
      requests.failAll(why);
    }

    @Override
    public void giveUp(HangupCause cause) {
      CallState unanswered = cause == HangupCause.CONNECTION_LOST ? null : CallState.DISCONNECTED;
      machine.giveUpAll(cause, unanswered);
    }

    @Override
    public RuntimeException connectFailure(Exception e, ConnectTarget target) {
      return SipAdapter.this.connectFailure(e, target);
    }

    @Override
    public String redact(String text) {
      return SipAdapter.this.redact(text);
    }
  }

  /** The protected lookups and reports, for the trackers of {@code org.sipadapter.tracking}. */
  private final class AdapterCallReports implements CallReports {
    @Override
    public Optional<TrackedCall> findCallByServerId(String key, String value) {
      return SipAdapter.this.findCallByServerId(key, value);
    }

    @Override
    public Collection<TrackedCall> trackedCalls() {
      return SipAdapter.this.trackedCalls();
    }

    @Override
    public String reportIncomingCall(
        String from, String to, CallState initialState, Map<String, String> serverIds) {
      return SipAdapter.this.reportIncomingCall(from, to, initialState, serverIds);
    }

    @Override
    public void bindServerId(String callId, String key, String value) {
      SipAdapter.this.bindServerId(callId, key, value);
    }

    @Override
    public void reportCallState(String callId, CallState state, Map<String, String> serverIds) {
      SipAdapter.this.reportCallState(callId, state, null, serverIds);
    }

    @Override
    public void reportCallEnded(String callId, HangupCause cause, Map<String, String> serverIds) {
      SipAdapter.this.reportCallEnded(callId, cause, serverIds);
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
        + watchdog.state()
        + "]";
  }
}
