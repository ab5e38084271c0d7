package org.sipadapter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.sipadapter.metrics.AdapterMetrics;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.WireField;

/**
 * The reporting side of one adapter: what its driver tells core, applied through the {@link
 * CallStateMachine} (so the call guarantees hold whatever the driver reports) and noted as server
 * activity for health. Also keeps the server version the driver reported.
 */
final class CoreContext implements DriverContext {
  private final CallMarkers markers;
  private final CallRegistry registry;
  private final CallStateMachine machine;
  private final ConnectionWatchdog watchdog;
  private final HealthEvaluator health;
  private final AdapterMetrics metrics;
  private final WireChecks checks;
  private volatile String serverVersion = "";

  CoreContext(
      CallMarkers markers,
      CallRegistry registry,
      CallStateMachine machine,
      ConnectionWatchdog watchdog,
      HealthEvaluator health,
      AdapterMetrics metrics,
      WireChecks checks) {
    this.markers = markers;
    this.registry = registry;
    this.machine = machine;
    this.watchdog = watchdog;
    this.health = health;
    this.metrics = metrics;
    this.checks = checks;
  }

  /** The version the driver reported, or empty. */
  String serverVersion() {
    return serverVersion;
  }

  // ---------------------------------------------------------------- reports

  @Override
  public void reportCallState(
      String callId, CallState state, HangupCause cause, Map<String, String> serverIds) {
    health.serverActive();
    machine.state(callId, state, cause, serverIds);
  }

  @Override
  public void reportCallEnded(String callId, HangupCause cause, Map<String, String> serverIds) {
    health.serverActive();
    machine.ended(callId, cause, serverIds);
  }

  @Override
  public String reportIncomingCall(
      String from, String to, CallState initialState, Map<String, String> serverIds) {
    health.serverActive();
    return machine.incoming(from, to, initialState, serverIds);
  }

  @Override
  public void bindServerIds(String callId, Map<String, String> serverIds) {
    machine.bind(callId, serverIds);
  }

  @Override
  public void reportDtmf(String callId, String digit, Map<String, String> serverIds) {
    health.serverActive();
    machine.dtmf(callId, digit, serverIds);
  }

  @Override
  public void reportServerEvent(String callId, String eventName, Map<String, String> fields) {
    health.serverActive();
    machine.serverEvent(callId, eventName, fields);
  }

  @Override
  public void reportError(String callId, String message, Throwable error) {
    machine.error(callId, message, error);
  }

  @Override
  public void reportServerVersion(String version) {
    serverVersion = version == null ? "" : version;
  }

  @Override
  public void recordRequestLatency(long nanos) {
    metrics.requestLatency(nanos);
    health.requestSucceeded(nanos);
  }

  @Override
  public boolean amendCallRecord(String callId, UnaryOperator<CallRecord> change) {
    return registry.amend(callId, change);
  }

  // ---------------------------------------------------------------- lookups

  @Override
  public Optional<TrackedCall> findCall(String callId) {
    return Optional.ofNullable(registry.live(callId));
  }

  @Override
  public Optional<TrackedCall> findCallByServerId(String key, String value) {
    return registry.liveByServerId(key, value).map(TrackedCall.class::cast);
  }

  @Override
  public Collection<TrackedCall> trackedCalls() {
    return new ArrayList<>(registry.liveCalls());
  }

  @Override
  public List<TrackedCall> givenUpCalls() {
    return List.copyOf(registry.givenUpCalls());
  }

  @Override
  public Optional<TrackedCall> findGivenUpCallByServerId(String key, String value) {
    if (key == null || value == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(registry.givenUpByServerIds(Map.of(key, value)));
  }

  @Override
  public List<CallRecord> callHistory() {
    return registry.history();
  }

  // ---------------------------------------------------------------- markers

  @Override
  public String instanceId() {
    return markers.instanceId();
  }

  @Override
  public String callMarker(TrackedCall call) {
    return markers.of(call);
  }

  @Override
  public Optional<String> callIdOfMarker(String marker) {
    return markers.callIdOf(marker);
  }

  @Override
  public boolean isForeignMarker(String marker) {
    return markers.isForeign(marker);
  }

  // ---------------------------------------------------------------- the link

  @Override
  public long linkGeneration() {
    return watchdog.generation();
  }

  @Override
  public void reportConnectionLost(long linkGeneration, Throwable cause) {
    watchdog.lost(linkGeneration, cause);
  }

  @Override
  public ConnectionState connectionState() {
    return watchdog.state();
  }

  @Override
  public Optional<ConnectTarget> connectTarget() {
    return watchdog.target();
  }

  @Override
  public void checkWire(WireField field, String value) {
    checks.onWire(field, value);
  }
}
