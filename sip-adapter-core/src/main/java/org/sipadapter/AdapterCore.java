package org.sipadapter;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Credentials;
import org.sipadapter.config.Redaction;
import org.sipadapter.dispatch.EventDispatcher;
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
 * The pieces of one adapter, wired together: what {@link SipAdapter} is a facade over. It builds
 * them in an order that lets each hold the others it needs (the driver last, since its context
 * reports to the watchdog and the state machine), and runs the few sequences that span several of
 * them: bringing a link up, disconnecting, closing and the health check. It starts no thread.
 */
final class AdapterCore {
  private static final Logger log = LoggerFactory.getLogger(SipAdapter.class);

  final AdapterConfig config;
  final AdapterMetrics metrics = new AdapterMetrics();
  final CallRegistry registry;
  final HealthEvaluator health;
  final RequestTracker requests;
  final EventDispatcher dispatcher;
  final CallStateMachine machine;
  final ConnectionWatchdog watchdog;
  final CoreContext context;
  final AdapterDriver driver;
  final ServerHangups hangups;
  final CallOperations calls;
  private final TlsContext tlsContext;

  AdapterCore(
      AdapterConfig config, Function<? super DriverContext, ? extends AdapterDriver> driver) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(driver, "driver");
    // Built once, before any thread starts: every connect and reconnect reuses the trust material.
    this.tlsContext = TlsContext.create(config.tlsSettings());
    Duration request = config.timeouts().request();
    this.registry = new CallRegistry(config.historySize());
    this.health =
        new HealthEvaluator(
            config.health(), config.timeouts().keepalive(), request, System::nanoTime);
    this.requests =
        new RequestTracker(config.name(), request, metrics, health, Schedulers.blocking());
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
            request);
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
            request,
            this::redact);
    this.calls =
        new CallOperations(config, this.driver, registry, machine, requests, watchdog, checks);
  }

  /** The one link-up path, for a target the user gave. */
  void connect(String host, int port, Credentials auth) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(auth, "auth");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
    }
    // Every login carries these in a line or a header: a line break would forge a second request.
    // The message names the field and the character's place, never the value.
    InputGuard.check("host", host);
    InputGuard.check("auth.username", auth.username());
    InputGuard.check("auth secret", auth.secret().reveal());
    Duration request = config.timeouts().request();
    watchdog.connect(
        new ConnectTarget(
            host, port, auth, config.tls(), config.timeouts().connect(), request, tlsContext));
    log.info("[{}] connected to {}:{} {}", config.name(), host, port, context.serverVersion());
  }

  void disconnect() {
    watchdog.disconnect(hangups::hangUpOwnCalls);
    log.info("[{}] disconnected", config.name());
  }

  /** Own calls hung up, link closed, driver released, remaining events delivered. Idempotent. */
  void close() {
    if (!watchdog.close(hangups::hangUpOwnCalls)) {
      return;
    }
    try {
      driver.close();
    } catch (RuntimeException e) {
      log.warn("[{}] releasing resources failed", config.name(), e);
    }
    dispatcher.close(Duration.ofSeconds(2));
    log.info("[{}] closed", config.name());
  }

  /** Health from recent facts, with the driver's server check bounded by the request timeout. */
  HealthReport healthCheck() {
    return health.evaluate(
        config.name(),
        config.type(),
        watchdog.state(),
        context.serverVersion(),
        registry.liveCount(),
        driver::healthDetails,
        Schedulers.blocking(),
        this::redact);
  }

  <T> T await(CompletableFuture<T> f) {
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
}
