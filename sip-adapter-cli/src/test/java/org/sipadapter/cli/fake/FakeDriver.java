package org.sipadapter.cli.fake;

import java.net.ConnectException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallState;
import org.sipadapter.ConnectTarget;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.TrackedCall;
import org.sipadapter.config.AdapterConfig;

/** A small adapter for {@link FakeServer}, registered only in the CLI's test class path. */
public final class FakeAdapter extends SipAdapter {
  static final String ID = "fake-id";

  private volatile FakeServer server;

  FakeAdapter(AdapterConfig config) {
    super(config);
  }

  @Override
  public Set<Feature> features() {
    return EnumSet.of(
        Feature.OUTBOUND_CALLS, Feature.INBOUND_CALLS, Feature.HOLD, Feature.SEND_DTMF);
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("1");
  }

  @Override
  protected void doConnect(ConnectTarget target) throws Exception {
    FakeServer s = FakeServer.at(target.port());
    if (s == null) {
      throw new ConnectException("Connection refused");
    }
    if (!s.accepts(target.credentials().username(), target.credentials().secret().reveal())) {
      throw new AuthenticationException(
          "[" + name() + "] login refused for user '" + target.credentials().username() + "'");
    }
    server = s;
    serverVersion(s.version());
    s.attach(this);
    for (FakeServer.Call c : s.calls()) {
      seen(c);
    }
  }

  void seen(FakeServer.Call c) {
    String id = reportIncomingCall(c.from(), c.to(), CallState.CONNECTED, Map.of(ID, c.id()));
    bindServerId(id, ID, c.id());
  }

  void ended(String serverId) {
    findCallByServerId(ID, serverId)
        .ifPresent(c -> reportCallEnded(c.callId(), HangupCause.NORMAL_CLEARING, Map.of()));
  }

  @Override
  protected void doDisconnect() {
    FakeServer s = server;
    if (s != null) {
      s.detach(this);
    }
  }

  @Override
  protected CompletableFuture<Void> doMakeCall(TrackedCall call) {
    FakeServer s = server;
    FakeServer.Call c = new FakeServer.Call(s.newId(), call.from(), call.to());
    bindServerId(call.callId(), ID, c.id());
    timer()
        .execute(
            () -> {
              reportCallState(call.callId(), CallState.RINGING, null, Map.of(ID, c.id()));
              if (call.to().equals("busy")) {
                reportCallEnded(call.callId(), HangupCause.ofSip(486), Map.of());
              } else {
                s.add(c);
                reportCallState(call.callId(), CallState.CONNECTED, null, Map.of());
              }
            });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected CompletableFuture<Void> doHangup(TrackedCall call, HangupCause cause) {
    call.serverId(ID).ifPresent(server::remove);
    if (!server.hangupsUnreported()) {
      timer().execute(() -> reportCallEnded(call.callId(), cause, Map.of()));
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected CompletableFuture<Void> doHold(TrackedCall call) {
    timer().execute(() -> reportCallState(call.callId(), CallState.ON_HOLD, null, Map.of()));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected CompletableFuture<Void> doResume(TrackedCall call) {
    timer().execute(() -> reportCallState(call.callId(), CallState.CONNECTED, null, Map.of()));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected CompletableFuture<Void> doSendDtmf(TrackedCall call, String digits) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected Map<String, Object> doHealthDetails() {
    return Map.of("calls", server.calls().size());
  }
}
