package org.sipadapter;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Credentials;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.DriverContext;

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
  private final AdapterCore core;

  /**
   * Creates the adapter and its driver. Does not connect and starts no thread.
   *
   * @param config the validated config (see {@link SipAdapters})
   * @param driver builds the driver, given the context it reports through; called once, here
   * @throws org.sipadapter.ConfigurationException if TLS is on and its trust store cannot be opened
   */
  protected SipAdapter(
      AdapterConfig config, Function<? super DriverContext, ? extends AdapterDriver> driver) {
    this.core = new AdapterCore(config, driver);
  }

  /** Returns this adapter's driver, for a subclass's own operations (of the given class). */
  protected final <D extends AdapterDriver> D driver(Class<D> type) {
    return type.cast(core.driver);
  }

  // ---------------------------------------------------------------- identity

  /** Returns the provider's type name, such as {@code asterisk}. */
  public final String type() {
    return core.config.type();
  }

  /** Returns the configured name, used in logs, metrics and events. */
  public final String name() {
    return core.config.name();
  }

  /** Returns the adapter's immutable config. */
  public final AdapterConfig config() {
    return core.config;
  }

  /**
   * Returns the optional operations this adapter offers now: those of its driver's capabilities
   * ({@link org.sipadapter.spi.Capabilities}). The others throw {@link
   * UnsupportedFeatureException}.
   */
  public final Set<Feature> features() {
    return core.driver.capabilities().features();
  }

  /** Returns the server versions this adapter is built and tested for, such as {@code ["22"]}. */
  public final List<String> supportedVersions() {
    return core.driver.supportedVersions();
  }

  /** Returns the server's version: empty before the first connect or when it does not tell. */
  public final Optional<String> serverVersion() {
    String v = core.context.serverVersion();
    return v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /** Returns the link's state now: the truth about the current link. */
  public final ConnectionState connectionState() {
    return core.watchdog.state();
  }

  /**
   * Returns this adapter instance's marker: twelve hex digits, new for every adapter object. The
   * adapter puts it (with the call) on what it creates on the server, where the protocol lets it,
   * so that two adapters on one server each know their own calls and see the other's as calls they
   * did not place.
   */
  public final String instanceId() {
    return core.context.instanceId();
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
    connect(core.config.host(), core.config.port(), core.config.auth());
  }

  /**
   * Connects to the given server. Returns when logged in. Does nothing if already connected.
   *
   * @param host the server's host
   * @param port the server's port
   * @param auth the credentials
   * @throws AuthenticationException if the server refused the credentials (no retry follows)
   * @throws AdapterConnectionException if the server cannot be reached or the login fails
   * @throws IllegalArgumentException if the port is out of range, or the host, user name or secret
   *     holds CR, LF, NUL or another control character (nothing is sent; the message never holds
   *     the secret)
   * @throws IllegalStateException if the adapter is closed
   */
  public final void connect(String host, int port, Credentials auth) {
    core.connect(host, port, auth);
  }

  /**
   * Closes the link and stops reconnecting. The outbound calls this adapter placed that are still
   * live are hung up first (waiting at most the request timeout), so nothing it started is left
   * running on the server; then every call still tracked ends with a terminal {@code DISCONNECTED}
   * event (cause text {@code adapter disconnected}). {@link #connect()} may follow. Does nothing if
   * not connected.
   */
  public final void disconnect() {
    core.disconnect();
  }

  /**
   * Hangs up the outbound calls this adapter placed (waiting at most the request timeout), ends
   * every call with a terminal event, closes the link, delivers the remaining events (up to two
   * seconds) and releases the adapter's threads. The adapter cannot be used afterwards. Idempotent.
   */
  @Override
  public final void close() {
    core.close();
  }

  // ---------------------------------------------------------------- calls

  /** {@link #makeCall(String, String, CallOptions)} with default options. */
  public final String makeCall(String from, String to) {
    return makeCall(from, to, CallOptions.DEFAULTS);
  }

  /**
   * Places a call and waits until the server accepted it; see {@link #makeCallAsync}.
   *
   * @return the call id; follow the call through events or {@link #getStatus}
   * @throws IllegalArgumentException on bad input (nothing is sent)
   * @throws AdapterConnectionException if not connected
   * @throws AdapterTimeoutException if the server did not accept the call in time
   * @throws CallException if the server refused the call
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
    return core.calls.makeCall(from, to, options);
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

  /** Hangs a call up without waiting; see {@link #hangup}. */
  public final CompletableFuture<Void> hangupAsync(String callId) {
    return core.calls.hangup(callId);
  }

  /**
   * Returns a call's status: live for tracked calls, from the record for recently ended ones.
   *
   * @param callId the call
   * @return the status
   * @throws CallNotFoundException if the id is unknown or its record has been dropped from history
   */
  public final CallStatus getStatus(String callId) {
    return core.calls.status(callId);
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

  /** Asks the server for a call's state without waiting; see {@link #refreshStatus}. */
  public final CompletableFuture<CallStatus> refreshStatusAsync(String callId) {
    return core.calls.refreshStatus(callId);
  }

  /** Returns every call not yet in a terminal state, both directions, oldest first. */
  public final List<CallStatus> activeCalls() {
    return core.calls.active();
  }

  /** Returns the records of the last {@code historySize} finished calls, oldest first. */
  public final List<CallRecord> callHistory() {
    return core.registry.history();
  }

  /**
   * Returns one finished call's record, while it is among the {@code historySize} most recent;
   * unlike {@link #callHistory()} it copies nothing, so a listener may call it for every call's
   * end.
   *
   * @param callId the call
   * @return the record, or empty for a call that has not ended, is unknown or was forgotten
   */
  public final Optional<CallRecord> callRecord(String callId) {
    Objects.requireNonNull(callId, "callId");
    return core.registry.record(callId);
  }

  // ---------------------------------------------------------------- optional features
  //
  // Each is offered where features() lists its Feature. Bad input throws IllegalArgumentException
  // at once, before anything is sent. Then the future (or the blocking form, which waits at most
  // the request timeout) fails with UnsupportedFeatureException where the feature is not offered,
  // CallNotFoundException for an unknown call, AdapterConnectionException when not connected and
  // AdapterTimeoutException when the server does not answer in time; it completes when the server
  // accepted the request. What the server does next arrives as events.

  /**
   * Answers a ringing inbound call ({@link Feature#ANSWER}).
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> answerAsync(String callId) {
    return core.calls.answer(callId);
  }

  /** Blocking form of {@link #answerAsync}. */
  public final void answer(String callId) {
    await(answerAsync(callId));
  }

  /**
   * Rejects a ringing inbound call ({@link Feature#REJECT}).
   *
   * @param callId the call
   * @param cause the cause to send, such as {@link HangupCause#CALL_REJECTED}
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> rejectAsync(String callId, HangupCause cause) {
    return core.calls.reject(callId, cause);
  }

  /** Blocking form of {@link #rejectAsync}. */
  public final void reject(String callId, HangupCause cause) {
    await(rejectAsync(callId, cause));
  }

  /**
   * Transfers a call blind ({@link Feature#TRANSFER}). The call reports {@code TRANSFERRING}, then
   * what the server shows: the call continuing with the target, or its end as our leg leaves it; a
   * refused transfer returns it to {@code CONNECTED}.
   *
   * @param callId the call
   * @param target the destination (extension, number or URI)
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> transferAsync(String callId, String target) {
    return core.calls.transfer(callId, target);
  }

  /** Blocking form of {@link #transferAsync}. */
  public final void transfer(String callId, String target) {
    await(transferAsync(callId, target));
  }

  /**
   * Starts an attended transfer ({@link Feature#ATTENDED_TRANSFER}); the call's states go as for
   * {@link #transferAsync}.
   *
   * @param callId the call
   * @param target the destination
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> attendedTransferAsync(String callId, String target) {
    return core.calls.attendedTransfer(callId, target);
  }

  /** Blocking form of {@link #attendedTransferAsync}. */
  public final void attendedTransfer(String callId, String target) {
    await(attendedTransferAsync(callId, target));
  }

  /**
   * Puts a call on hold ({@link Feature#HOLD}); {@code ON_HOLD} follows when the server shows it.
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> holdAsync(String callId) {
    return core.calls.hold(callId);
  }

  /** Blocking form of {@link #holdAsync}. */
  public final void hold(String callId) {
    await(holdAsync(callId));
  }

  /**
   * Takes a call off hold ({@link Feature#HOLD}).
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> resumeAsync(String callId) {
    return core.calls.resume(callId);
  }

  /** Blocking form of {@link #resumeAsync}. */
  public final void resume(String callId) {
    await(resumeAsync(callId));
  }

  /**
   * Starts recording a call ({@link Feature#RECORDING}).
   *
   * @param callId the call
   * @param fileName where the server writes the recording (a path on the server)
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> startRecordingAsync(String callId, String fileName) {
    return core.calls.startRecording(callId, fileName);
  }

  /** Blocking form of {@link #startRecordingAsync}. */
  public final void startRecording(String callId, String fileName) {
    await(startRecordingAsync(callId, fileName));
  }

  /**
   * Stops recording a call ({@link Feature#RECORDING}).
   *
   * @param callId the call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> stopRecordingAsync(String callId) {
    return core.calls.stopRecording(callId);
  }

  /** Blocking form of {@link #stopRecordingAsync}. */
  public final void stopRecording(String callId) {
    await(stopRecordingAsync(callId));
  }

  /**
   * Sends DTMF digits on a call ({@link Feature#SEND_DTMF}).
   *
   * @param callId the call
   * @param digits one or more of {@code 0-9 * # A-D}
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> sendDtmfAsync(String callId, String digits) {
    return core.calls.sendDtmf(callId, digits);
  }

  /** Blocking form of {@link #sendDtmfAsync}. */
  public final void sendDtmf(String callId, String digits) {
    await(sendDtmfAsync(callId, digits));
  }

  /**
   * Joins calls into a conference room, creating it if needed ({@link Feature#CONFERENCE}).
   *
   * @param room the room's name
   * @param callIds the calls to join, at least one
   * @return a future completed when the server accepted every request
   */
  public final CompletableFuture<Void> conferenceAsync(String room, String... callIds) {
    return core.calls.conference(room, callIds);
  }

  /** Blocking form of {@link #conferenceAsync}. */
  public final void conference(String room, String... callIds) {
    await(conferenceAsync(room, callIds));
  }

  /**
   * Bridges two calls together ({@link Feature#BRIDGE}).
   *
   * @param callIdA the first call
   * @param callIdB the second call
   * @return a future completed when the server accepted the request
   */
  public final CompletableFuture<Void> bridgeAsync(String callIdA, String callIdB) {
    return core.calls.bridge(callIdA, callIdB);
  }

  /** Blocking form of {@link #bridgeAsync}. */
  public final void bridge(String callIdA, String callIdB) {
    await(bridgeAsync(callIdA, callIdB));
  }

  // ---------------------------------------------------------------- listeners, health, metrics

  /**
   * Registers a listener for every event.
   *
   * @param listener the listener
   * @return a handle whose {@code close()} unregisters it
   */
  public final ListenerRegistration addListener(SipAdapterListener listener) {
    return core.dispatcher.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Unregisters a listener; true if it was registered. */
  public final boolean removeListener(SipAdapterListener listener) {
    return core.dispatcher.remove(listener);
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
    core.metrics.addLatencyObserver(observer);
    return () -> core.metrics.removeLatencyObserver(observer);
  }

  /** Returns a snapshot of the adapter's counters. */
  public final MetricsSnapshot metrics() {
    return core.metrics.snapshot(core.registry.liveCount());
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
    return core.healthCheck();
  }

  // ---------------------------------------------------------------- internals

  private <T> T await(CompletableFuture<T> f) {
    return core.await(f);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "[name="
        + name()
        + ", type="
        + type()
        + ", host="
        + core.config.host()
        + ", port="
        + core.config.port()
        + ", state="
        + core.watchdog.state()
        + "]";
  }
}
