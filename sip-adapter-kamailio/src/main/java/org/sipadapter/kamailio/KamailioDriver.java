package org.sipadapter.kamailio;

import static org.sipadapter.tracking.ControlLink.join;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.ConnectionState;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.http.OkHttpJsonRpcTransport;
import org.sipadapter.kamailio.dialog.Dialog;
import org.sipadapter.kamailio.dialog.DialogKey;
import org.sipadapter.kamailio.evapi.DialogEvent;
import org.sipadapter.kamailio.evapi.NetstringDecoder;
import org.sipadapter.kamailio.rpc.ActiveDialogStats;
import org.sipadapter.kamailio.rpc.KamailioRpc;
import org.sipadapter.kamailio.rpc.RegisteredContact;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.Resync;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.WireField;
import org.sipadapter.tracking.CallReports;
import org.sipadapter.tracking.ControlLink;
import org.sipadapter.tracking.DialogCalls;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.tracking.ProxyDialog;
import org.sipadapter.transport.FramedConnection;
import org.sipadapter.transport.JsonRpcClient;
import org.sipadapter.transport.JsonRpcException;
import org.sipadapter.transport.Schedulers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC and evapi driver behind {@link KamailioAdapter}: every dialog Kamailio tracks
 * becomes a call ({@link DialogCalls}), {@code hangup} is {@code dlg.end_dlg}, {@code makeCall} is
 * click-to-dial with {@code dlg.bridge_dlg}. Events are mapped on the evapi reader thread (or the
 * polling thread) without blocking and delivered by core on its own threads.
 */
final class KamailioDriver implements AdapterDriver, OutboundCalls, InboundCalls, Resync {

  private static final String CALL_ID = ProxyDialog.CALL_ID;
  private static final String DIALOG = ProxyDialog.DIALOG;

  private static final Logger log = LoggerFactory.getLogger(KamailioDriver.class);
  private static final HangupCause UNKNOWN_FAILURE = HangupCause.ofQ850(31);
  private static final int ENSURE_END_ATTEMPTS = 5;
  private static final int ACK_WAIT_ATTEMPTS = 20;
  private static final long ACK_WAIT_MS = 50;
  private static final Pattern BARE_USER = Pattern.compile("[A-Za-z0-9+*#._~-]+");
  private static final long ENSURE_END_DELAY_MS = 200;
  private static final String EVAPI_READY = "evapi:ready";
  // Kamailio's default fr_inv_timer: how long it rings the first party of a click-to-dial.
  private static final long FIRST_LEG_RING_NANOS = TimeUnit.SECONDS.toNanos(120);

  private final AdapterConfig config;
  private final DriverContext core;
  private final KamailioSettings settings;
  private final Object linkLock = new Object();
  // Every dialog Kamailio shows becomes one call here; click-to-dial calls claim theirs.
  private final DialogCalls<Dialog> dialogs;
  // Click-to-dial calls waiting for their dialog, oldest first.
  private final Queue<Pending> pendingOutbound = new ConcurrentLinkedQueue<>();

  private volatile OkHttpJsonRpcTransport transport;
  private volatile KamailioRpc rpc;
  private volatile FramedConnection<byte[]> evapi;
  private volatile ScheduledFuture<?> poller;

  /**
   * A click-to-dial call and the destination URI its dialog will carry as To. Abandoned once the
   * call ended here before its dialog appeared (hangup, ring timeout): that dialog, when the first
   * party follows the REFER after all, is ended on the server instead of becoming a call.
   */
  private static final class Pending {
    final TrackedCall call;
    final String to;
    final long sinceNanos = System.nanoTime();
    volatile boolean abandoned;

    Pending(TrackedCall call, String to) {
      this.call = call;
      this.to = to;
    }
  }

  /**
   * Creates an unconnected driver.
   *
   * @param config the validated config (see {@link KamailioAdapterProvider})
   * @param core what core offers the driver
   */
  KamailioDriver(AdapterConfig config, DriverContext core) {
    this.config = config;
    this.core = core;
    this.settings = KamailioSettings.of(config);
    this.dialogs = new DialogCalls<>(CallReports.of(core), this::claim);
  }

  /** Everything beyond placing, watching and ending calls needs media, which a proxy never has. */
  @Override
  public Optional<String> unsupportedReason(Feature feature) {
    return Optional.of(
        "Kamailio is a SIP proxy: it relays signalling and has no media or call leg of its own");
  }

  /** The Kamailio versions this adapter is tested with. */
  @Override
  public List<String> supportedVersions() {
    return List.of("5.6", "6.1");
  }

  /** The adapter's options as parsed from the config. */
  KamailioSettings settings() {
    return settings;
  }

  private String name() {
    return config.name();
  }

  private AdapterConfig config() {
    return config;
  }

  // ------------------------------------------------------------------ extras

  /**
   * Lists the contacts registered at this Kamailio ({@code ul.dump}). Blocks up to the request
   * timeout.
   *
   * @return every contact of every usrloc domain
   * @throws AdapterConnectionException if not connected
   */
  List<RegisteredContact> registeredContacts() {
    return join(requireRpc().registeredContacts());
  }

  /**
   * Counts the active dialogs by state ({@code dlg.stats_active}). Blocks up to the request
   * timeout.
   *
   * @return the counts
   * @throws AdapterConnectionException if not connected
   */
  ActiveDialogStats activeDialogStats() {
    return join(requireRpc().activeDialogStats());
  }

  /**
   * Reads a call's dialog from Kamailio ({@code dlg.dlg_list} by SIP Call-ID), for what {@code
   * getStatus} does not carry (tags, timestamps). Blocks up to the request timeout.
   *
   * @param callId a call id issued by this adapter
   * @return the dialog, or empty if Kamailio no longer has it
   * @throws AdapterConnectionException if not connected
   */
  Optional<Dialog> serverDialog(String callId) {
    Optional<TrackedCall> call = core.findCall(callId);
    Optional<String> sipCallId = call.flatMap(c -> c.serverId(CALL_ID));
    if (sipCallId.isEmpty()) {
      return Optional.empty();
    }
    return join(requireRpc().dialog(sipCallId.get()));
  }

  // ------------------------------------------------------------------ lifecycle hooks

  @Override
  public void connect(ConnectTarget target) throws Exception {
    synchronized (linkLock) {
      long generation = core.linkGeneration();
      URI uri = ControlLink.uri(target, settings.rpcPath());
      Map<String, String> headers = new LinkedHashMap<>();
      if (!target.credentials().secret().isEmpty()) {
        String secret = target.credentials().secret().reveal();
        headers.put(
            settings.authHeader(),
            settings.authScheme().isEmpty() ? secret : settings.authScheme() + " " + secret);
      }
      OkHttpJsonRpcTransport t =
          OkHttpJsonRpcTransport.builder(uri)
              .connectTimeout(target.connectTimeout())
              .headers(headers)
              // https: the trust store of the config's tls settings, built once by core.
              .tls(target.tlsContext())
              .build();
      transport = t;
      JsonRpcClient.HttpTransport watched =
          ControlLink.watched(
              (body, timeout) ->
                  t.post(body, timeout).thenApply(KamailioDriver::refuseUnauthorized),
              e -> core.reportConnectionLost(generation, e));
      KamailioRpc r =
          new KamailioRpc(
              new JsonRpcClient(
                  name(), watched, target.requestTimeout(), core::recordRequestLatency));
      String version = join(r.version());
      core.reportServerVersion(version);
      rpc = r;
      if (settings.usesEvapi()) {
        // Open the event link before reading dlg.list, so nothing happens unseen in between.
        EvapiListener listener = new EvapiListener(generation);
        evapi =
            FramedConnection.open(
                new FramedConnection.Endpoint(
                    name() + "-evapi",
                    settings.evapiHost(),
                    settings.evapiPort(),
                    false,
                    target.connectTimeout()),
                new NetstringDecoder(),
                listener);
        if (settings.evapiReady()) {
          awaitEvapiReady(listener, target);
        }
      }
      List<Dialog> now = join(r.dialogs());
      dialogs.linkUp(now);
      String events = "over evapi " + settings.evapiHost() + ":" + settings.evapiPort();
      if (!settings.usesEvapi()) {
        events = "by polling every " + settings.pollInterval().toMillis() + " ms";
        poller =
            dialogs.startPolling(
                Schedulers.timer(),
                settings.pollInterval(),
                () -> rpc,
                KamailioRpc::dialogs,
                e -> core.reportConnectionLost(generation, e),
                c -> core.reportError(null, "dlg.list poll failed: " + c.getMessage(), c));
      }
      log.info("[{}] {} at {} ({} dialogs, events {})", name(), version, uri, now.size(), events);
    }
  }

  /**
   * Waits until Kamailio's evapi dispatcher has taken the connection in: the kernel completes the
   * TCP handshake before the dispatcher calls {@code accept()}, and an event relayed in between is
   * not sent to this client (a busy call's {@code dialog:failed} lost, the call ending NO_ANSWER).
   */
  private void awaitEvapiReady(EvapiListener listener, ConnectTarget target) {
    try {
      listener.ready.get(target.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AdapterConnectionException(
          "no {\"event\":\"evapi:ready\"} from Kamailio within "
              + target.connectTimeout().toMillis()
              + " ms: add event_route[evapi:connection-new] (see docs/kamailio.md) or set"
              + " options.evapiReady false");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdapterConnectionException("interrupted while waiting for evapi:ready", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AdapterConnectionException("evapi link failed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void disconnect() {
    synchronized (linkLock) {
      ScheduledFuture<?> p = poller;
      poller = null;
      if (p != null) {
        p.cancel(false);
      }
      rpc = null;
      closeQuietly(evapi);
      evapi = null;
      closeQuietly(transport);
      transport = null;
    }
  }

  @Override
  public void close() {
    disconnect();
  }

  private void closeQuietly(AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception e) {
      log.debug("[{}] closing {} failed: {}", name(), c, e.toString());
    }
  }

  /**
   * Reads {@code dlg.list} (which also proves the link is alive) and, with evapi, settles what the
   * events missed: Kamailio 5.6 does not always run {@code event_route[dialog:end]} for dialogs
   * ended by {@code dlg.end_dlg}, and a dialog nobody has is claimed or reported.
   */
  @Override
  public void keepalive() {
    KamailioRpc r = requireRpc();
    List<TrackedCall> boundBefore = dialogs.boundCalls();
    List<Dialog> now = join(r.dialogs());
    if (settings.usesEvapi()) {
      dialogs.settle(now, boundBefore);
    }
  }

  @Override
  public List<CallSnapshot> resync() {
    return dialogs.resync(core.trackedCalls());
  }

  /**
   * The server probe: {@code core.uptime} and {@code dlg.stats_active} must answer (a frozen or
   * failing Kamailio throws here, so the report is not HEALTHY); the {@code stats.get_statistics}
   * counters need the kex module and are left out without it.
   */
  @Override
  public Map<String, Object> healthDetails() {
    KamailioRpc r = requireRpc();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("events", settings.usesEvapi() ? "evapi" : "polling");
    details.put("uptimeSeconds", join(r.uptimeSeconds()));
    details.put("activeDialogs", join(r.activeDialogStats()).all());
    try {
      for (String group : List.of("dialog", "tmx")) {
        join(r.statistics(group)).forEach(details::put);
      }
    } catch (JsonRpcException e) {
      details.put("statistics", "unavailable: " + e.rpcMessage());
    }
    return details;
  }

  // ------------------------------------------------------------------ call hooks

  /**
   * Click-to-dial: {@code dlg.bridge_dlg from to [outboundProxy]}. Completes when Kamailio accepted
   * the request (it answers at once); the call's states follow from the second leg's dialog.
   */
  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    ConnectTarget target = core.connectTarget().orElseThrow();
    String from = sipUri(call.from(), target);
    String to = sipUri(call.to(), target);
    prunePending();
    Pending pending = new Pending(call, to);
    pendingOutbound.add(pending);
    List<Object> params = new ArrayList<>(List.of(from, to));
    if (!settings.bridgeProxy().isEmpty()) {
      params.add(settings.bridgeProxy());
    }
    return requireRpc()
        .client()
        .call(target.requestTimeout(), "dlg.bridge_dlg", params)
        .handle(
            (v, e) -> {
              if (e != null) {
                // Refused by Kamailio: no dialog will come. Anything else (a timeout, a lost link)
                // may still be carried out late, and the dialog is then claimed and hung up.
                if (ControlLink.unwrap(e) instanceof JsonRpcException) {
                  pendingOutbound.remove(pending);
                }
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
              }
              return null;
            });
  }

  /**
   * A SIP URI as given, or a bare user/number turned into {@code sip:user@host:port} of Kamailio.
   */
  private static String sipUri(String value, ConnectTarget target) {
    if (value.startsWith("sip:") || value.startsWith("sips:")) {
      return value;
    }
    return "sip:" + value + "@" + target.host() + ":" + target.port();
  }

  /**
   * Refuses CR/LF/NUL (base rule) and, for {@code from} and {@code to}, anything but a plain SIP
   * URI or a bare user: they become a Request-URI and a {@code Refer-To} header, so spaces, quotes,
   * angle brackets and commas would break or inject into those headers.
   */
  @Override
  public void checkWire(WireField field, String value) {
    if (field.kind() == WireField.Kind.FROM || field.kind() == WireField.Kind.TO) {
      boolean uri = value.startsWith("sip:") || value.startsWith("sips:");
      if (!uri && !BARE_USER.matcher(value).matches()) {
        throw new IllegalArgumentException(
            field
                + " must be a SIP URI (sip:user@host[:port]) or a user/number ("
                + BARE_USER.pattern()
                + "): "
                + value);
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (Character.isWhitespace(c) || c == '<' || c == '>' || c == '"' || c == ',') {
          throw new IllegalArgumentException(
              field + " must not contain spaces, quotes, angle brackets or commas: " + value);
        }
      }
    }
  }

  /**
   * Ends the call's dialog from its server ids alone (also for a call that already ended here and
   * that core hangs up because Kamailio still holds it). A click-to-dial call whose second leg does
   * not exist yet ends here; its dialog, should it come, is ended on arrival.
   */
  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    Optional<DialogKey> key = call.serverId(DIALOG).flatMap(KamailioDriver::parseKey);
    if (key.isEmpty()) {
      // Kamailio offers no way to cancel the first leg's INVITE.
      for (Pending p : pendingOutbound) {
        if (p.call.callId().equals(call.callId())) {
          p.abandoned = true;
        }
      }
      core.reportCallEnded(call.callId(), cause, Map.of());
      return CompletableFuture.completedFuture(null);
    }
    return endOnServer(requireRpc(), key.get(), call.serverId(CALL_ID).orElse(""))
        .handle(
            (v, e) -> {
              if (e == null) {
                return null;
              }
              Throwable c = ControlLink.unwrap(e);
              if (c instanceof JsonRpcException j && j.code() == 404) {
                // Already gone on the server: the call has ended.
                core.reportCallEnded(call.callId(), cause, Map.of());
                return null;
              }
              throw e instanceof CompletionException ce ? ce : new CompletionException(c);
            });
  }

  /**
   * Ends a dialog: {@code tm.cancel} while it is not answered, else {@code dlg.end_dlg} once it is
   * acknowledged, checked afterwards.
   */
  private CompletableFuture<Void> endOnServer(KamailioRpc r, DialogKey key, String sipCallId) {
    CompletableFuture<Optional<Dialog>> now =
        sipCallId.isEmpty()
            ? CompletableFuture.completedFuture(Optional.empty())
            : r.dialog(sipCallId);
    return now.thenCompose(
        d -> {
          if (d.isPresent()
              && d.get().key().equals(key)
              && (d.get().state() == DialogState.UNCONFIRMED
                  || d.get().state() == DialogState.EARLY)) {
            // Not answered: dlg.end_dlg cannot end it, cancelling the INVITE can.
            return r.cancel(sipCallId, d.get().callerCseq());
          }
          return whenAcknowledged(r, key, sipCallId, 0)
              .thenCompose(ignored -> r.endDialog(key))
              .thenRun(() -> ensureEnded(r, key, sipCallId, 1));
        });
  }

  /**
   * Completes once the dialog is confirmed (state 4) or gone: Kamailio 5.6 cannot end a dialog
   * before that ("terminating non-confirmed dialogs not supported"), and one whose 200 OK was not
   * yet acknowledged then hangs. The ACK normally follows the 200 OK within milliseconds; after
   * {@value #ACK_WAIT_ATTEMPTS} checks ({@value #ACK_WAIT_MS} ms apart) the request goes ahead.
   */
  private CompletableFuture<Void> whenAcknowledged(
      KamailioRpc r, DialogKey key, String sipCallId, int attempt) {
    if (sipCallId.isEmpty() || attempt >= ACK_WAIT_ATTEMPTS) {
      return CompletableFuture.completedFuture(null);
    }
    return r.dialog(sipCallId)
        .thenCompose(
            d -> {
              if (d.isPresent()
                  && d.get().key().equals(key)
                  && d.get().state() != DialogState.CONFIRMED
                  && !d.get().state().ended()) {
                Executor later =
                    CompletableFuture.delayedExecutor(
                        ACK_WAIT_MS, TimeUnit.MILLISECONDS, Schedulers.blocking());
                return CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(x -> whenAcknowledged(r, key, sipCallId, attempt + 1));
              }
              return CompletableFuture.completedFuture(null);
            });
  }

  /**
   * Checks that a dialog ended after {@code dlg.end_dlg}, and repeats the request if not: a dialog
   * whose 200 OK was not yet acknowledged (state 3) can survive it. Runs in the background.
   */
  private void ensureEnded(KamailioRpc r, DialogKey key, String sipCallId, int attempt) {
    if (attempt > ENSURE_END_ATTEMPTS) {
      return;
    }
    CompletableFuture.delayedExecutor(
            ENSURE_END_DELAY_MS * attempt, TimeUnit.MILLISECONDS, Schedulers.blocking())
        .execute(
            () -> {
              if (rpc != r) {
                return;
              }
              r.dialog(sipCallId)
                  .thenCompose(
                      d -> {
                        if (d.isPresent()
                            && d.get().key().equals(key)
                            && !d.get().state().ended()) {
                          log.debug(
                              "[{}] dialog {} survived dlg.end_dlg; ending it again", name(), key);
                          return r.endDialog(key)
                              .thenRun(() -> ensureEnded(r, key, sipCallId, attempt + 1));
                        }
                        if (d.isEmpty() || d.get().state().ended()) {
                          // Ended, whether or not Kamailio ran event_route[dialog:end] for it.
                          core.findCallByServerId(CALL_ID, sipCallId)
                              .ifPresent(
                                  c ->
                                      core.reportCallEnded(
                                          c.callId(), HangupCause.NORMAL_CLEARING, Map.of()));
                        }
                        return CompletableFuture.completedFuture(null);
                      })
                  .exceptionally(e -> null);
            });
  }

  // ------------------------------------------------------------------ event mapping

  /** Maps one evapi dialog event to call state reports. Never blocks. */
  void onDialogEvent(DialogEvent e) {
    log.debug("[{}] <- evapi {} {} {} state {}", name(), e.name(), e.callId(), e.key(), e.state());
    if (e.kind() == DialogEvent.Kind.OTHER) {
      core.reportServerEvent(null, e.name(), e.fields());
      return;
    }
    Dialog d = e.dialog();
    switch (e.kind()) {
      case EARLY, START -> dialogs.live(d);
      case END -> dialogs.ended(d, HangupCause.NORMAL_CLEARING, false);
      // A call that failed before any other event is still reported, as a failed call.
      case FAILED -> dialogs.ended(d, failureCause(e.fields().get("code")), true);
      case OTHER -> {
        // handled above
      }
    }
    // After the call's end the raw event carries no call id.
    core.reportServerEvent(dialogs.boundCall(d).orElse(null), e.name(), e.fields());
  }

  /**
   * Claims a new dialog for the oldest click-to-dial call still waiting whose destination is its To
   * URI: a live call first, else one core gave up on (its {@code dlg.bridge_dlg} timed out or was
   * cut off and Kamailio ran it late), which core then hangs up. The dialog of an abandoned call is
   * ended on the server. Runs under the tracker's lock; never blocks.
   */
  private Optional<String> claim(Dialog d) {
    if (d.toUri().isEmpty()) {
      return Optional.empty();
    }
    prunePending();
    Pending p = oldestPending(d, true);
    if (p == null) {
      p = oldestPending(d, false);
    }
    if (p == null) {
      return Optional.empty();
    }
    if (p.abandoned && !d.state().ended()) {
      KamailioRpc r = rpc;
      log.info("[{}] ending dialog {} of {}, which ended before it", name(), d.key(), p.call);
      if (r != null) {
        Schedulers.blocking()
            .execute(() -> endOnServer(r, d.key(), d.callId()).exceptionally(x -> null));
      }
    }
    return Optional.of(p.call.callId());
  }

  /**
   * Takes the oldest waiting call to the dialog's To URI out of the queue: among the calls still
   * live here, or else among those that ended here before their dialog came. A live call's request
   * was accepted or is on its way, so its dialog will come; a call given up or abandoned may have
   * none at all (a request lost with the link never reached Kamailio), and must not take a live
   * call's dialog. If it does have one after all, that dialog goes to the live call and the live
   * call's own one, to the same URI, is ended in its place.
   */
  private Pending oldestPending(Dialog d, boolean live) {
    for (Pending p : pendingOutbound) {
      boolean isLive = !p.abandoned && core.findCall(p.call.callId()).isPresent();
      if (isLive == live && sameUri(p.to, d.toUri()) && pendingOutbound.remove(p)) {
        return p;
      }
    }
    return null;
  }

  /** Drops waiting calls nothing can claim any more: ended here long ago, and not given up. */
  private void prunePending() {
    Set<String> givenUp = new HashSet<>();
    core.givenUpCalls().forEach(c -> givenUp.add(c.callId()));
    long now = System.nanoTime();
    pendingOutbound.removeIf(
        p ->
            core.findCall(p.call.callId()).isEmpty()
                && !givenUp.contains(p.call.callId())
                && (!p.abandoned || now - p.sinceNanos > FIRST_LEG_RING_NANOS));
  }

  private static boolean sameUri(String a, String b) {
    return strip(a).equalsIgnoreCase(strip(b));
  }

  private static String strip(String uri) {
    String s = uri.trim();
    if (s.startsWith("<") && s.endsWith(">")) {
      s = s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static JsonRpcClient.HttpReply refuseUnauthorized(JsonRpcClient.HttpReply reply) {
    if (reply.status() == 401 || reply.status() == 403) {
      throw new AuthenticationException(
          "Kamailio refused the RPC request (HTTP "
              + reply.status()
              + "): check auth.password, options.authHeader/authScheme and the xhttp:request"
              + " route's check");
    }
    return reply;
  }

  private static HangupCause failureCause(String code) {
    if (code != null) {
      try {
        int sip = Integer.parseInt(code);
        if (sip >= 300 && sip <= 699) {
          return HangupCause.ofSip(sip);
        }
      } catch (NumberFormatException ignored) {
        // fall through
      }
    }
    return UNKNOWN_FAILURE.withText("dialog failed (no SIP status in the event)");
  }

  static Optional<DialogKey> parseKey(String s) {
    int colon = s.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new DialogKey(
              Long.parseLong(s.substring(0, colon)), Long.parseLong(s.substring(colon + 1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The RPC client of the current link; throws when there is none. */
  private KamailioRpc requireRpc() {
    return Optional.ofNullable(rpc)
        .filter(r -> core.connectionState() != ConnectionState.CLOSED)
        .orElseThrow(
            () ->
                new AdapterConnectionException(
                    "Kamailio adapter " + name() + " is not connected; call connect() first"));
  }

  /** Receives evapi frames on the reader thread; parsing is cheap and never blocks. */
  private final class EvapiListener implements FramedConnection.Listener<byte[]> {
    private final long generation;
    // Completed by evapi:ready, the script's word that events reach this client from now on.
    final CompletableFuture<Void> ready = new CompletableFuture<>();

    EvapiListener(long generation) {
      this.generation = generation;
    }

    @Override
    public void onFrame(byte[] payload) {
      try {
        Optional<DialogEvent> e = DialogEvent.parse(payload);
        if (e.isPresent() && e.get().name().equals(EVAPI_READY)) {
          ready.complete(null);
        } else {
          e.ifPresent(KamailioDriver.this::onDialogEvent);
        }
      } catch (IllegalArgumentException e) {
        skipped("bad evapi message: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        skipped("evapi event handling failed: " + e.getMessage(), e);
      }
    }

    /** Logs and reports skipped input; the link stays up. */
    private void skipped(String what, Exception e) {
      log.warn("[{}] {}", name(), what, e);
      core.reportError(null, what, e);
    }

    @Override
    public void onMalformed(String reason) {
      skipped("malformed evapi stream: " + reason, null);
    }

    @Override
    public void onClosed(Throwable cause) {
      ready.completeExceptionally(
          cause == null ? new AdapterConnectionException("evapi link closed") : cause);
      core.reportConnectionLost(
          generation,
          cause == null ? new AdapterConnectionException("evapi link closed by Kamailio") : cause);
    }
  }
}
