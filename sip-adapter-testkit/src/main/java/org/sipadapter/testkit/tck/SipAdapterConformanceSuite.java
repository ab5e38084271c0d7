package org.sipadapter.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallDirection;
import org.sipadapter.CallNotFoundException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.CallStatus;
import org.sipadapter.ConnectionState;
import org.sipadapter.Disposition;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.HealthReport;
import org.sipadapter.HealthStatus;
import org.sipadapter.MetricsSnapshot;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.UnsupportedFeatureException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.EventSettings;
import org.sipadapter.config.ReconnectPolicy;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.net.FaultProxy;

/**
 * The conformance suite (TCK) every adapter is held to. An adapter's test class extends it and
 * returns a {@link TckFixture} for its server:
 *
 * <pre>{@code
 * class AsteriskConformanceTest extends SipAdapterConformanceSuite {
 *   @Override
 *   protected TckFixture createFixture() {
 *     return new AmiEmulatorFixture();   // implements TckFixture
 *   }
 * }
 * }</pre>
 *
 * <p>Each test needs some of: destinations, fixture {@linkplain TckCapability capabilities}, and
 * adapter {@linkplain Feature features}. What is missing makes the test skip with the reason
 * ("fixture lacks REMOTE_HANGUP", "adapter does not declare HOLD"), so a report shows what was not
 * checked. A feature the adapter does not declare must throw {@link UnsupportedFeatureException}.
 *
 * <p>The suite waits with Awaitility (never sleeps) up to {@link #eventTimeout()}. It changes the
 * fixture's config only to shorten reconnect backoff and, where a test needs it, to route through a
 * {@link FaultProxy}. The 100-call test is tagged {@code stress} (run with {@code -Pstress}).
 *
 * <p>The class uses one instance for all its tests ({@link TestInstance.Lifecycle#PER_CLASS}), so
 * one fixture serves the class; adapters and proxies are created per test and closed after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SipAdapterConformanceSuite {

  /** One MiB, the size of the large-message test. */
  protected static final int ONE_MIB = 1 << 20;

  private TckFixture fixture;
  private final List<SipAdapter> adapters = new ArrayList<>();
  private final List<FaultProxy> proxies = new ArrayList<>();
  private final List<AutoCloseable> cleanups = new ArrayList<>();

  /** For subclasses. */
  protected SipAdapterConformanceSuite() {}

  /**
   * Creates the fixture for this adapter's server; called once before the first test.
   *
   * @return the fixture; closed after the last test
   * @throws Exception if the server cannot be started
   */
  protected abstract TckFixture createFixture() throws Exception;

  /**
   * Returns how long the suite waits for an event. Raise it for slow servers.
   *
   * @return 60 seconds by default
   */
  protected Duration eventTimeout() {
    return Duration.ofSeconds(60);
  }

  /**
   * Returns how long the suite watches for something that must not happen (a second terminal event,
   * a retry). Longer catches more; it never makes a passing adapter fail.
   *
   * @return 500 ms by default
   */
  protected Duration quietPeriod() {
    return Duration.ofMillis(500);
  }

  /** Returns the fixture of this class. */
  protected final TckFixture fixture() {
    return fixture;
  }

  @BeforeAll
  final void startFixture() throws Exception {
    fixture = createFixture();
  }

  @AfterAll
  final void closeFixture() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @AfterEach
  final void closeAdaptersAndProxies() throws Exception {
    for (SipAdapter a : adapters) {
      a.close();
    }
    adapters.clear();
    for (FaultProxy p : proxies) {
      p.close();
    }
    proxies.clear();
    for (AutoCloseable c : cleanups) {
      c.close();
    }
    cleanups.clear();
  }

  // ------------------------------------------------------------------ helpers for tests

  /** Awaitility bounded by {@link #eventTimeout()}. */
  protected final ConditionFactory eventually() {
    return await().atMost(eventTimeout()).pollInterval(Duration.ofMillis(10));
  }

  /**
   * Returns the fixture's config with a fast reconnect backoff (50 ms up to 500 ms, forever).
   *
   * @return the config the tests use
   */
  protected AdapterConfig tckConfig() {
    return withFastReconnect(fixture.config());
  }

  private static AdapterConfig withFastReconnect(AdapterConfig config) {
    return config.toBuilder()
        .reconnect(new ReconnectPolicy(true, Duration.ofMillis(50), Duration.ofMillis(500), 0))
        .build();
  }

  /**
   * Builds an adapter for {@code config} with an {@link EventRecorder} attached; closed after the
   * test.
   *
   * @param config the config
   * @param events the recorder to attach
   * @return the unconnected adapter
   */
  protected final SipAdapter newAdapter(AdapterConfig config, EventRecorder events) {
    SipAdapter adapter = fixture.createAdapter(config);
    adapters.add(adapter);
    adapter.addListener(events);
    return adapter;
  }

  /**
   * Builds and connects an adapter with the TCK config.
   *
   * @param events the recorder to attach
   * @return the connected adapter
   */
  protected final SipAdapter connected(EventRecorder events) {
    SipAdapter adapter = newAdapter(tckConfig(), events);
    adapter.connect();
    awaitConnectedEvent(events);
    return adapter;
  }

  private void awaitConnectedEvent(EventRecorder events) {
    eventually().until(() -> events.connectionStates().contains(ConnectionState.CONNECTED));
  }

  /**
   * Starts a proxy in front of the fixture's server; closed after the test.
   *
   * @return the proxy
   */
  protected final FaultProxy proxy() {
    requireCapability(TckCapability.FAULT_PROXY);
    AdapterConfig c = fixture.config();
    FaultProxy p = FaultProxy.start(c.host(), c.port());
    proxies.add(p);
    return p;
  }

  /**
   * Builds and connects an adapter that reaches the server through {@code proxy}.
   *
   * @param proxy the proxy
   * @param events the recorder to attach
   * @return the connected adapter
   */
  protected final SipAdapter connectedThrough(FaultProxy proxy, EventRecorder events) {
    SipAdapter adapter =
        newAdapter(fixture.configThrough(tckConfig(), proxy.host(), proxy.port()), events);
    adapter.connect();
    awaitConnectedEvent(events);
    return adapter;
  }

  /** Skips the test unless the fixture has the capability. */
  protected final void requireCapability(TckCapability capability) {
    assumeTrue(
        fixture.capabilities().contains(capability),
        () -> "fixture lacks " + capability + " (see TckFixture.capabilities())");
  }

  /** Skips the test unless the adapter declares the feature. */
  protected static void requireFeature(SipAdapter adapter, Feature feature) {
    assumeTrue(
        adapter.features().contains(feature),
        () -> "adapter " + adapter.type() + " does not declare " + feature + " in features()");
  }

  /** Returns the fixture's destination or skips the test. */
  protected final String destination(Destination d) {
    Optional<String> to = fixture.destination(d);
    assumeTrue(to.isPresent(), () -> "fixture has no " + d + " destination");
    return to.get();
  }

  /**
   * Places a call to the answering destination and waits until it is connected.
   *
   * @param adapter a connected adapter
   * @param events its recorder
   * @return the call id
   */
  protected final String answeredCall(SipAdapter adapter, EventRecorder events) {
    String to = destination(Destination.ANSWERS);
    String callId = adapter.makeCall(fixture.caller(), to);
    eventually()
        .alias("call to " + to + " connected")
        .until(() -> events.states(callId).contains(CallState.CONNECTED));
    return callId;
  }

  /** Waits for the call's terminal event and returns it. */
  protected final CallStateChanged awaitEnd(EventRecorder events, String callId) {
    eventually().alias("terminal event of " + callId).until(() -> events.ended(callId));
    return events.terminalEvents(callId).get(0);
  }

  /** Asserts the call has exactly one terminal event, also after {@link #quietPeriod()}. */
  protected final void assertExactlyOneTerminalEvent(EventRecorder events, String callId) {
    awaitEnd(events, callId);
    await()
        .during(quietPeriod())
        .atMost(quietPeriod().plusSeconds(5))
        .until(() -> events.terminalEvents(callId).size() == 1);
  }

  private static CallRecord record(SipAdapter adapter, String callId) {
    return adapter.callHistory().stream()
        .filter(r -> r.callId().equals(callId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no call record for " + callId));
  }

  private static final Set<Feature> CALL_FEATURES =
      EnumSet.of(
          Feature.ANSWER,
          Feature.REJECT,
          Feature.TRANSFER,
          Feature.ATTENDED_TRANSFER,
          Feature.HOLD,
          Feature.RECORDING,
          Feature.SEND_DTMF,
          Feature.CONFERENCE,
          Feature.BRIDGE);

  // ------------------------------------------------------------------ connection lifecycle

  @Test
  @DisplayName("connect, disconnect, connect again, close")
  void connectDisconnectAndReconnectAfterDisconnect() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = newAdapter(tckConfig(), events);
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);

    adapter.connect();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    adapter.connect(); // a second connect does nothing
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);

    adapter.disconnect();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);

    adapter.connect();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);

    adapter.close();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CLOSED);
    eventually()
        .until(
            () ->
                events
                    .connectionStates()
                    .equals(
                        List.of(
                            ConnectionState.CONNECTING,
                            ConnectionState.CONNECTED,
                            ConnectionState.DISCONNECTED,
                            ConnectionState.CONNECTING,
                            ConnectionState.CONNECTED,
                            ConnectionState.CLOSED)));
    assertThatThrownBy(adapter::connect).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("operations before connect fail with AdapterConnectionException")
  void operationsBeforeConnectFailFast() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = newAdapter(tckConfig(), events);
    assumeTrue(adapter.features().contains(Feature.OUTBOUND_CALLS), "no outbound calls");

    assertThatThrownBy(() -> adapter.makeCall(fixture.caller(), "2000"))
        .isInstanceOf(AdapterConnectionException.class);
    assertThat(adapter.activeCalls()).isEmpty();
  }

  @Test
  @DisplayName("wrong credentials: AuthenticationException and no retry storm")
  void wrongCredentialsGiveAuthenticationExceptionWithoutRetries() {
    Optional<AdapterConfig> wrong = fixture.configWithWrongCredentials();
    assumeTrue(wrong.isPresent(), "fixture offers no config with wrong credentials");
    boolean proxied = fixture.capabilities().contains(TckCapability.FAULT_PROXY);
    FaultProxy proxy = proxied ? proxy() : null;
    AdapterConfig config = withFastReconnect(wrong.get());
    if (proxied) {
      config = fixture.configThrough(config, proxy.host(), proxy.port());
    }
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = newAdapter(config, events);

    assertThatThrownBy(adapter::connect).isInstanceOf(AuthenticationException.class);

    assertThat(adapter.connectionState()).isIn(ConnectionState.ERROR, ConnectionState.DISCONNECTED);
    long attempts = proxied ? proxy.acceptedCount() : 0;
    await()
        .during(quietPeriod())
        .atMost(quietPeriod().plusSeconds(5))
        .until(
            () ->
                !events.connectionStates().contains(ConnectionState.RECONNECTING)
                    && (!proxied || proxy.acceptedCount() == attempts));
    assertThat(adapter.connectionState()).isNotEqualTo(ConnectionState.CONNECTED);
  }

  // ------------------------------------------------------------------ outbound calls

  @Test
  @DisplayName(
      "outbound call: DIALING, RINGING, CONNECTED, DISCONNECTED with getStatus at each step")
  void outboundCallFullFlow() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to = destination(Destination.ANSWERS);
    List<String> statusMismatches = new java.util.concurrent.CopyOnWriteArrayList<>();
    adapter.addListener(
        new SipAdapterListener() {
          @Override
          public void onCallStateChanged(CallStateChanged e) {
            if (e.state().isTerminal()) {
              return; // checked from the test thread once the terminal event arrived
            }
            // getStatus may already be further on; it must never be behind the event
            try {
              CallStatus now = adapter.getStatus(e.callId());
              if (now.state().ordinal() < e.state().ordinal() && !now.state().isTerminal()) {
                statusMismatches.add(e.state() + " but getStatus said " + now.state());
              }
            } catch (RuntimeException ex) {
              statusMismatches.add(e.state() + " but getStatus threw " + ex);
            }
          }
        });

    String callId = adapter.makeCall(fixture.caller(), to);
    assertThat(callId).startsWith("if://call/");
    CallStatus placed = adapter.getStatus(callId);
    assertThat(placed.direction()).isEqualTo(CallDirection.OUTBOUND);
    assertThat(placed.to()).isEqualTo(to);
    assertThat(placed.state())
        .isIn(CallState.DIALING, CallState.RINGING, CallState.EARLY_MEDIA, CallState.CONNECTED);
    assertThat(adapter.activeCalls()).extracting(CallStatus::callId).contains(callId);

    eventually().until(() -> events.states(callId).contains(CallState.CONNECTED));
    CallStatus up = adapter.getStatus(callId);
    assertThat(up.state()).isEqualTo(CallState.CONNECTED);
    assertThat(up.answeredAt()).isNotNull();

    adapter.hangup(callId);
    CallStateChanged end = awaitEnd(events, callId);

    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertExactlyOneTerminalEvent(events, callId);
    List<CallState> states = events.states(callId);
    assertThat(states.get(0)).isEqualTo(CallState.DIALING);
    assertThat(states)
        .containsSubsequence(
            CallState.DIALING, CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    assertThat(states.get(states.size() - 1)).isEqualTo(CallState.DISCONNECTED);
    CallStatus done = adapter.getStatus(callId);
    assertThat(done.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(done.endedAt()).isNotNull();
    assertThat(adapter.activeCalls()).extracting(CallStatus::callId).doesNotContain(callId);
    assertThat(record(adapter, callId).disposition()).isEqualTo(Disposition.ANSWERED);
    assertThat(statusMismatches).isEmpty();
  }

  @Test
  @DisplayName("busy destination: FAILED, USER_BUSY, disposition BUSY")
  void callToBusyDestinationFailsWithUserBusy() {
    assertFailedCall(Destination.BUSY, Disposition.BUSY, 17);
  }

  @Test
  @DisplayName("unknown destination: FAILED, unallocated number or no route, disposition FAILED")
  void callToUnknownDestinationFailsWithUnallocatedNumber() {
    assertFailedCall(Destination.UNKNOWN, Disposition.FAILED, 1, 3);
  }

  @Test
  @DisplayName("unanswered destination: FAILED after the ring timeout, NO_ANSWER")
  void callToUnansweredDestinationFailsWithNoAnswerAfterRingTimeout() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to = destination(Destination.NO_ANSWER);

    String callId =
        adapter.makeCall(
            fixture.caller(), to, CallOptions.builder().timeout(Duration.ofSeconds(2)).build());

    CallStateChanged end = awaitEnd(events, callId);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isIn(18, 19);
    assertExactlyOneTerminalEvent(events, callId);
    assertThat(events.states(callId)).doesNotContain(CallState.CONNECTED);
    assertThat(record(adapter, callId).disposition()).isEqualTo(Disposition.NO_ANSWER);
  }

  private void assertFailedCall(Destination d, Disposition disposition, Integer... q850) {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to = destination(d);

    String callId = adapter.makeCall(fixture.caller(), to);

    CallStateChanged end = awaitEnd(events, callId);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause()).isNotNull();
    assertThat(end.cause().q850()).isIn((Object[]) q850);
    assertExactlyOneTerminalEvent(events, callId);
    assertThat(adapter.getStatus(callId).state()).isEqualTo(CallState.FAILED);
    assertThat(record(adapter, callId).disposition()).isEqualTo(disposition);
  }

  @Test
  @DisplayName("remote hangup: DISCONNECTED with NORMAL_CLEARING")
  void remoteHangupIsSeen() {
    requireCapability(TckCapability.REMOTE_HANGUP);
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String callId = answeredCall(adapter, events);

    fixture.hangupOnServer(adapter.getStatus(callId));

    CallStateChanged end = awaitEnd(events, callId);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.cause().q850()).isEqualTo(HangupCause.NORMAL_CLEARING.q850());
    assertExactlyOneTerminalEvent(events, callId);
    assertThat(record(adapter, callId).disposition()).isEqualTo(Disposition.ANSWERED);
  }

  @Test
  @DisplayName("wire input with CR/LF/NUL is refused before anything is sent")
  void injectionIntoTheWireIsRefused() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);

    for (String bad : List.of("2000\r\nAction: Hangup", "2000\nx", "20\u000000")) {
      assertThatThrownBy(() -> adapter.makeCall(fixture.caller(), bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(adapter.activeCalls()).isEmpty();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  // ------------------------------------------------------------------ inbound calls

  @Test
  @DisplayName("inbound call raises IncomingCall; answer and hangup where supported")
  void inboundCallRaisesIncomingCallAndCanBeAnswered() {
    requireCapability(TckCapability.INBOUND_CALL);
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.INBOUND_CALLS);

    fixture.triggerInboundCall("3001", "4001");

    eventually().until(() -> !events.incomingCalls().isEmpty());
    IncomingCall in = events.incomingCalls().get(0);
    assertThat(in.from()).contains("3001");
    assertThat(in.to()).contains("4001");
    CallStatus status = adapter.getStatus(in.callId());
    assertThat(status.direction()).isEqualTo(CallDirection.INBOUND);
    assertThat(status.state().isTerminal()).isFalse();

    if (adapter.features().contains(Feature.ANSWER)) {
      adapter.answer(in.callId());
      eventually().until(() -> events.states(in.callId()).contains(CallState.CONNECTED));
    }
    adapter.hangup(in.callId());
    assertExactlyOneTerminalEvent(events, in.callId());
  }

  @Test
  @DisplayName("inbound call can be rejected where supported")
  void inboundCallCanBeRejected() {
    requireCapability(TckCapability.INBOUND_CALL);
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.INBOUND_CALLS);
    requireFeature(adapter, Feature.REJECT);

    fixture.triggerInboundCall("3002", "4002");
    eventually().until(() -> !events.incomingCalls().isEmpty());
    String callId = events.incomingCalls().get(0).callId();

    adapter.reject(callId, HangupCause.USER_BUSY);

    assertExactlyOneTerminalEvent(events, callId);
    assertThat(events.states(callId)).doesNotContain(CallState.CONNECTED);
  }

  // ------------------------------------------------------------------ optional features

  @Test
  @DisplayName("every undeclared feature throws UnsupportedFeatureException naming it")
  void undeclaredFeaturesThrowUnsupportedFeatureException() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    Set<Feature> missing = EnumSet.copyOf(CALL_FEATURES);
    missing.removeAll(adapter.features());
    assumeTrue(!missing.isEmpty(), "adapter declares every optional feature");
    String anyId = "if://call/00000000-0000-0000-0000-000000000000";

    for (Feature f : missing) {
      Runnable op = operation(adapter, f, anyId);
      assertThatThrownBy(op::run)
          .as(f.toString())
          .isInstanceOfSatisfying(
              UnsupportedFeatureException.class, e -> assertThat(e.feature()).isEqualTo(f));
    }
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  private static Runnable operation(SipAdapter a, Feature f, String callId) {
    return switch (f) {
      case ANSWER -> () -> a.answer(callId);
      case REJECT -> () -> a.reject(callId, HangupCause.CALL_REJECTED);
      case TRANSFER -> () -> a.transfer(callId, "2001");
      case ATTENDED_TRANSFER -> () -> a.attendedTransfer(callId, "2001");
      case HOLD -> () -> a.hold(callId);
      case RECORDING -> () -> a.startRecording(callId, "tck-recording");
      case SEND_DTMF -> () -> a.sendDtmf(callId, "1");
      case CONFERENCE -> () -> a.conference("tck-room", callId);
      case BRIDGE -> () -> a.bridge(callId, callId);
      default -> throw new IllegalArgumentException("no operation for " + f);
    };
  }

  @Test
  @DisplayName("hold and resume work where declared")
  void holdAndResumeWhereDeclared() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.HOLD);
    String callId = answeredCall(adapter, events);

    adapter.hold(callId);
    eventually().until(() -> adapter.getStatus(callId).state() == CallState.ON_HOLD);
    adapter.resume(callId);
    eventually().until(() -> adapter.getStatus(callId).state() == CallState.CONNECTED);

    adapter.hangup(callId);
    assertExactlyOneTerminalEvent(events, callId);
  }

  @Test
  @DisplayName("DTMF is sent where declared")
  void sendDtmfWhereDeclared() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.SEND_DTMF);
    String callId = answeredCall(adapter, events);

    adapter.sendDtmf(callId, "12#");

    assertThatThrownBy(() -> adapter.sendDtmf(callId, "1\r\n"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(adapter.getStatus(callId).state()).isEqualTo(CallState.CONNECTED);
    adapter.hangup(callId);
    awaitEnd(events, callId);
  }

  @Test
  @DisplayName("DTMF from the far end raises DtmfReceived where declared")
  void receivedDtmfIsReported() {
    requireCapability(TckCapability.DTMF_TO_ADAPTER);
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.RECEIVE_DTMF);
    String callId = answeredCall(adapter, events);

    fixture.sendDtmfToAdapter(adapter.getStatus(callId), "7");

    eventually()
        .until(
            () ->
                events.dtmf().stream()
                    .anyMatch(d -> d.callId().equals(callId) && d.digit().equals("7")));
    adapter.hangup(callId);
    awaitEnd(events, callId);
  }

  @Test
  @DisplayName("recording starts and stops where declared")
  void recordingWhereDeclared() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.RECORDING);
    String callId = answeredCall(adapter, events);

    adapter.startRecording(callId, "tck-" + System.nanoTime());
    adapter.stopRecording(callId);

    assertThat(adapter.getStatus(callId).state()).isEqualTo(CallState.CONNECTED);
    adapter.hangup(callId);
    awaitEnd(events, callId);
  }

  @Test
  @DisplayName("blind transfer is accepted where declared")
  void transferWhereDeclared() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.TRANSFER);
    Optional<String> target = fixture.transferTarget();
    assumeTrue(target.isPresent(), "fixture has no transfer target");
    String callId = answeredCall(adapter, events);

    adapter.transfer(callId, target.get());

    assertThatThrownBy(() -> adapter.transfer(callId, "2001\r\nx"))
        .isInstanceOf(IllegalArgumentException.class);
    assertTransferringThenWhatTheServerShows(events, callId);
  }

  /**
   * After an accepted transfer the call reports {@code TRANSFERRING}, then either continues ({@code
   * CONNECTED}, with the target) or ends (our leg left it), and never has two terminal events.
   */
  private void assertTransferringThenWhatTheServerShows(EventRecorder events, String callId) {
    eventually()
        .alias("TRANSFERRING, then CONNECTED or the end, for " + callId)
        .until(
            () -> {
              List<CallState> states = events.states(callId);
              int t = states.indexOf(CallState.TRANSFERRING);
              return t >= 0
                  && states.size() > t + 1
                  && (states.get(t + 1) == CallState.CONNECTED || states.get(t + 1).isTerminal());
            });
    assertThat(events.terminalEvents(callId)).hasSizeLessThanOrEqualTo(1);
  }

  @Test
  @DisplayName("attended transfer is accepted where declared")
  void attendedTransferWhereDeclared() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.ATTENDED_TRANSFER);
    Optional<String> target = fixture.transferTarget();
    assumeTrue(target.isPresent(), "fixture has no transfer target");
    String callId = answeredCall(adapter, events);

    adapter.attendedTransfer(callId, target.get());

    assertThatThrownBy(() -> adapter.attendedTransfer(callId, "2001\nx"))
        .isInstanceOf(IllegalArgumentException.class);
    assertTransferringThenWhatTheServerShows(events, callId);
  }

  @Test
  @DisplayName("conference and bridge join calls where declared")
  void conferenceAndBridgeWhereDeclared() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    boolean conference = adapter.features().contains(Feature.CONFERENCE);
    boolean bridge = adapter.features().contains(Feature.BRIDGE);
    assumeTrue(conference || bridge, "adapter declares neither CONFERENCE nor BRIDGE");
    String a = answeredCall(adapter, events);
    String b = answeredCall(adapter, events);

    if (conference) {
      adapter.conference("tck-room-" + System.nanoTime(), a, b);
    } else {
      adapter.bridge(a, b);
    }

    assertThat(adapter.getStatus(a).state().isTerminal()).isFalse();
    adapter.hangup(a);
    awaitEnd(events, a);
  }

  // ------------------------------------------------------------------ the core guarantees

  @Test
  @DisplayName("every declared feature is offered: its operations never say unsupported")
  void everyDeclaredFeatureIsOffered() {
    SipAdapter adapter = newAdapter(tckConfig(), new EventRecorder());
    String unknown = "if://call/00000000-0000-0000-0000-000000000000";

    for (Feature f : adapter.features()) {
      if (f == Feature.OUTBOUND_CALLS) {
        // offered, and refused only because the adapter is not connected yet
        fixture
            .destination(Destination.ANSWERS)
            .ifPresent(
                to ->
                    assertThatThrownBy(() -> adapter.makeCall(fixture.caller(), to))
                        .as("%s declares %s", adapter.type(), f)
                        .isInstanceOf(AdapterConnectionException.class));
      }
      if (!CALL_FEATURES.contains(f)) {
        continue;
      }
      for (Runnable op : operations(adapter, f, unknown)) {
        // the operation got past the feature check: only the call is unknown
        assertThatThrownBy(op::run)
            .as("%s declares %s", adapter.type(), f)
            .isInstanceOf(CallNotFoundException.class);
      }
    }
  }

  /** Every operation of a call feature: both halves of hold and of recording. */
  private static List<Runnable> operations(SipAdapter a, Feature f, String callId) {
    return switch (f) {
      case HOLD -> List.of(() -> a.hold(callId), () -> a.resume(callId));
      case RECORDING ->
          List.of(() -> a.startRecording(callId, "tck-recording"), () -> a.stopRecording(callId));
      default -> List.of(operation(a, f, callId));
    };
  }

  @Test
  @DisplayName("after a call's terminal event nothing carries its id")
  void nothingCarriesACallsIdAfterItsTerminalEvent() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String hungUp = answeredCall(adapter, events);
    adapter.hangup(hungUp);
    List<String> ids = new ArrayList<>(List.of(hungUp));
    if (fixture.capabilities().contains(TckCapability.REMOTE_HANGUP)) {
      String remote = answeredCall(adapter, events);
      fixture.hangupOnServer(adapter.getStatus(remote));
      ids.add(remote);
    }
    fixture
        .destination(Destination.BUSY)
        .ifPresent(to -> ids.add(adapter.makeCall(fixture.caller(), to)));

    for (String id : ids) {
      awaitEnd(events, id);
    }
    await()
        .during(quietPeriod())
        .atMost(quietPeriod().plusSeconds(5))
        .until(() -> ids.stream().allMatch(id -> eventsAfterTerminal(events, id).isEmpty()));
  }

  private static List<AdapterEvent> eventsAfterTerminal(EventRecorder events, String callId) {
    List<AdapterEvent> all = events.all();
    int end = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) instanceof CallStateChanged c && c.callId().equals(callId) && c.isTerminal()) {
        end = i;
        break;
      }
    }
    List<AdapterEvent> after = new ArrayList<>();
    if (end >= 0) {
      for (AdapterEvent e : all.subList(end + 1, all.size())) {
        if (e.relatedCallId().filter(callId::equals).isPresent()) {
          after.add(e);
        }
      }
    }
    return after;
  }

  /** The TCK config with a short request timeout and a long keepalive, for the stall checks. */
  private AdapterConfig shortRequestConfig(Duration request, Duration keepalive) {
    AdapterConfig base = tckConfig();
    return base.toBuilder()
        .timeouts(
            new org.sipadapter.config.Timeouts(
                base.timeouts().connect(), request, base.timeouts().ring(), keepalive))
        .build();
  }

  @Test
  @DisplayName("a call whose request timed out is hung up when the server carries it out late")
  void aTimedOutCallLeavesNothingRunningOnTheServer() {
    requireCapability(TckCapability.LATE_ANSWER);
    EventRecorder events = new EventRecorder();
    SipAdapter adapter =
        newAdapter(shortRequestConfig(Duration.ofSeconds(1), Duration.ofSeconds(60)), events);
    adapter.connect();
    awaitConnectedEvent(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to = destination(Destination.ANSWERS);

    fixture.stallServer();
    cleanups.add(fixture::resumeServer);
    CompletableFuture<String> call =
        adapter.makeCallAsync(fixture.caller(), to, CallOptions.DEFAULTS);
    eventually().alias("makeCall timed out").until(call::isDone);
    assertThatThrownBy(call::join).hasCauseInstanceOf(AdapterTimeoutException.class);
    // Listeners hear of the call on the event thread, which may lag behind the failed future.
    eventually()
        .alias("the call's DIALING event")
        .until(() -> !events.of(CallStateChanged.class).isEmpty());
    String callId = events.of(CallStateChanged.class).get(0).callId();
    // the terminal event is emitted as the future fails and delivered on the event threads
    eventually()
        .alias("the timed-out call's terminal event")
        .until(() -> events.terminalEvents(callId).size() == 1);
    fixture.resumeServer();

    eventually()
        .alias("the late call hung up by the adapter")
        .until(() -> adapter.metrics().orphansHungUp() >= 1);
    eventually()
        .alias("no call left on the server")
        .until(() -> fixture.serverCalls().orElseThrow() == 0);
    assertThat(events.incomingCalls()).isEmpty();
    assertThat(eventsAfterTerminal(events, callId)).isEmpty();
    assertThat(events.terminalEvents(callId)).hasSize(1);
  }

  @Test
  @DisplayName("a frozen server is reported CRITICAL once the keepalive times out")
  void aFrozenServerIsNotHealthy() {
    requireCapability(TckCapability.STALL);
    EventRecorder events = new EventRecorder();
    SipAdapter adapter =
        newAdapter(shortRequestConfig(Duration.ofSeconds(1), Duration.ofMillis(300)), events);
    adapter.connect();
    awaitConnectedEvent(events);

    fixture.stallServer();
    cleanups.add(fixture::resumeServer);

    eventually()
        .alias("CRITICAL while the server is frozen")
        .until(() -> adapter.healthCheck().status() == HealthStatus.CRITICAL);
    fixture.resumeServer();
    eventually()
        .alias("connected again once the server answers")
        .until(() -> adapter.connectionState() == ConnectionState.CONNECTED);
  }

  @Test
  @DisplayName("two adapters on one server each control their own calls and see the other's")
  void twoAdaptersOnOneServerKeepToTheirOwnCalls() {
    requireCapability(TckCapability.SECOND_CLIENT);
    EventRecorder eventsA = new EventRecorder();
    EventRecorder eventsB = new EventRecorder();
    SipAdapter a = connected(eventsA);
    SipAdapter b = connected(eventsB);
    requireFeature(a, Feature.OUTBOUND_CALLS);

    String callA = answeredCall(a, eventsA);

    eventually()
        .alias("the second adapter sees the first one's call as a call it did not place")
        .until(() -> !eventsB.incomingCalls().isEmpty());
    assertThat(eventsA.incomingCalls()).isEmpty();
    assertThat(a.getStatus(callA).direction()).isEqualTo(CallDirection.OUTBOUND);
    b.close();
    await()
        .during(quietPeriod())
        .atMost(quietPeriod().plusSeconds(5))
        .until(() -> eventsA.terminalEvents(callA).isEmpty());
    assertThat(a.getStatus(callA).state()).isEqualTo(CallState.CONNECTED);
    a.hangup(callA);
    assertExactlyOneTerminalEvent(eventsA, callA);
  }

  @Test
  @DisplayName("terminal events are never dropped when the listener falls behind")
  void terminalEventsSurviveFullDeliveryQueues() throws InterruptedException {
    EventRecorder events = new EventRecorder();
    AdapterConfig config =
        tckConfig().toBuilder().events(new EventSettings(1, 16, Duration.ofSeconds(30))).build();
    SipAdapter adapter = newAdapter(config, events);
    adapter.connect();
    awaitConnectedEvent(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to =
        fixture
            .destination(Destination.BUSY)
            .or(() -> fixture.destination(Destination.UNKNOWN))
            .orElseGet(() -> destination(Destination.ANSWERS));
    CountDownLatch release = new CountDownLatch(1);
    adapter.addListener(
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent event) {
            awaitQuietly(release);
          }
        });
    List<String> ids = new ArrayList<>();
    try {
      // More events than the queue holds (16), all behind a listener that does not return.
      for (int i = 0; i < 20; i++) {
        String id = adapter.makeCall(fixture.caller(), to);
        ids.add(id);
        if (!fixture.destination(Destination.BUSY).isPresent()
            && !fixture.destination(Destination.UNKNOWN).isPresent()) {
          adapter.hangup(id);
        }
      }
      eventually()
          .alias("every call ended in the adapter")
          .until(() -> ids.stream().allMatch(id -> adapter.getStatus(id).state().isTerminal()));
    } finally {
      release.countDown();
    }

    for (String id : ids) {
      assertExactlyOneTerminalEvent(events, id);
    }
  }

  // ------------------------------------------------------------------ soak and overload (stress)

  /**
   * The soak: 100 live calls, then 100 random faults on their link (a cut, a black hole, added
   * latency), then every call hung up. Every call gets exactly one terminal event and nothing after
   * it, the server holds no call at the end (where the fixture can count them), the metrics add up,
   * and no thread is left behind. The seed is printed, so a failing run can be repeated with {@code
   * -Dsipadapter.soak.seed=<seed>}.
   */
  @Test
  @Tag("stress")
  @DisplayName("soak: 100 random link faults during 100 live calls lose nothing (stress)")
  void soakLinkFaultsDuringLiveCalls() {
    FaultProxy proxy = proxy();
    EventRecorder events = new EventRecorder();
    AdapterConfig config = fixture.configThrough(tckConfig(), proxy.host(), proxy.port());
    try (SipAdapter warm = fixture.createAdapter(config)) {
      warm.connect();
      warm.disconnect();
    }
    ResourceSnapshot before = ResourceSnapshot.take();
    SipAdapter adapter = newAdapter(config, events);
    adapter.connect();
    awaitConnectedEvent(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    long seed = Long.getLong("sipadapter.soak.seed", System.nanoTime());
    System.out.println("soak seed " + seed + " (" + adapter.type() + ")");
    java.util.Random random = new java.util.Random(seed);
    String to = destination(Destination.ANSWERS);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add(answeredCall(adapter, events));
    }

    int cuts = 0;
    for (int i = 0; i < 100; i++) {
      switch (random.nextInt(3)) {
        case 0 -> {
          proxy.cutAll();
          cuts++;
        }
        case 1 -> proxy.blackHole();
        default -> proxy.latency(Duration.ofMillis(1 + random.nextInt(50)));
      }
      awaitQuietly(Duration.ofMillis(random.nextInt(100)));
      proxy.restore();
      eventually()
          .alias("connected after fault " + i)
          .until(() -> adapter.connectionState() == ConnectionState.CONNECTED);
    }

    for (String id : ids) {
      eventually()
          .alias("hangup of " + id)
          .ignoreExceptions()
          .until(
              () -> {
                adapter.hangup(id);
                return true;
              });
    }
    for (String id : ids) {
      assertExactlyOneTerminalEvent(events, id);
      assertThat(eventsAfterTerminal(events, id)).as("events after the end of %s", id).isEmpty();
    }
    fixture
        .serverCalls()
        .ifPresent(
            n ->
                eventually()
                    .alias("no call left on the server")
                    .until(() -> fixture.serverCalls().getAsInt() == 0));
    MetricsSnapshot m = adapter.metrics();
    assertThat(m.callsAttempted()).isEqualTo(ids.size());
    assertThat(m.activeCalls()).isZero();
    System.out.println(
        "soak "
            + adapter.type()
            + ": 100 faults ("
            + cuts
            + " cuts), "
            + m.reconnects()
            + " reconnects, "
            + ids.size()
            + " calls, "
            + events.of(CallStateChanged.class).stream()
                .filter(CallStateChanged::isTerminal)
                .count()
            + " terminal events, "
            + m.orphansHungUp()
            + " orphans hung up, "
            + m.droppedEvents()
            + " events dropped, "
            + fixture.serverCalls().stream().mapToObj(Integer::toString).findFirst().orElse("n/a")
            + " calls left on the server");
    adapter.close();
    assertNothingLeftSince(before, proxy);
    System.out.println("soak " + adapter.type() + ": nothing left after close()");
  }

  private static void awaitQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis()); // the length of a fault, not a wait for an event
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Overload: for 60 s ({@code -Dsipadapter.overload.seconds}), events arrive ten times faster than
   * a slow listener takes them (calls placed and ended as fast as the server allows, the listener
   * taking a tenth of the event rate measured on 20 calls first). The link stays up, every terminal
   * event arrives exactly once, the drops are counted, and the heap stays bounded.
   *
   * <p>The flood is watched by a {@link TerminalTally}, not the {@link EventRecorder}: a recorder
   * that copies its list on every event would itself be the slow listener (and the heap figure).
   */
  @Test
  @Tag("stress")
  @DisplayName("overload: events ten times faster than the listener for 60 s (stress)")
  void overloadKeepsTheLinkAndEveryTerminalEvent() throws InterruptedException {
    EventRecorder events = new EventRecorder();
    AdapterConfig config =
        tckConfig().toBuilder().events(new EventSettings(2, 256, Duration.ofSeconds(30))).build();
    SipAdapter adapter = newAdapter(config, events);
    adapter.connect();
    awaitConnectedEvent(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to =
        fixture
            .destination(Destination.BUSY)
            .or(() -> fixture.destination(Destination.UNKNOWN))
            .orElseGet(() -> destination(Destination.ANSWERS));
    boolean hangUp =
        fixture.destination(Destination.BUSY).isEmpty()
            && fixture.destination(Destination.UNKNOWN).isEmpty();
    // Measure the rate the server allows and the events per call the way the flood places calls
    // (one after the other, ends not awaited in between: awaiting each end would measure the
    // poll interval), for 3 s after 3 s of warm-up (a cold JVM is several times slower than the
    // flood), then make the listener ten times slower than the events come.
    adapter.removeListener(events); // a copy per event: it would slow the probe, then the flood
    TerminalTally probe = new TerminalTally();
    adapter.addListener(probe);
    floodFor(adapter, to, hangUp, probe, Duration.ofSeconds(3));
    long eventsBefore = probe.delivered();
    long droppedBeforeProbe = adapter.metrics().droppedEvents();
    long probeStart = System.nanoTime();
    int probeCalls = floodFor(adapter, to, hangUp, probe, Duration.ofSeconds(3));
    long perCallNanos = (System.nanoTime() - probeStart) / Math.max(1, probeCalls);
    awaitQuietly(quietPeriod()); // the probe's last raw events
    long probeEvents =
        probe.delivered() - eventsBefore + adapter.metrics().droppedEvents() - droppedBeforeProbe;
    int eventsPerCall = (int) Math.max(1, probeEvents / Math.max(1, probeCalls));
    long listenerNanos = Math.max(perCallNanos * 10 / eventsPerCall, 100_000);
    adapter.removeListener(probe);
    TerminalTally tally = new TerminalTally();
    adapter.addListener(tally);
    adapter.addListener(
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent event) {
            java.util.concurrent.locks.LockSupport.parkNanos(listenerNanos);
          }
        });
    HeapWatch heap = new HeapWatch();
    long droppedBefore = adapter.metrics().droppedEvents();
    List<String> ids = new ArrayList<>();
    // On a loaded machine a request may time out: that call never got an id (and the adapter
    // leaves nothing running for it); the flood goes on, and the count is reported.
    int timedOut = 0;
    long seconds = Long.getLong("sipadapter.overload.seconds", 60);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    FloodPacer pacer = new FloodPacer(fixture.floodCallsPerSecond(), perCallNanos, probeCalls);
    while (System.nanoTime() < end) {
      String id;
      pacer.awaitTurn(adapter);
      long asked = System.nanoTime();
      try {
        id = adapter.makeCall(fixture.caller(), to);
        pacer.answered(System.nanoTime() - asked);
      } catch (AdapterTimeoutException e) {
        // Timed out, or refused by an adapter that paces its requests (the call ended FAILED,
        // one more terminal event queued): the flood backs off for one call's time, or a loop of
        // refusals would queue terminal events faster than any listener.
        timedOut++;
        java.util.concurrent.locks.LockSupport.parkNanos(perCallNanos);
        continue;
      }
      ids.add(id);
      if (hangUp) {
        adapter.hangupAsync(id);
      }
      heap.sample();
      assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    }
    long floodEnd = System.nanoTime();
    long droppedAtFloodEnd = adapter.metrics().droppedEvents() - droppedBefore;
    // Every terminal event waits for the slow listener, so the drain takes about the terminal
    // events times the listener's time over the two lanes: bounded by far more than that.
    long drainBound = Math.max(600, ids.size() * listenerNanos / 1_000_000_000L * 2);
    eventually()
        .atMost(Duration.ofSeconds(drainBound))
        .pollInterval(Duration.ofMillis(200))
        .conditionEvaluationListener(c -> heap.sample())
        .untilAsserted(
            () ->
                assertThat(tally.callsEnded(ids))
                    .as("calls of %d with a terminal event", ids.size())
                    .isEqualTo(ids.size()));
    long drainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - floodEnd);
    awaitQuietly(quietPeriod()); // anything late would show as a second end or after the end
    heap.sample();
    MetricsSnapshot m = adapter.metrics();
    long dropped = m.droppedEvents() - droppedBefore;
    System.out.println(
        "overload "
            + adapter.type()
            + ": "
            + ids.size()
            + " calls in "
            + seconds
            + " s ("
            + timedOut
            + " requests timed out or refused, "
            + pacer.description()
            + "), "
            + eventsPerCall
            + " events per call, listener "
            + TimeUnit.NANOSECONDS.toMicros(listenerNanos)
            + " us per event; events raised "
            + (tally.delivered() + dropped)
            + ", delivered "
            + tally.delivered()
            + ", dropped "
            + dropped
            + " ("
            + droppedAtFloodEnd
            + " during the flood); terminal events lost "
            + (ids.size() - tally.callsEnded(ids))
            + ", duplicated "
            + tally.duplicateEnds()
            + ", after the end "
            + tally.afterEnd()
            + "; drain "
            + drainMs
            + " ms; link "
            + adapter.connectionState()
            + " ("
            + tally.linkChanges()
            + " link changes); heap peak "
            + (heap.peakUsed() >> 20)
            + " MiB used, "
            + (heap.peakLive() >> 20)
            + " MiB live after GC (before "
            + (heap.before() >> 20)
            + " MiB)");
    assertThat(tally.duplicateEnds()).as("second terminal events").isZero();
    assertThat(tally.afterEnd()).as("events after a terminal event").isZero();
    assertThat(tally.linkChanges()).as("connection state changes during the flood").isEmpty();
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(m.activeCalls()).isZero();
  }

  /**
   * Paces the flood to what the server takes: at most the fixture's rate, at most as many calls
   * active in the adapter as the probe placed in one second (the server still holds them), and a
   * pause as long as an answer whenever the server answers more than four times slower than during
   * the probe (its queues are filling). The listener is not consulted: the flood stays ten times
   * faster than it.
   */
  static final class FloodPacer {
    private final long intervalNanos;
    private final long slowAnswerNanos;
    private final long maxActive;
    private long next = System.nanoTime();
    private long backOffs;
    private long capWaits;

    FloodPacer(java.util.OptionalInt callsPerSecond, long probePerCallNanos, int probeCalls) {
      this.intervalNanos =
          callsPerSecond.isPresent() ? 1_000_000_000L / Math.max(1, callsPerSecond.getAsInt()) : 0;
      this.slowAnswerNanos = Math.max(4 * probePerCallNanos, TimeUnit.MILLISECONDS.toNanos(50));
      this.maxActive = probeCalls < 0 ? Long.MAX_VALUE : Math.max(64, probeCalls / 3L);
    }

    void awaitTurn(SipAdapter adapter) {
      long now = System.nanoTime();
      if (intervalNanos > 0 && next > now) {
        java.util.concurrent.locks.LockSupport.parkNanos(next - now);
      }
      next = Math.max(next, now) + intervalNanos;
      while (adapter.metrics().activeCalls() >= maxActive) {
        capWaits++;
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }

    void answered(long nanos) {
      if (nanos > slowAnswerNanos) {
        backOffs++;
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
      }
    }

    String description() {
      return "paced "
          + (intervalNanos > 0 ? (1_000_000_000L / intervalNanos) + " calls/s" : "by answers")
          + ", at most "
          + maxActive
          + " active, "
          + backOffs
          + " back-offs on slow answers, "
          + capWaits
          + " waits at the cap";
    }
  }

  /**
   * Places calls one after the other for {@code length}, then awaits their ends; returns how many.
   */
  private int floodFor(
      SipAdapter adapter, String to, boolean hangUp, TerminalTally tally, Duration length) {
    List<String> placed = new ArrayList<>();
    long end = System.nanoTime() + length.toNanos();
    // The fixture's rate only: the probe measures what the server answers.
    FloodPacer pacer = new FloodPacer(fixture.floodCallsPerSecond(), Long.MAX_VALUE / 8, -1);
    while (System.nanoTime() < end) {
      String id;
      pacer.awaitTurn(adapter);
      try {
        id = adapter.makeCall(fixture.caller(), to);
      } catch (AdapterTimeoutException e) {
        continue;
      }
      placed.add(id);
      if (hangUp) {
        adapter.hangupAsync(id);
      }
    }
    eventually()
        .alias("the ends of " + placed.size() + " probe calls")
        .until(() -> tally.callsEnded(placed) == placed.size());
    return placed.size();
  }

  /**
   * Counts, per call, the terminal events and what came after them, and keeps connection changes:
   * constant work per event, so it never becomes the slow listener itself.
   */
  static final class TerminalTally implements SipAdapterListener {
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> ends =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong delivered =
        new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong duplicates =
        new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong afterEnd =
        new java.util.concurrent.atomic.AtomicLong();
    private final List<String> linkChanges = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onEvent(AdapterEvent event) {
      delivered.incrementAndGet();
      if (event instanceof org.sipadapter.event.ConnectionStateChanged c) {
        linkChanges.add(c.previous() + "->" + c.state() + " (" + c.reason() + ")");
        return;
      }
      String id = event.relatedCallId().orElse(null);
      if (id == null) {
        return;
      }
      if (event instanceof CallStateChanged c && c.isTerminal()) {
        if (ends.merge(id, 1, Integer::sum) > 1) {
          duplicates.incrementAndGet();
        }
      } else if (ends.containsKey(id)) {
        afterEnd.incrementAndGet();
      }
    }

    long callsEnded(List<String> ids) {
      return ids.stream().filter(ends::containsKey).count();
    }

    long delivered() {
      return delivered.get();
    }

    long duplicateEnds() {
      return duplicates.get();
    }

    long afterEnd() {
      return afterEnd.get();
    }

    List<String> linkChanges() {
      return List.copyOf(linkChanges);
    }
  }

  /**
   * The heap in use (garbage included, sampled) and the live heap after each collection (what the
   * collector kept, read from the heap pools), with their peaks.
   */
  static final class HeapWatch {
    private final Runtime rt = Runtime.getRuntime();
    private final long before = used();
    private long peakUsed = before;
    private long peakLive;

    private long used() {
      return rt.totalMemory() - rt.freeMemory();
    }

    synchronized void sample() {
      peakUsed = Math.max(peakUsed, used());
      long live = 0;
      for (java.lang.management.MemoryPoolMXBean pool :
          java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == java.lang.management.MemoryType.HEAP
            && pool.getCollectionUsage() != null) {
          live += pool.getCollectionUsage().getUsed();
        }
      }
      peakLive = Math.max(peakLive, live);
    }

    long before() {
      return before;
    }

    synchronized long peakUsed() {
      return peakUsed;
    }

    synchronized long peakLive() {
      return peakLive;
    }
  }

  // ------------------------------------------------------------------ health and metrics

  @Test
  @DisplayName("health and metrics reflect calls, success rate and latency")
  void healthAndMetricsReflectWhatHappened() {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String answered = answeredCall(adapter, events);
    adapter.hangup(answered);
    awaitEnd(events, answered);
    Optional<String> busy = fixture.destination(Destination.BUSY);
    busy.ifPresent(
        to -> {
          String failed = adapter.makeCall(fixture.caller(), to);
          awaitEnd(events, failed);
        });

    MetricsSnapshot m = adapter.metrics();
    assertThat(m.callsAttempted()).isEqualTo(busy.isPresent() ? 2 : 1);
    assertThat(m.callsSucceeded()).isEqualTo(1);
    assertThat(m.callsFailed()).isEqualTo(busy.isPresent() ? 1 : 0);
    assertThat(m.successRate()).isEqualTo(busy.isPresent() ? 0.5 : 1.0);
    assertThat(m.requestLatency().count()).isPositive();
    assertThat(m.activeCalls()).isZero();

    HealthReport h = adapter.healthCheck();
    assertThat(h.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(h.adapterType()).isEqualTo(adapter.type());
    assertThat(h.status()).isNotNull();
    if (h.status() != HealthStatus.HEALTHY) {
      assertThat(h.reasons()).isNotEmpty();
    }

    adapter.disconnect();
    HealthReport down = adapter.healthCheck();
    assertThat(down.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(down.reasons()).isNotEmpty();
  }

  // ------------------------------------------------------------------ load

  @Test
  @DisplayName("10 simultaneous calls are all tracked to their terminal state")
  void tenSimultaneousCalls() {
    simultaneousCalls(10);
  }

  @Test
  @Tag("stress")
  @DisplayName("120 simultaneous calls are all tracked to their terminal state (stress)")
  void hundredTwentySimultaneousCalls() {
    simultaneousCalls(120);
  }

  private void simultaneousCalls(int count) {
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to = destination(Destination.ANSWERS);

    List<CompletableFuture<String>> placed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      placed.add(adapter.makeCallAsync(fixture.caller(), to, CallOptions.DEFAULTS));
    }
    List<String> ids = new ArrayList<>();
    for (CompletableFuture<String> f : placed) {
      ids.add(f.orTimeout(eventTimeout().toMillis(), TimeUnit.MILLISECONDS).join());
    }
    assertThat(ids).doesNotHaveDuplicates();
    eventually()
        .alias(count + " calls connected")
        .until(() -> ids.stream().allMatch(id -> events.states(id).contains(CallState.CONNECTED)));
    assertThat(adapter.activeCalls()).hasSize(count);

    List<CompletableFuture<Void>> hangups = new ArrayList<>();
    for (String id : ids) {
      hangups.add(adapter.hangupAsync(id));
    }
    CompletableFuture.allOf(hangups.toArray(CompletableFuture[]::new))
        .orTimeout(eventTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .join();
    eventually().until(() -> ids.stream().allMatch(events::ended));
    await()
        .during(quietPeriod())
        .atMost(quietPeriod().plusSeconds(5))
        .until(() -> ids.stream().allMatch(id -> events.terminalEvents(id).size() == 1));
    for (String id : ids) {
      assertThat(events.states(id)).first().isEqualTo(CallState.DIALING);
      assertThat(events.terminalEvents(id).get(0).state()).isEqualTo(CallState.DISCONNECTED);
    }
    assertThat(adapter.activeCalls()).isEmpty();
    assertThat(adapter.metrics().droppedEvents()).isZero();
  }

  // ------------------------------------------------------------------ network faults

  @Test
  @DisplayName("link cut: in-flight requests fail fast, adapter reconnects, calls resynchronised")
  void reconnectsAfterNetworkFailureAndFailsInFlightRequestsFast() {
    FaultProxy proxy = proxy();
    EventRecorder events = new EventRecorder();
    AdapterConfig config =
        fixture.configThrough(tckConfig(), proxy.host(), proxy.port()).toBuilder()
            .timeouts(
                new org.sipadapter.config.Timeouts(
                    tckConfig().timeouts().connect(),
                    Duration.ofSeconds(60),
                    tckConfig().timeouts().ring(),
                    tckConfig().timeouts().keepalive()))
            .build();
    SipAdapter adapter = newAdapter(config, events);
    adapter.connect();
    awaitConnectedEvent(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String survivor = answeredCall(adapter, events);
    int survivorEventsBefore = events.callEvents(survivor).size();

    proxy.blackHole();
    CompletableFuture<String> inFlight =
        adapter.makeCallAsync(
            fixture.caller(), destination(Destination.ANSWERS), CallOptions.DEFAULTS);
    proxy.cutAll();

    // the request timeout is 60 s: failing within the event timeout means it failed fast
    eventually().alias("in-flight request failed").until(inFlight::isDone);
    assertThatThrownBy(inFlight::join).hasCauseInstanceOf(AdapterConnectionException.class);

    proxy.restore();
    eventually()
        .alias("reconnected")
        .until(
            () ->
                events.connectionStates().contains(ConnectionState.RECONNECTING)
                    && adapter.connectionState() == ConnectionState.CONNECTED);

    // the call that was up before the cut is still up, with no duplicate or lost events
    assertThat(adapter.getStatus(survivor).state()).isEqualTo(CallState.CONNECTED);
    assertThat(events.callEvents(survivor)).hasSize(survivorEventsBefore);
    // subscriptions are back: a new call's events arrive
    String after = answeredCall(adapter, events);
    adapter.hangup(after);
    adapter.hangup(survivor);
    assertExactlyOneTerminalEvent(events, after);
    assertExactlyOneTerminalEvent(events, survivor);
    // one outage, one reconnect
    assertThat(adapter.metrics().reconnects()).isEqualTo(1);
  }

  @Test
  @DisplayName("calls that ended while the link was down get their terminal event after resync")
  void callsEndedDuringOutageGetTheirTerminalEvent() {
    requireCapability(TckCapability.REMOTE_HANGUP);
    FaultProxy proxy = proxy();
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connectedThrough(proxy, events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String ended = answeredCall(adapter, events);
    String kept = answeredCall(adapter, events);
    CallStatus endedStatus = adapter.getStatus(ended);

    proxy.refuseNew();
    proxy.cutAll();
    eventually().until(() -> adapter.connectionState() == ConnectionState.RECONNECTING);
    fixture.hangupOnServer(endedStatus);
    proxy.acceptNew();

    eventually().until(() -> adapter.connectionState() == ConnectionState.CONNECTED);
    assertExactlyOneTerminalEvent(events, ended);
    assertThat(adapter.getStatus(kept).state()).isEqualTo(CallState.CONNECTED);
    assertThat(events.terminalEvents(kept)).isEmpty();
    adapter.hangup(kept);
    assertExactlyOneTerminalEvent(events, kept);
  }

  @Test
  @DisplayName("a stalled server gives AdapterTimeoutException, then the adapter recovers")
  void stalledServerGivesTimeoutThenRecovers() {
    requireCapability(TckCapability.STALL);
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to = destination(Destination.ANSWERS);
    Duration request = adapter.config().timeouts().request();

    fixture.stallServer();
    cleanups.add(fixture::resumeServer);
    long start = System.nanoTime();
    assertThatThrownBy(() -> adapter.makeCall(fixture.caller(), to))
        .isInstanceOf(AdapterTimeoutException.class);
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    // the blocking form waits the request timeout plus at most a second of grace; the bound
    // allows two more for a loaded machine
    assertThat(waited).isLessThan(request.plusSeconds(3));

    fixture.resumeServer();
    eventually()
        .alias("adapter usable again")
        .ignoreExceptions()
        .until(
            () -> {
              if (adapter.connectionState() != ConnectionState.CONNECTED) {
                return false;
              }
              String id = adapter.makeCall(fixture.caller(), to);
              eventually().until(() -> events.states(id).contains(CallState.CONNECTED));
              adapter.hangup(id);
              return true;
            });
  }

  @Test
  @DisplayName("50 rapid connect/disconnect cycles leave no thread and no socket behind")
  void rapidConnectDisconnectCyclesLeakNothing() {
    boolean proxied = fixture.capabilities().contains(TckCapability.FAULT_PROXY);
    FaultProxy proxy = proxied ? proxy() : null;
    AdapterConfig config =
        proxied ? fixture.configThrough(tckConfig(), proxy.host(), proxy.port()) : tckConfig();
    // warm up shared pools and lazy classes so they do not count as leaks
    try (SipAdapter warm = fixture.createAdapter(config)) {
      warm.connect();
      warm.disconnect();
    }
    eventually()
        .alias("connection of the warm-up adapter closed")
        .until(() -> !proxied || proxy.connectionCount() == 0);
    ResourceSnapshot before = ResourceSnapshot.take();

    try (SipAdapter adapter = fixture.createAdapter(config)) {
      for (int i = 0; i < 50; i++) {
        adapter.connect();
        assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
        adapter.disconnect();
      }
    }
    assertNothingLeftSince(before, proxy);
  }

  /**
   * Returns how many adapters the live-call leak check opens and closes.
   *
   * @return 50 by default; lower it only for a server that takes seconds per call
   */
  protected int leakCycles() {
    return 50;
  }

  /**
   * The leak check with live calls: {@link #leakCycles()} adapters, each connected, given a live
   * call, disconnected with it, connected again, given another and closed with that one up. Every
   * call ends exactly once and nothing follows; afterwards the server holds no call, and no thread,
   * connection, file descriptor or timer task of the adapters is left.
   */
  @Test
  @DisplayName("50 connect/call/disconnect/close cycles with live calls leak nothing")
  void connectDisconnectCloseCyclesWithLiveCallsLeakNothing() {
    boolean proxied = fixture.capabilities().contains(TckCapability.FAULT_PROXY);
    FaultProxy proxy = proxied ? proxy() : null;
    AdapterConfig config =
        proxied ? fixture.configThrough(tckConfig(), proxy.host(), proxy.port()) : tckConfig();
    String to = destination(Destination.ANSWERS);
    // One full cycle first: shared pools, lazy classes and the server's first-call work.
    EventRecorder warmEvents = new EventRecorder();
    try (SipAdapter warm = fixture.createAdapter(config)) {
      warm.addListener(warmEvents);
      warm.connect();
      requireFeature(warm, Feature.OUTBOUND_CALLS);
      answeredCall(warm, warmEvents);
    }
    awaitNoCallOnTheServer();
    eventually()
        .alias("connection of the warm-up adapter closed")
        .until(() -> !proxied || proxy.connectionCount() == 0);
    ResourceSnapshot before = ResourceSnapshot.take();

    EventRecorder events = new EventRecorder();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < leakCycles(); i++) {
      SipAdapter adapter = fixture.createAdapter(config);
      try {
        adapter.addListener(events);
        adapter.connect();
        String first = answeredCall(adapter, events);
        ids.add(first);
        adapter.disconnect();
        awaitEnd(events, first);
        adapter.connect();
        ids.add(answeredCall(adapter, events));
      } finally {
        adapter.close();
      }
    }

    // Every adapter is closed: its events are delivered and no later one can come.
    for (String id : ids) {
      assertThat(events.terminalEvents(id)).as("terminal events of %s", id).hasSize(1);
      assertThat(eventsAfterTerminal(events, id)).as("events after the end of %s", id).isEmpty();
    }
    awaitNoCallOnTheServer();
    assertNothingLeftSince(before, proxy);
    System.out.println(
        "leak check "
            + fixture.config().type()
            + ": "
            + leakCycles()
            + " adapters, "
            + ids.size()
            + " live calls to "
            + to
            + ", threads left "
            + ResourceSnapshot.take().threadsAddedSince(before, this::isSharedThread).size()
            + ", descriptors "
            + before.openFileDescriptors()
            + " -> "
            + ResourceSnapshot.take().openFileDescriptors());
  }

  private void awaitNoCallOnTheServer() {
    if (fixture.serverCalls().isPresent()) {
      eventually()
          .alias("no call left on the server")
          .until(() -> fixture.serverCalls().getAsInt() == 0);
    }
  }

  /**
   * Waits until the adapters' threads have ended, their connections (through {@code proxy}, when
   * not null) are closed, and no file descriptor or timer task more than in {@code before} is left
   * (a little slack for descriptors the JVM opens lazily: jar files, entropy).
   */
  private void assertNothingLeftSince(ResourceSnapshot before, FaultProxy proxy) {
    eventually()
        .untilAsserted(
            () ->
                assertThat(ResourceSnapshot.take().threadsAddedSince(before, this::isSharedThread))
                    .as("threads left behind")
                    .isEmpty());
    if (proxy != null) {
      eventually()
          .alias("no connection left at the server")
          .until(() -> proxy.connectionCount() == 0);
    }
    eventually()
        .untilAsserted(
            () ->
                assertThat(ResourceSnapshot.take().descriptorsAddedSince(before))
                    .as("file descriptors left open")
                    .isLessThanOrEqualTo(3));
    eventually()
        .untilAsserted(
            () ->
                assertThat(ResourceSnapshot.take().timerTasksAddedSince(before))
                    .as("tasks left on the shared timer")
                    .isLessThanOrEqualTo(0));
  }

  private boolean isSharedThread(String name) {
    return name.startsWith("sipadapter-timer-")
        || name.startsWith("sipadapter-worker-")
        || name.startsWith("fault-proxy-")
        || name.startsWith("awaitility")
        // The JDK's own, once per JVM: CompletableFuture's delay timer (started by the first
        // orTimeout anywhere, then kept) and the thread a jstack or jcmd attaches through.
        || name.equals("CompletableFutureDelayScheduler")
        || name.equals("Attach Listener")
        || fixture.isSharedThread(name);
  }

  @Test
  @DisplayName("a 1 MiB server message and malformed frames do not kill the connection")
  void largeMessageAndMalformedFramesDoNotKillTheConnection() {
    Set<TckCapability> caps = fixture.capabilities();
    assumeTrue(
        caps.contains(TckCapability.LARGE_MESSAGE) || caps.contains(TckCapability.MALFORMED_FRAMES),
        "fixture lacks LARGE_MESSAGE and MALFORMED_FRAMES");
    EventRecorder events = new EventRecorder();
    SipAdapter adapter = connected(events);
    int statesBefore = events.connectionStates().size();

    if (caps.contains(TckCapability.LARGE_MESSAGE)) {
      fixture.sendLargeMessage(ONE_MIB);
    }
    if (caps.contains(TckCapability.MALFORMED_FRAMES)) {
      fixture.sendMalformedFrames();
    }

    // the link must still carry a full call afterwards, without having dropped
    if (adapter.features().contains(Feature.OUTBOUND_CALLS)
        && fixture.destination(Destination.ANSWERS).isPresent()) {
      String id = answeredCall(adapter, events);
      adapter.hangup(id);
      awaitEnd(events, id);
    } else {
      await()
          .during(quietPeriod())
          .atMost(quietPeriod().plusSeconds(5))
          .until(() -> adapter.connectionState() == ConnectionState.CONNECTED);
    }
    assertThat(events.connectionStates()).hasSize(statesBefore);
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  // ------------------------------------------------------------------ listeners

  @Test
  @DisplayName("a throwing or slow listener stalls neither other listeners nor the connection")
  void throwingAndSlowListenersAreIsolated() throws InterruptedException {
    EventRecorder events = new EventRecorder();
    AdapterConfig config =
        tckConfig().toBuilder().events(new EventSettings(2, 10_000, Duration.ofMillis(1))).build();
    SipAdapter adapter = newAdapter(config, events);
    adapter.addListener(
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent event) {
            throw new IllegalStateException("listener failure on purpose");
          }
        });
    CountDownLatch release = new CountDownLatch(1);
    cleanups.add(release::countDown);
    AtomicReference<String> blockedCall = new AtomicReference<>();
    adapter.addListener(
        new SipAdapterListener() {
          @Override
          public void onCallStateChanged(CallStateChanged e) {
            if (blockedCall.compareAndSet(null, e.callId())) {
              awaitQuietly(release);
            }
          }
        });
    adapter.connect();
    requireFeature(adapter, Feature.OUTBOUND_CALLS);
    String to = destination(Destination.ANSWERS);

    String first = adapter.makeCall(fixture.caller(), to);
    eventually().until(() -> first.equals(blockedCall.get()));
    // The slow listener holds one of the two delivery lanes; requests and the link go on. A call's
    // lane follows from its id, so with 16 more calls the chance that none lands in the free lane
    // is 2^-16.
    List<String> more = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      more.add(adapter.makeCall(fixture.caller(), to));
    }
    eventually()
        .alias("calls in other lanes delivered while one lane is held")
        .until(() -> more.stream().anyMatch(id -> events.states(id).contains(CallState.CONNECTED)));
    assertThat(adapter.connectionState()).isEqualTo(ConnectionState.CONNECTED);

    release.countDown();
    eventually().until(() -> events.states(first).contains(CallState.CONNECTED));
    assertThat(events.states(first)).first().isEqualTo(CallState.DIALING);
    for (String id : more) {
      eventually().until(() -> events.states(id).contains(CallState.CONNECTED));
      adapter.hangup(id);
    }
    adapter.hangup(first);
    eventually().until(() -> events.ended(first));
    MetricsSnapshot m = adapter.metrics();
    assertThat(m.listenerErrors()).isPositive();
    assertThat(m.slowListenerCalls()).isPositive();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ secrets

  @Test
  @DisplayName("no password in logs, exceptions, toString, events or health reports")
  void passwordNeverAppears() {
    String password = fixture.config().auth().secret().reveal();
    assumeTrue(password.length() >= 4, "fixture password shorter than 4 characters");
    Optional<LogCapture> maybeLogs = LogCapture.start();
    assumeTrue(maybeLogs.isPresent(), "Logback is not the SLF4J backend: cannot read log lines");
    LogCapture logs = maybeLogs.get();
    cleanups.add(logs);
    List<String> texts = new ArrayList<>();
    Consumer<Object> seen = o -> texts.add(String.valueOf(o));

    EventRecorder events = new EventRecorder();
    SipAdapter adapter = newAdapter(tckConfig(), events);
    adapter.connect();
    seen.accept(adapter);
    seen.accept(adapter.config());
    seen.accept(adapter.config().auth());
    seen.accept(adapter.healthCheck());
    seen.accept(adapter.metrics());
    if (adapter.features().contains(Feature.OUTBOUND_CALLS)
        && fixture.destination(Destination.ANSWERS).isPresent()) {
      String id = answeredCall(adapter, events);
      seen.accept(adapter.getStatus(id));
      adapter.hangup(id);
      awaitEnd(events, id);
    }
    adapter.disconnect();
    seen.accept(adapter.healthCheck());
    String wrongPassword = null;
    Optional<AdapterConfig> wrong = fixture.configWithWrongCredentials();
    if (wrong.isPresent()) {
      wrongPassword = wrong.get().auth().secret().reveal();
      SipAdapter refused = newAdapter(withFastReconnect(wrong.get()), new EventRecorder());
      seen.accept(refused.config());
      try {
        refused.connect();
        fail("connect with wrong credentials succeeded");
      } catch (RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
          seen.accept(t);
          seen.accept(t.getMessage());
        }
      }
    }
    adapter.close();
    for (AdapterEvent e : events.all()) {
      seen.accept(e);
    }
    texts.addAll(logs.lines());

    for (String text : texts) {
      assertThat(text).as("text that must not reveal the password").doesNotContain(password);
      if (wrongPassword != null && wrongPassword.length() >= 4) {
        assertThat(text).doesNotContain(wrongPassword);
      }
    }
  }
}
