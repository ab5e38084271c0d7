package org.sipadapter.cli.fake;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.Hold;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.SendDtmf;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.transport.Schedulers;

/** The driver of {@link FakeAdapter}, for {@link FakeServer}. */
final class FakeDriver implements AdapterDriver, OutboundCalls, InboundCalls, Hold, SendDtmf {
  static final String ID = "fake-id";

  private final AdapterConfig config;
  private final DriverContext core;
  private volatile FakeServer server;

  FakeDriver(AdapterConfig config, DriverContext core) {
    this.config = config;
    this.core = core;
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("1");
  }

  @Override
  public void connect(ConnectTarget target) throws Exception {
    FakeServer s = FakeServer.at(target.port());
    if (s == null) {
      throw new ConnectException("Connection refused");
    }
    if (!s.accepts(target.credentials().username(), target.credentials().secret().reveal())) {
      throw new AuthenticationException(
          "["
              + config.name()
              + "] login refused for user '"
              + target.credentials().username()
              + "'");
    }
    server = s;
    core.reportServerVersion(s.version());
    s.attach(this);
    for (FakeServer.Call c : s.calls()) {
      seen(c);
    }
  }

  void seen(FakeServer.Call c) {
    String id = core.reportIncomingCall(c.from(), c.to(), CallState.CONNECTED, Map.of(ID, c.id()));
    core.bindServerId(id, ID, c.id());
  }

  void ended(String serverId) {
    core.findCallByServerId(ID, serverId)
        .ifPresent(c -> core.reportCallEnded(c.callId(), HangupCause.NORMAL_CLEARING, Map.of()));
  }

  @Override
  public void disconnect() {
    FakeServer s = server;
    if (s != null) {
      s.detach(this);
    }
  }

  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    FakeServer s = server;
    FakeServer.Call c = new FakeServer.Call(s.newId(), call.from(), call.to());
    core.bindServerId(call.callId(), ID, c.id());
    Schedulers.timer()
        .execute(
            () -> {
              core.reportCallState(call.callId(), CallState.RINGING, null, Map.of(ID, c.id()));
              if (call.to().equals("busy")) {
                core.reportCallEnded(call.callId(), HangupCause.ofSip(486), Map.of());
              } else {
                s.add(c);
                core.reportCallState(call.callId(), CallState.CONNECTED, null, Map.of());
              }
            });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    call.serverId(ID).ifPresent(server::remove);
    if (!server.hangupsUnreported()) {
      Schedulers.timer().execute(() -> core.reportCallEnded(call.callId(), cause, Map.of()));
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> hold(TrackedCall call) {
    Schedulers.timer()
        .execute(() -> core.reportCallState(call.callId(), CallState.ON_HOLD, null, Map.of()));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> resume(TrackedCall call) {
    Schedulers.timer()
        .execute(() -> core.reportCallState(call.callId(), CallState.CONNECTED, null, Map.of()));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> sendDtmf(TrackedCall call, String digits) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public Map<String, Object> healthDetails() {
    return Map.of("calls", server.calls().size());
  }
}
