package org.sipadapter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.Resync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@link ConnectionWatchdog} asks of an adapter: the driver's link hooks, and what a link
 * coming up or going down means for the calls and requests core tracks.
 *
 * <p>The driver is looked up when first needed: it is built after the watchdog, since the context
 * it is given reports to the watchdog.
 */
final class WatchdogDriver implements ConnectionWatchdog.Driver {
  private static final Logger log = LoggerFactory.getLogger(WatchdogDriver.class);

  private final String name;
  private final Supplier<AdapterDriver> driver;
  private final CallRegistry registry;
  private final CallStateMachine machine;
  private final RequestTracker requests;
  private final UnaryOperator<String> redact;

  WatchdogDriver(
      String name,
      Supplier<AdapterDriver> driver,
      CallRegistry registry,
      CallStateMachine machine,
      RequestTracker requests,
      UnaryOperator<String> redact) {
    this.name = name;
    this.driver = driver;
    this.registry = registry;
    this.machine = machine;
    this.requests = requests;
    this.redact = redact;
  }

  @Override
  public void open(ConnectTarget target) throws Exception {
    driver.get().connect(target);
  }

  @Override
  public void close() {
    try {
      driver.get().disconnect();
    } catch (RuntimeException e) {
      log.warn("[{}] closing the link failed", name, e);
    }
  }

  @Override
  public Optional<List<CallSnapshot>> resync() throws Exception {
    Optional<Resync> resync = driver.get().capabilities().get(Resync.class);
    if (resync.isEmpty()) {
      return Optional.empty();
    }
    List<CallSnapshot> snapshot = resync.get().resync();
    return Optional.of(snapshot == null ? List.of() : snapshot);
  }

  @Override
  public void keepalive() throws Exception {
    try {
      driver.get().keepalive();
    } catch (Exception e) {
      machine.error(null, "keepalive failed: " + redact(String.valueOf(e.getMessage())), e);
      throw e;
    }
  }

  /**
   * Applies what the server listed after a reconnect: tracked calls it no longer has end, the
   * others take the listed state, and a given-up call it still lists is an orphan to hang up.
   */
  @Override
  public void applyResync(List<CallSnapshot> snapshot) {
    Map<String, CallSnapshot> byId = new LinkedHashMap<>();
    for (CallSnapshot s : snapshot) {
      byId.put(s.callId(), s);
    }
    for (CallEntry c : registry.liveCalls()) {
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
  public RuntimeException connectFailure(Exception e, ConnectTarget t) {
    if (e instanceof SipAdapterException || e instanceof IllegalArgumentException) {
      return (RuntimeException) e;
    }
    return new AdapterConnectionException(
        "["
            + name
            + "] cannot connect to "
            + t.host()
            + ":"
            + t.port()
            + ": "
            + redact(e.getMessage()),
        e);
  }

  @Override
  public String redact(String text) {
    return redact.apply(text);
  }
}
