package org.sipadapter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.Capabilities;
import org.sipadapter.spi.Capability;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.Hold;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.Resync;
import org.sipadapter.spi.TrackedCall;

/**
 * A {@link SipAdapter} on a {@link ScriptedServer}: the smallest driver that uses every part of the
 * SPI, so tests exercise core end to end.
 */
final class ScriptedAdapter extends SipAdapter {
  private final Driver driver;

  ScriptedAdapter(AdapterConfig config, ScriptedServer server) {
    this(config, server, EnumSet.of(Feature.OUTBOUND_CALLS, Feature.INBOUND_CALLS, Feature.HOLD));
  }

  /** An adapter offering only the given features of those the scripted driver has. */
  ScriptedAdapter(AdapterConfig config, ScriptedServer server, Set<Feature> features) {
    super(config, core -> new Driver(core, server, features));
    this.driver = driver(Driver.class);
  }

  /** The scripted server's driver. */
  static final class Driver
      implements AdapterDriver, OutboundCalls, InboundCalls, Hold, Resync, ScriptedServer.Link {
    private final DriverContext core;
    private final ScriptedServer server;
    private final Set<Feature> offered;
    private volatile boolean resync = true;
    private volatile Map<String, Object> healthDetails = Map.of();
    private volatile String disconnectThread;
    private volatile String hangupThread;

    Driver(DriverContext core, ScriptedServer server, Set<Feature> offered) {
      this.core = core;
      this.server = server;
      this.offered = Set.copyOf(offered);
    }

    @Override
    public Capabilities capabilities() {
      Capabilities all = Capabilities.of(this);
      List<Class<? extends Capability>> withheld = new ArrayList<>();
      for (Feature f : all.features()) {
        if (!offered.contains(f)) {
          withheld.add(Capabilities.capabilityOf(f));
        }
      }
      if (!resync) {
        withheld.add(Resync.class);
      }
      @SuppressWarnings("unchecked")
      Class<? extends Capability>[] types = withheld.toArray(new Class[0]);
      return all.without(types);
    }

    @Override
    public Optional<String> unsupportedReason(Feature feature) {
      return feature == Feature.RECORDING
          ? Optional.of("the scripted server has no media")
          : Optional.empty();
    }

    @Override
    public List<String> supportedVersions() {
      return List.of("1");
    }

    @Override
    public void connect(ConnectTarget target) throws Exception {
      server.login(target, this);
      core.reportServerVersion("scripted 1.0");
    }

    @Override
    public void disconnect() {
      disconnectThread = Thread.currentThread().getName();
      server.logout(this);
    }

    @Override
    public CompletableFuture<Void> makeCall(TrackedCall call) {
      return server.originate(call);
    }

    @Override
    public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
      hangupThread = Thread.currentThread().getName();
      return server.hangup(call.callId(), cause);
    }

    @Override
    public CompletableFuture<Void> hold(TrackedCall call) {
      return server.hold(call.callId());
    }

    @Override
    public CompletableFuture<Void> resume(TrackedCall call) {
      return CompletableFuture.failedFuture(
          new CallException("the scripted server cannot resume calls"));
    }

    @Override
    public List<CallSnapshot> resync() {
      return server.activeCalls().entrySet().stream()
          .map(e -> new CallSnapshot(e.getKey(), e.getValue(), Map.of()))
          .collect(Collectors.toList());
    }

    @Override
    public Map<String, Object> healthDetails() {
      return healthDetails;
    }

    // ---- what the server says

    @Override
    public void callState(String callId, CallState state) {
      core.reportCallState(callId, state, null, Map.of("Server-Id", "srv-" + callId.hashCode()));
    }

    @Override
    public void callEnded(String callId, HangupCause cause) {
      core.reportCallEnded(callId, cause, Map.of());
    }

    @Override
    public void linkLost(Throwable cause) {
      core.reportConnectionLost(core.linkGeneration(), cause);
    }
  }

  // ---- test handles on the reports

  void report(String callId, CallState state) {
    driver.core.reportCallState(callId, state, null, Map.of());
  }

  String incoming(String from, String to) {
    return driver.core.reportIncomingCall(from, to, CallState.RINGING, Map.of("Server-Id", "in-1"));
  }

  void recordLatency(Duration d) {
    driver.core.recordRequestLatency(d.toNanos());
  }

  void resync(boolean on) {
    driver.resync = on;
  }

  /** The thread that last ran the disconnect hook (closing a socket may block), or null. */
  String disconnectThread() {
    return driver.disconnectThread;
  }

  /** The thread that last ran the hangup hook (a socket write may block), or null. */
  String hangupThread() {
    return driver.hangupThread;
  }

  void healthDetails(Map<String, Object> details) {
    driver.healthDetails = details;
  }
}
