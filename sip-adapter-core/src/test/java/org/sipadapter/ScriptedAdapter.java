package org.sipadapter;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.sipadapter.config.AdapterConfig;

/**
 * A {@link SipAdapter} on a {@link ScriptedServer}: the smallest adapter that uses every hook, so
 * tests exercise the base class end to end.
 */
final class ScriptedAdapter extends SipAdapter implements ScriptedServer.Link {
  private final ScriptedServer server;
  private final Set<Feature> features;
  private volatile boolean resync = true;
  private volatile Map<String, Object> healthDetails = Map.of();
  private volatile String disconnectThread;
  private volatile String hangupThread;

  ScriptedAdapter(AdapterConfig config, ScriptedServer server) {
    this(config, server, EnumSet.of(Feature.OUTBOUND_CALLS, Feature.INBOUND_CALLS, Feature.HOLD));
  }

  ScriptedAdapter(AdapterConfig config, ScriptedServer server, Set<Feature> features) {
    super(config);
    this.server = server;
    this.features = Set.copyOf(features);
  }

  @Override
  public Set<Feature> features() {
    return features;
  }

  @Override
  protected java.util.Optional<String> unsupportedReason(Feature feature) {
    return feature == Feature.RECORDING
        ? java.util.Optional.of("the scripted server has no media")
        : java.util.Optional.empty();
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("1");
  }

  @Override
  protected void doConnect(ConnectTarget target) throws Exception {
    server.login(target, this);
    serverVersion("scripted 1.0");
  }

  @Override
  protected void doDisconnect() {
    disconnectThread = Thread.currentThread().getName();
    server.logout(this);
  }

  @Override
  protected CompletableFuture<Void> doMakeCall(TrackedCall call) {
    return server.originate(call);
  }

  @Override
  protected CompletableFuture<Void> doHangup(TrackedCall call, HangupCause cause) {
    hangupThread = Thread.currentThread().getName();
    return server.hangup(call.callId(), cause);
  }

  @Override
  protected CompletableFuture<Void> doHold(TrackedCall call) {
    return server.hold(call.callId());
  }

  @Override
  protected Optional<List<CallSnapshot>> doResync() {
    if (!resync) {
      return Optional.empty();
    }
    return Optional.of(
        server.activeCalls().entrySet().stream()
            .map(e -> new CallSnapshot(e.getKey(), e.getValue(), Map.of()))
            .collect(Collectors.toList()));
  }

  @Override
  protected Map<String, Object> doHealthDetails() {
    return healthDetails;
  }

  // ---- what the server says

  @Override
  public void callState(String callId, CallState state) {
    reportCallState(callId, state, null, Map.of("Server-Id", "srv-" + callId.hashCode()));
  }

  @Override
  public void callEnded(String callId, HangupCause cause) {
    reportCallEnded(callId, cause, Map.of());
  }

  @Override
  public void linkLost(Throwable cause) {
    reportConnectionLost(cause);
  }

  // ---- test handles on the protected reports

  void report(String callId, CallState state) {
    reportCallState(callId, state, null, Map.of());
  }

  String incoming(String from, String to) {
    return reportIncomingCall(from, to, CallState.RINGING, Map.of("Server-Id", "in-1"));
  }

  void recordLatency(Duration d) {
    recordRequestLatency(d.toNanos());
  }

  void resync(boolean on) {
    this.resync = on;
  }

  /** The thread that last ran the disconnect hook (closing a socket may block), or null. */
  String disconnectThread() {
    return disconnectThread;
  }

  /** The thread that last ran the hangup hook (a socket write may block), or null. */
  String hangupThread() {
    return hangupThread;
  }

  void healthDetails(Map<String, Object> details) {
    this.healthDetails = details;
  }
}
