package org.sipadapter.testkit.tck;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallException;
import org.sipadapter.CallState;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.Answer;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.Capabilities;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.ReceiveDtmf;
import org.sipadapter.spi.Reject;
import org.sipadapter.spi.Resync;
import org.sipadapter.spi.SendDtmf;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.WireField;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;
import org.sipadapter.transport.FramedConnection;
import org.sipadapter.transport.RequestCorrelator;

/**
 * The driver of the conformance suite's reference adapter ({@link LineProtocolAdapter}) for {@link
 * LineProtocolEmulator}, built only from core's transport pieces ({@link FramedConnection}, {@link
 * RequestCorrelator}). It shows the smallest driver that passes the suite.
 */
final class LineProtocolDriver
    implements AdapterDriver,
        OutboundCalls,
        InboundCalls,
        Answer,
        Reject,
        SendDtmf,
        ReceiveDtmf,
        Resync {

  private static final int MAX_LINE = 4 * 1024 * 1024;
  private static final String REF = "ref";

  private final AdapterConfig config;
  private final DriverContext core;
  private final Set<Feature> features;
  private final RequestCorrelator<String, String> pending =
      new RequestCorrelator<>("line protocol request");
  private final AtomicLong ids = new AtomicLong();
  private volatile FramedConnection<String> link;
  private volatile CompletableFuture<String> banner;

  LineProtocolDriver(AdapterConfig config, DriverContext core, Set<Feature> features) {
    this.config = config;
    this.core = core;
    this.features = Set.copyOf(features);
  }

  /** The emulator's features, less those the fixture leaves out. */
  @Override
  @SuppressWarnings("unchecked")
  public Capabilities capabilities() {
    Capabilities all = Capabilities.of(this);
    return all.without(
        all.features().stream()
            .filter(f -> !features.contains(f))
            .map(Capabilities::capabilityOf)
            .toArray(Class[]::new));
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("1.0");
  }

  @Override
  public void checkWire(WireField field, String value) {
    if (value.indexOf(' ') >= 0 || value.indexOf('=') >= 0) {
      throw new IllegalArgumentException(field + " must not contain spaces or '='");
    }
  }

  @Override
  public void connect(ConnectTarget target) throws Exception {
    // The generation of the link being brought up: its loss is reported with it, so the loss of
    // a stale link changes nothing and a loss during the login fails this attempt.
    long generation = core.linkGeneration();
    CompletableFuture<String> hello = new CompletableFuture<>();
    banner = hello;
    java.util.concurrent.atomic.AtomicReference<FramedConnection<String>> self =
        new java.util.concurrent.atomic.AtomicReference<>();
    FramedConnection<String> c =
        FramedConnection.open(
            new FramedConnection.Endpoint(
                config.name(),
                target.host(),
                target.port(),
                target.tlsContext(),
                target.connectTimeout()),
            new LineDecoder(),
            new FramedConnection.Listener<>() {
              @Override
              public void onFrame(String line) {
                onLine(line);
              }

              @Override
              public void onMalformed(String reason) {
                core.reportError(null, "malformed input: " + reason, null);
              }

              @Override
              public void onClosed(Throwable cause) {
                linkClosed(self.get(), generation, cause);
              }
            });
    self.set(c);
    link = c;
    try {
      String greeting = hello.get(target.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
      core.reportServerVersion(greeting.substring(greeting.lastIndexOf(' ') + 1));
      String reply =
          requestFuture(
                  "LOGIN "
                      + target.credentials().username()
                      + " "
                      + target.credentials().secret().reveal(),
                  "LOGIN",
                  target.requestTimeout())
              .get(target.requestTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
      if (reply.startsWith("ERR 401")) {
        throw new AuthenticationException(
            "server refused the credentials of user '" + target.credentials().username() + "'");
      }
      if (!reply.startsWith("OK")) {
        throw new AdapterConnectionException("login failed: " + reply);
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } catch (TimeoutException e) {
      throw new AdapterTimeoutException("no greeting or login reply in time", e);
    }
  }

  @Override
  public void disconnect() {
    FramedConnection<String> c = link;
    link = null;
    if (c != null) {
      c.close();
    }
    pending.failAll(new AdapterConnectionException("link closed"));
  }

  private void linkClosed(FramedConnection<String> closed, long generation, Throwable cause) {
    if (closed != null && closed == link) {
      pending.failAll(
          new AdapterConnectionException(
              "connection lost: " + (cause == null ? "closed" : cause.getMessage()), cause));
    }
    // Core ignores the loss of a link that is no longer the current one.
    core.reportConnectionLost(generation, cause);
  }

  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    // The call marker names this adapter instance and the call, so its events (also late ones,
    // after a timeout) are recognised as this adapter's, and another client's calls are not.
    String ref = core.callMarker(call);
    core.bindServerId(call.callId(), REF, ref);
    return request("DIAL " + ref + " " + call.from() + " " + call.to(), "DIAL");
  }

  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    return request("HANGUP " + ref(call), "HANGUP");
  }

  @Override
  public CompletableFuture<Void> answer(TrackedCall call) {
    return request("ANSWER " + ref(call), "ANSWER");
  }

  @Override
  public CompletableFuture<Void> reject(TrackedCall call, HangupCause cause) {
    return request("REJECT " + ref(call) + " " + cause.q850(), "REJECT");
  }

  @Override
  public CompletableFuture<Void> sendDtmf(TrackedCall call, String digits) {
    return request("DTMF " + ref(call) + " " + digits, "DTMF");
  }

  @Override
  public List<CallSnapshot> resync() throws Exception {
    Duration timeout = core.connectTarget().orElseThrow().requestTimeout();
    String reply =
        requestFuture("LIST", "LIST", timeout).get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
    List<CallSnapshot> out = new ArrayList<>();
    for (String item : LineProtocolEmulator.tokens(reply)) {
      int eq = item.indexOf('=');
      if (eq < 0) {
        continue; // the leading "OK"
      }
      String ref = item.substring(0, eq);
      CallState state = CallState.valueOf(item.substring(eq + 1));
      // Own calls (live, or given up: core hangs those up) by their marker; calls of others by
      // the id bound when they were first seen.
      core.callIdOfMarker(ref)
          .or(() -> core.findCallByServerId(REF, ref).map(TrackedCall::callId))
          .ifPresent(id -> out.add(new CallSnapshot(id, state, Map.of(REF, ref))));
    }
    return out;
  }

  @Override
  public void keepalive() throws Exception {
    Duration timeout = core.connectTarget().orElseThrow().requestTimeout();
    requestFuture("PING", "PING", timeout).get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
  }

  private static String ref(TrackedCall call) {
    return call.serverId(REF)
        .orElseThrow(() -> new CallException("call " + call.callId() + " has no server ref"));
  }

  private CompletableFuture<Void> request(String command, String what) {
    return requestFuture(command, what, config.timeouts().request())
        .thenApply(
            reply -> {
              if (!reply.startsWith("OK")) {
                throw new CallException(what + " refused: " + reply);
              }
              return null;
            });
  }

  private CompletableFuture<String> requestFuture(String command, String what, Duration timeout) {
    FramedConnection<String> c = link;
    if (c == null || !c.isOpen()) {
      return CompletableFuture.failedFuture(new AdapterConnectionException("not connected"));
    }
    String id = Long.toString(ids.incrementAndGet());
    CompletableFuture<String> reply = pending.register(id, what, timeout);
    try {
      c.send(id + " " + command + "\n");
    } catch (RuntimeException e) {
      pending.fail(id, e);
    }
    return reply;
  }

  /** Runs on the reader thread: replies complete requests, events become reports. */
  private void onLine(String line) {
    CompletableFuture<String> hello = banner;
    if (hello != null && !hello.isDone()) {
      if (line.startsWith("HELLO ")) {
        hello.complete(line.trim());
        return;
      }
    }
    List<String> t = LineProtocolEmulator.tokens(line);
    if (t.isEmpty()) {
      return;
    }
    if (!t.get(0).equals("EVENT")) {
      int space = line.indexOf(' ');
      pending.complete(t.get(0), space < 0 ? "" : line.substring(space + 1).trim());
      return;
    }
    if (t.size() < 3) {
      core.reportError(null, "short event line", null);
      return;
    }
    String name = t.get(1);
    String ref = t.get(2);
    if (name.equals("INCOMING") && t.size() >= 5) {
      String callId =
          core.reportIncomingCall(t.get(3), t.get(4), CallState.RINGING, Map.of(REF, ref));
      core.bindServerId(callId, REF, ref);
      return;
    }
    if (name.equals("NOTE")) {
      core.reportServerEvent(null, "NOTE", Map.of("size", Integer.toString(ref.length())));
      return;
    }
    if (name.equals("DIALED") && t.size() >= 5) {
      // A call placed by a client. Ours is already tracked; another client's is reported as a
      // call this adapter did not place.
      if (core.callIdOfMarker(ref).isEmpty() && core.findCallByServerId(REF, ref).isEmpty()) {
        String callId =
            core.reportIncomingCall(t.get(3), t.get(4), CallState.RINGING, Map.of(REF, ref));
        core.bindServerId(callId, REF, ref);
      }
      return;
    }
    // Our own calls by their marker: core applies the report, or hangs up a call it gave up on.
    Optional<String> own = core.callIdOfMarker(ref);
    Optional<TrackedCall> call =
        own.isPresent() ? Optional.empty() : core.findCallByServerId(REF, ref);
    if (own.isEmpty() && call.isEmpty()) {
      return; // a call that already ended, or that this adapter never saw begin
    }
    String callId = own.orElseGet(() -> call.get().callId());
    switch (name) {
      case "RINGING" -> core.reportCallState(callId, CallState.RINGING, null, Map.of());
      case "ANSWERED" -> core.reportCallState(callId, CallState.CONNECTED, null, Map.of());
      case "HANGUP" -> {
        int q850 = t.size() > 3 ? parseCause(t.get(3)) : 16;
        core.reportCallEnded(callId, HangupCause.ofQ850(q850), Map.of());
      }
      case "DTMF" -> {
        if (t.size() > 3) {
          core.reportDtmf(callId, t.get(3), Map.of());
        }
      }
      default -> core.reportServerEvent(callId, name, Map.of(REF, ref));
    }
  }

  private static int parseCause(String text) {
    int v = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9' || v > 10_000) {
        return 16;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Cuts the byte stream at {@code \n}; overlong lines are reported and skipped. */
  private static final class LineDecoder implements FrameDecoder<String> {
    private byte[] buf = new byte[8192];
    private int len;
    private boolean skipping;

    @Override
    public void decode(ByteBuffer in, FrameSink<String> sink) {
      while (in.hasRemaining()) {
        byte b = in.get();
        if (b == '\n') {
          if (skipping) {
            skipping = false;
          } else {
            sink.frame(decodeLine());
          }
          len = 0;
          continue;
        }
        if (skipping) {
          continue;
        }
        if (len == MAX_LINE) {
          sink.malformed("line longer than " + MAX_LINE + " bytes");
          skipping = true;
          len = 0;
          continue;
        }
        if (len == buf.length) {
          buf = java.util.Arrays.copyOf(buf, Math.min(MAX_LINE, buf.length * 2));
        }
        buf[len++] = b;
      }
    }

    private String decodeLine() {
      int end = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
      return new String(buf, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public void reset() {
      len = 0;
      skipping = false;
    }
  }
}
