package org.sipadapter;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Credentials;
import org.sipadapter.config.Redaction;
import org.sipadapter.dispatch.EventDispatcher;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.metrics.AdapterMetrics;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.WireField;
import org.sipadapter.transport.Schedulers;
import org.sipadapter.transport.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to one telephony server, with the same API on every server.
 *
 * <p>The public operations are final and the same for every adapter: they check arguments and
 * state, track calls, issue call ids ({@code if://call/<uuid>}), count metrics, raise events and
 * enforce timeouts, and leave to the adapter's driver ({@link org.sipadapter.spi}) only what goes
 * to the server. Core applies the call state table to what the driver reports, so listeners see
 * only legal sequences and exactly one terminal event per call, also when the link drops or the
 * adapter closes.
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
 *
 * <p>For adapter authors: a subclass hands its driver to the constructor and adds nothing but the
 * server's own extras; see {@link org.sipadapter.spi} and docs/extending.md.
 */
public abstract class SipAdapter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SipAdapter.class);

  private final AdapterConfig config;
  private final AdapterMetrics metrics = new AdapterMetrics();
  private final TlsContext tlsContext;
  private final CallRegistry registry;
  private final HealthEvaluator health;
  private final RequestTracker requests;
  private final EventDispatcher dispatcher;
  private final CallStateMachine machine;
  private final ConnectionWatchdog watchdog;
  private final CoreContext context;
  private final AdapterDriver driver;
  private final ServerHangups hangups;
  private final CallOperations calls;

  /**
   * Creates the adapter and its driver. Does not connect and starts no thread.
   *
   * @param config the validated config (see {@link SipAdapters})
   * @param driver builds the driver, given the context it reports through; called once, here
   * @throws org.sipadapter.ConfigurationException if TLS is on and its trust store cannot be opened
   */
  protected SipAdapter(
      AdapterConfig config, Function<? super DriverContext, ? extends AdapterDriver> driver) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(driver, "driver");
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
            dispatcher::dispatch,
            health::callFinished,
            this::hangUpOnServer,
            Timers.SHARED,
            Clock.systemUTC(),
            config.timeouts().request());
    this.watchdog =
        new ConnectionWatchdog(
            config.name(),
            config.type(),
            new WatchdogDriver(
                config.name(), this::driver, registry, machine, requests, this::redact),
            config.reconnect(),
            config.timeouts().keepalive(),
            Timers.SHARED,
            metrics,
            health,
            dispatcher::dispatch);
    WireChecks checks = new WireChecks(this::protocolCheck);
    this.context =
        new CoreContext(CallMarkers.random(), registry, machine, watchdog, health, metrics, checks);
    this.driver = Objects.requireNonNull(driver.apply(context), "the driver factory gave null");
    this.hangups =
        new ServerHangups(
            config.name(),
            this.driver,
            watchdog,
            registry,
            machine,
            Schedulers.blocking(),
            config.timeouts().request(),
            this::redact);
    this.calls =
        new CallOperations(config, this.driver, registry, machine, requests, watchdog, checks);
  }

  /**
   * Returns this adapter's driver, for a subclass's own operations.
   *
   * @param type the driver's class
   * @param <D> the driver type
   * @return the driver
   * @throws ClassCastException if the driver is not of that type
   */
  protected final <D extends AdapterDriver> D driver(Class<D> type) {
    return type.cast(driver);
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
   * Returns the optional operations this adapter offers now: those of its driver's capabilities.
   * The others throw {@link UnsupportedFeatureException}.
   *
   * @return the features
   */
  public final Set<Feature> features() {
    return driver.capabilities().features();
  }

  /**
   * Returns the server versions this adapter is built and tested for.
   *
   * @return version ranges, such as {@code ["16", "18", "20", "22"]}
   */
  public final List<String> supportedVersions() {
    return driver.supportedVersions();
  }

  /**
   * Returns the version the connected server reported.
   *
   * @return the version, empty before the first connect or when the protocol does not tell
   */
  public final Optional<String> serverVersion() {
    String v = context.serverVersion();
    return v.isEmpty() ? Optional.empty() : Optional.of(v);
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
    return context.instanceId();
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
    Duration request = config.timeouts().request();
    watchdog.connect(
        new ConnectTarget(
            host, port, auth, config.tls(), config.timeouts().connect(), request, tlsContext));
    log.info("[{}] connected to {}:{} {}", name(), host, port, context.serverVersion());
  }

  /**
   * Closes the link and stops reconnecting. The outbound calls this adapter placed that are still
   * live are hung up first (waiting at most the request timeout), so nothing it started is left
   * running on the server; then every call still tracked ends with a terminal {@code DISCONNECTED}
   * event (cause text {@code adapter disconnected}). {@link #connect()} may follow. Does nothing if
   * not connected.
   */
  public final void disconnect() {
    watchdog.disconnect(hangups::hangUpOwnCalls);
    log.info("[{}] disconnected", name());
  }

  /**
   * Hangs up the outbound calls this adapter placed (waiting at most the request timeout), ends
   * every call with a terminal event, closes the link, delivers the remaining events (up to two
   * seconds) and releases the adapter's threads. The adapter cannot be used afterwards. Idempotent.
   */
  @Override
  public final void close() {
    if (!watchdog.close(hangups::hangUpOwnCalls)) {
      return;
    }
    try {
      driver.close();
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
   * @see #makeCallAsync
   */
  public final String makeCall(String from, String to) {
    return makeCall(from, to, CallOptions.DEFAULTS);
  }

  /**
   * Places a call and waits until the server accepted it.
   *
   * @param from the caller
   * @param to the destination
   * @param options per-call settings
   * @return the call id
   * @throws IllegalArgumentException on bad input (nothing is sent)
   * @throws AdapterConnectionException if not connected
   * @throws AdapterTimeoutException if the server did not accept the call in time
   * @throws CallException if the server refused the call
   * @see #makeCallAsync
   */
  public final String makeCall(String from, String to, CallOptions options) {
    return await(makeCallAsync(from, to, options));
  }

  /**
   * Places a call without waiting. The call is tracked from this moment: a {@code DIALING} event
   * comes first, a terminal event last. If the request times out or the link drops, the call ends
   * {@code FAILED} and whatever the server still creates for it is hung up.
   *
   * @param from the caller
   * @param to the destination
   * @param options per-call settings
   * @return a future completed with the call id when the server accepted the call
   * @throws IllegalArgumentException if {@code from} or {@code to} is blank, or a value holds
   *     characters the protocol forbids (nothing is sent)
   */
  public final CompletableFuture<String> makeCallAsync(
      String from, String to, CallOptions options) {
    return calls.makeCall(from, to, options);
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
   * Hangs a call up without waiting; see {@link #hangup}.
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> hangupAsync(String callId) {
    return calls.hangup(callId);
  }

  /**
   * Returns a call's status: live for tracked calls, from the record for recently ended ones.
   *
   * @param callId the call
   * @return the status
   * @throws CallNotFoundException if the id is unknown or its record has been dropped from history
   */
  public final CallStatus getStatus(String callId) {
    return calls.status(callId);
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
   * Asks the server for a call's state without waiting; see {@link #refreshStatus}.
   *
   * @param callId the call
   * @return a future with the status after the check
   */
  public final CompletableFuture<CallStatus> refreshStatusAsync(String callId) {
    return calls.refreshStatus(callId);
  }

  /**
   * Returns every call not yet in a terminal state, both directions.
   *
   * @return snapshots, oldest first
   */
  public final List<CallStatus> activeCalls() {
    return calls.active();
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
  //
  // Each throws IllegalArgumentException on bad input at once; the future (or the blocking form)
  // fails with UnsupportedFeatureException where the feature is missing from features(),
  // CallNotFoundException for an unknown call, AdapterConnectionException when not connected and
  // AdapterTimeoutException when the server does not answer in time.

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
    return calls.answer(callId);
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
    return calls.reject(callId, cause);
  }

  /**
   * Transfers a call blind to another destination. See {@link Feature#TRANSFER}. The call reports
   * {@code TRANSFERRING}, then what the server shows: the call continuing with the target, or its
   * end as our leg leaves it.
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
    return calls.transfer(callId, target);
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
    return calls.attendedTransfer(callId, target);
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
    return calls.hold(callId);
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
    return calls.resume(callId);
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
    return calls.startRecording(callId, fileName);
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
    return calls.stopRecording(callId);
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
    return calls.sendDtmf(callId, digits);
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
    return calls.conference(room, callIds);
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
    return calls.bridge(callIdA, callIdB);
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
        context.serverVersion(),
        registry.liveCount(),
        driver::healthDetails,
        Schedulers.blocking(),
        this::redact);
  }

  // ---------------------------------------------------------------- internals

  private <T> T await(CompletableFuture<T> f) {
    return requests.await(f);
  }

  /** For pieces built before the driver (the watchdog's hooks): the driver, looked up late. */
  private AdapterDriver driver() {
    return driver;
  }

  private void protocolCheck(WireField field, String value) {
    driver.checkWire(field, value);
  }

  private CompletableFuture<Void> hangUpOnServer(CallEntry call, HangupCause cause) {
    return hangups.hangupIfConnected(call, cause);
  }

  /** Masks the configured and the current password in a text built from a server's words. */
  private String redact(String text) {
    String out = Redaction.mask(text, config.auth().secret());
    Optional<ConnectTarget> t = watchdog.target();
    return t.isEmpty() ? out : Redaction.mask(out, t.get().credentials().secret());
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
