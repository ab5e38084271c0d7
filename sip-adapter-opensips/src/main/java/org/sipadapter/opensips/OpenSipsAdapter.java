package org.sipadapter.opensips;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallSnapshot;
import org.sipadapter.ConnectTarget;
import org.sipadapter.ConnectionState;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.TrackedCall;
import org.sipadapter.UnsupportedFeatureException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.http.OkHttpJsonRpcTransport;
import org.sipadapter.opensips.dialog.Dialog;
import org.sipadapter.opensips.event.DialogStateEvent;
import org.sipadapter.opensips.event.EventStreamServer;
import org.sipadapter.opensips.mi.ActiveDialogStats;
import org.sipadapter.opensips.mi.MiException;
import org.sipadapter.opensips.mi.MiHttpErrorHint;
import org.sipadapter.opensips.mi.OpenSipsMi;
import org.sipadapter.opensips.mi.RegisteredContact;
import org.sipadapter.tracking.ControlLink;
import org.sipadapter.tracking.DialogCalls;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.tracking.ProxyDialog;
import org.sipadapter.transport.JsonRpcClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenSIPS adapter: watches and ends the dialogs that pass through an OpenSIPS 3.x proxy, over the
 * Management Interface ({@code mi_http}: JSON-RPC 2.0 over HTTP POST) with dialog events pushed by
 * {@code event_stream} to a TCP listener the adapter runs, or, without it, by polling {@code
 * dlg_list}.
 *
 * <p>Every dialog OpenSIPS tracks becomes a call reported as an {@code IncomingCall} (the adapter
 * starts none), with states from the dialog module: early (RINGING), confirmed (CONNECTED), deleted
 * (DISCONNECTED, or FAILED when it ended unanswered). {@code hangup} runs {@code dlg_end_dlg}: BYE
 * both ways, or CANCEL when not answered. Each call carries the server ids {@value #CALL_ID} (SIP
 * Call-ID) and {@value #DIALOG} (OpenSIPS dialog ID such as {@code 2da.69ee64b1}).
 *
 * <p>Event mode ({@code options.eventPort} set): connecting binds the listener, subscribes it with
 * {@code event_subscribe} (renewed at half the expiry) and then reads {@code dlg_list}, so nothing
 * happens unseen in between; the keepalive re-reads {@code dlg_list} and settles dialogs whose
 * events were lost. Polling mode: {@code dlg_list} every {@code options.pollInterval}, diffed.
 *
 * <p>Outbound calls are not offered: the MI has no originate command that yields a tracked call
 * ({@code t_uac_dlg} sends one request outside any dialog, with no ACK or BYE handling; B2B
 * scenarios need script support). Answer, reject, hold, transfer, recording, DTMF and conference
 * are not things a proxy does. All of those throw {@link UnsupportedFeatureException}.
 *
 * <p>Thread-safe, like every {@link SipAdapter}. Events are parsed on the listener's reader
 * threads, mapped in arrival order on one queue drained by a background thread, and delivered by
 * the base class on its own threads.
 */
public final class OpenSipsAdapter extends SipAdapter {

  /** Server id key of the SIP Call-ID. */
  public static final String CALL_ID = ProxyDialog.CALL_ID;

  /** Server id key of the OpenSIPS dialog ID. */
  public static final String DIALOG = ProxyDialog.DIALOG;

  /** Why {@code makeCall} is not offered. */
  public static final String NO_ORIGINATE =
      "OpenSIPS MI has no originate command that yields a tracked call (t_uac_dlg sends a single"
          + " request outside any dialog); calls through OpenSIPS are observed and ended only";

  private static final Logger log = LoggerFactory.getLogger(OpenSipsAdapter.class);
  private static final Pattern SAFE_TEXT = Pattern.compile("[A-Za-z0-9 ._-]{1,64}");
  private static final Duration UNSUBSCRIBE_WAIT = Duration.ofMillis(500);

  private final OpenSipsSettings settings;
  private final Object linkLock = new Object();
  // Every dialog OpenSIPS shows becomes one call here.
  private final DialogCalls<Dialog> dialogs;
  private final EventQueue events = new EventQueue();

  private volatile OkHttpJsonRpcTransport transport;
  private volatile OpenSipsMi mi;
  private volatile EventStreamServer eventServer;
  private volatile String subscribedSocket = "";
  private volatile boolean subscriptionOk;
  private volatile ScheduledFuture<?> poller;
  private volatile ScheduledFuture<?> renewer;

  /**
   * Creates an unconnected adapter.
   *
   * @param config the validated config (see {@link OpenSipsAdapterProvider})
   */
  public OpenSipsAdapter(AdapterConfig config) {
    super(config);
    this.settings = OpenSipsSettings.of(config);
    this.dialogs = new DialogCalls<>(callReports());
  }

  /** Observed (inbound) calls only; see the class comment for what a proxy cannot do. */
  @Override
  public Set<Feature> features() {
    return EnumSet.of(Feature.INBOUND_CALLS);
  }

  /** The OpenSIPS versions this adapter is built for (MI over mi_http JSON-RPC, event_stream). */
  @Override
  public List<String> supportedVersions() {
    return List.of("3.1", "3.2", "3.3", "3.4", "3.5");
  }

  /** The adapter's options as parsed from the config. */
  public OpenSipsSettings settings() {
    return settings;
  }

  /**
   * The port of the event_stream listener while connected in event mode.
   *
   * @return the bound port, or empty in polling mode or when not connected
   */
  public Optional<Integer> eventPort() {
    EventStreamServer s = eventServer;
    return s == null ? Optional.empty() : Optional.of(s.port());
  }

  // ------------------------------------------------------------------ extras

  /**
   * Lists the contacts registered at this OpenSIPS ({@code ul_dump}). Blocks up to the request
   * timeout.
   *
   * @return every contact of every usrloc domain
   * @throws AdapterConnectionException if not connected
   * @throws MiException if usrloc is not loaded (code -32601)
   */
  public List<RegisteredContact> registeredContacts() {
    return join(requireMi().registeredContacts());
  }

  /**
   * Reads the dialog counters ({@code get_statistics ["dialog:"]}). Blocks up to the request
   * timeout.
   *
   * @return the counters
   * @throws AdapterConnectionException if not connected
   */
  public ActiveDialogStats activeDialogStats() {
    return join(requireMi().activeDialogStats());
  }

  /**
   * Reads every dialog OpenSIPS lists now ({@code dlg_list}), including ended ones it still keeps.
   * Blocks up to the request timeout.
   *
   * @return the dialogs
   * @throws AdapterConnectionException if not connected
   */
  public List<Dialog> serverDialogs() {
    return join(requireMi().dialogs());
  }

  // ------------------------------------------------------------------ lifecycle hooks

  @Override
  protected void doConnect(ConnectTarget target) throws Exception {
    synchronized (linkLock) {
      long generation = linkGeneration();
      URI uri = ControlLink.uri(target, settings.miPath());
      OkHttpJsonRpcTransport t =
          OkHttpJsonRpcTransport.builder(uri)
              .connectTimeout(target.connectTimeout())
              .tls(target.tlsContext())
              .nonJsonReplies(MiHttpErrorHint.INSTANCE)
              .build();
      transport = t;
      JsonRpcClient.HttpTransport watched =
          ControlLink.watched(t::post, e -> reportConnectionLost(generation, e));
      OpenSipsMi m =
          new OpenSipsMi(
              new JsonRpcClient(
                  name(), watched, target.requestTimeout(), this::recordRequestLatency),
              target.requestTimeout());
      String version = join(m.version());
      serverVersion(version);
      mi = m;
      if (settings.usesEventStream()) {
        openEventStream(m);
      }
      List<Dialog> now = join(m.dialogs());
      dialogs.linkUp(now);
      if (!settings.usesEventStream()) {
        poller =
            dialogs.startPolling(
                timer(),
                settings.pollInterval(),
                () -> mi,
                OpenSipsMi::dialogs,
                e -> reportConnectionLost(generation, e),
                c -> reportError(null, "dlg_list poll failed: " + c.getMessage(), c));
      }
      log.info(
          "[{}] {} at {} ({} dialogs, events {})",
          name(),
          version,
          uri,
          now.size(),
          settings.usesEventStream()
              ? "over event_stream " + subscribedSocket
              : "by polling every " + settings.pollInterval().toMillis() + " ms");
    }
  }

  /** Binds the listener and subscribes it; events that arrive meanwhile are queued. */
  private void openEventStream(OpenSipsMi m) throws IOException {
    EventStreamServer s =
        EventStreamServer.start(
            name(), settings.eventHost(), settings.eventPort(), new StreamSink());
    eventServer = s;
    String socket = "tcp:" + settings.eventAdvertiseHost() + ":" + s.port();
    for (String event : settings.subscribedEvents()) {
      join(m.subscribe(event, socket, settings.eventExpire()));
    }
    subscribedSocket = socket;
    subscriptionOk = true;
    long half = Math.max(settings.eventExpire().toNanos() / 2, TimeUnit.SECONDS.toNanos(1));
    renewer =
        timer()
            .scheduleWithFixedDelay(
                () -> blockingExecutor().execute(this::renewSubscriptions),
                half,
                half,
                TimeUnit.NANOSECONDS);
  }

  private void renewSubscriptions() {
    OpenSipsMi m = mi;
    String socket = subscribedSocket;
    if (m == null || socket.isEmpty()) {
      return;
    }
    for (String event : settings.subscribedEvents()) {
      m.subscribe(event, socket, settings.eventExpire())
          .whenComplete(
              (v, e) -> {
                if (e == null) {
                  subscriptionOk = true;
                  log.debug("[{}] renewed {} for {}", name(), event, socket);
                } else {
                  subscriptionOk = false;
                  log.warn(
                      "[{}] renewing {} failed: {}",
                      name(),
                      event,
                      ControlLink.unwrap(e).getMessage());
                  reportError(
                      null,
                      "event_subscribe renewal failed: " + ControlLink.unwrap(e).getMessage(),
                      ControlLink.unwrap(e));
                }
              });
    }
  }

  @Override
  protected void doDisconnect() {
    synchronized (linkLock) {
      cancel(poller);
      poller = null;
      cancel(renewer);
      renewer = null;
      OpenSipsMi m = mi;
      String socket = subscribedSocket;
      subscribedSocket = "";
      if (m != null && !socket.isEmpty()) {
        unsubscribe(m, socket);
      }
      EventStreamServer s = eventServer;
      eventServer = null;
      if (s != null) {
        s.close();
      }
      mi = null;
      OkHttpJsonRpcTransport t = transport;
      transport = null;
      if (t != null) {
        t.close();
      }
    }
  }

  /** Best effort, bounded: expire 0 removes the subscription so OpenSIPS stops connecting. */
  private void unsubscribe(OpenSipsMi m, String socket) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (String event : settings.subscribedEvents()) {
      all.add(m.subscribe(event, socket, Duration.ZERO));
    }
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .get(UNSUBSCRIBE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("[{}] unsubscribing {} failed: {}", name(), socket, e.getMessage());
    }
  }

  @Override
  protected Optional<List<CallSnapshot>> doResync() {
    return Optional.of(dialogs.resync(trackedCalls()));
  }

  /**
   * Proves the MI answers. In event mode it reads {@code dlg_list} and settles what events missed:
   * dialogs gone or ended end their calls, unknown live dialogs are adopted. Only calls bound
   * before the request are judged, so a dialog that appears meanwhile is not mistaken for gone.
   */
  @Override
  protected void doKeepalive() {
    OpenSipsMi m = requireMi();
    if (!settings.usesEventStream()) {
      join(m.uptime());
      return;
    }
    List<TrackedCall> boundBefore = dialogs.boundCalls();
    dialogs.settle(join(m.dialogs()), boundBefore);
  }

  @Override
  protected Map<String, Object> doHealthDetails() {
    OpenSipsMi m = mi;
    Map<String, Object> details = new LinkedHashMap<>();
    if (m == null) {
      return details;
    }
    details.put("events", settings.usesEventStream() ? "event_stream" : "polling");
    if (settings.usesEventStream()) {
      details.put("eventSocket", subscribedSocket);
      details.put("subscriptionRenewed", subscriptionOk);
    }
    var up = join(m.uptime());
    details.put("uptimeSeconds", OpenSipsMi.uptimeSeconds(up));
    details.put("upSince", up.path("Up since").asText(""));
    join(m.statistics(List.of("dialog:", "tm:"))).forEach(details::put);
    return details;
  }

  @Override
  protected void doClose() {
    doDisconnect();
  }

  // ------------------------------------------------------------------ call hooks

  /** A proxy observes media-less dialogs: only outbound calls get a reason of their own. */
  @Override
  protected Optional<String> unsupportedReason(Feature feature) {
    return feature == Feature.OUTBOUND_CALLS
        ? Optional.of(NO_ORIGINATE)
        : Optional.of(
            "OpenSIPS relays signalling only and has no control of the media or the call");
  }

  /** Not offered; see {@link #NO_ORIGINATE}. */
  @Override
  protected CompletableFuture<Void> doMakeCall(TrackedCall call) {
    return CompletableFuture.failedFuture(
        new UnsupportedFeatureException(Feature.OUTBOUND_CALLS, type(), NO_ORIGINATE));
  }

  /**
   * {@code dlg_end_dlg} with the dialog ID (or the Call-ID when no ID is known), adding {@code
   * Reason: Q.850;cause=N} to the BYEs. A dialog OpenSIPS no longer has (404) ends the call here.
   */
  @Override
  protected CompletableFuture<Void> doHangup(TrackedCall call, HangupCause cause) {
    Optional<String> dialogId = call.serverId(DIALOG).or(() -> call.serverId(CALL_ID));
    if (dialogId.isEmpty()) {
      reportCallEnded(call.callId(), cause, Map.of());
      return CompletableFuture.completedFuture(null);
    }
    return requireMi()
        .endDialog(dialogId.get(), reasonHeader(cause))
        .handle(
            (v, e) -> {
              if (e == null) {
                blockingExecutor().execute(dialogs::pollSoon);
                return null;
              }
              Throwable c = ControlLink.unwrap(e);
              if (c instanceof MiException mx && mx.notFound()) {
                reportCallEnded(call.callId(), cause, Map.of());
                return null;
              }
              throw e instanceof CompletionException ce ? ce : new CompletionException(c);
            });
  }

  /** {@code Reason: Q.850;cause=16;text="..."} plus CRLF; text only when it is plain. */
  String reasonHeader(HangupCause cause) {
    if (!settings.hangupReason() || cause == null || cause.q850() <= 0) {
      return "";
    }
    String text = cause.text() == null ? "" : cause.text();
    return "Reason: Q.850;cause="
        + cause.q850()
        + (SAFE_TEXT.matcher(text).matches() ? ";text=\"" + text + "\"" : "")
        + "\r\n";
  }

  /**
   * Refuses CR/LF/NUL (base rule) and, for {@code from}, {@code to} and transfer targets, spaces,
   * quotes, angle brackets, commas and semicolons, which would break a SIP URI or header.
   */
  @Override
  protected void validateWireInput(String field, String value) {
    super.validateWireInput(field, value);
    if (field.equals("from") || field.equals("to") || field.equals("target")) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (Character.isWhitespace(c) || c == '<' || c == '>' || c == '"' || c == ',' || c == ';') {
          throw new IllegalArgumentException(
              field
                  + " must be a SIP URI or number without spaces, quotes, <>, ',' or ';': "
                  + value);
        }
      }
    }
  }

  // ------------------------------------------------------------------ event mapping

  /** Maps one event_stream notification. Runs on the event queue, in arrival order. */
  void onStreamEvent(DialogStateEvent e) {
    log.debug("[{}] <- event {} {}", name(), e.name(), e.fields());
    if (!e.isDialogStateChange()) {
      reportServerEvent(null, e.name(), e.fields());
      return;
    }
    DialogState to = e.newState();
    Dialog d =
        new Dialog(
            e.dialogId(),
            e.callId(),
            "",
            "",
            to,
            0,
            e.fields().getOrDefault("from_tag", ""),
            e.fields().getOrDefault("to_tag", ""));
    if (to.ended()) {
      dialogs.ended(
          d,
          e.oldState().answered() ? HangupCause.NORMAL_CLEARING : DialogCalls.ENDED_UNANSWERED,
          false);
    } else if (to != DialogState.UNKNOWN) {
      if (dialogs.boundCall(d).isEmpty()) {
        // The event carries no From/To: read them from dlg_list before reporting the call.
        d = withUris(d);
      }
      dialogs.live(d);
    }
    reportServerEvent(dialogs.boundCall(d).orElse(null), e.name(), e.fields());
  }

  /** The dialog with the From and To URIs that dlg_list shows for it, if it lists it. */
  private Dialog withUris(Dialog d) {
    OpenSipsMi m = mi;
    if (m == null) {
      return d;
    }
    try {
      for (Dialog listed : join(m.dialogs())) {
        if (listed.id().equals(d.id())) {
          return new Dialog(
              d.id(),
              d.callId(),
              listed.fromUri(),
              listed.toUri(),
              d.state(),
              listed.startEpochSeconds(),
              d.callerTag(),
              d.calleeTag());
        }
      }
    } catch (RuntimeException x) {
      log.warn("[{}] dlg_list for new dialog {} failed: {}", name(), d.id(), x.getMessage());
    }
    return d;
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  private static <T> T join(CompletableFuture<T> f) {
    return ControlLink.join(f);
  }

  private OpenSipsMi requireMi() {
    OpenSipsMi m = mi;
    if (m == null || connectionState() == ConnectionState.CLOSED) {
      throw new AdapterConnectionException(
          "OpenSIPS adapter " + name() + " is not connected; call connect() first");
    }
    return m;
  }

  /**
   * Runs event mapping in arrival order on the shared blocking pool, one task at a time, so the
   * reader threads never wait for MI lookups or listeners.
   */
  private final class EventQueue {
    private final ConcurrentLinkedQueue<DialogStateEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    void add(DialogStateEvent e) {
      queue.add(e);
      if (draining.compareAndSet(false, true)) {
        blockingExecutor().execute(this::drain);
      }
    }

    private void drain() {
      while (true) {
        DialogStateEvent e;
        while ((e = queue.poll()) != null) {
          try {
            onStreamEvent(e);
          } catch (RuntimeException x) {
            log.warn("[{}] event handling failed", name(), x);
            reportError(null, "event handling failed: " + x.getMessage(), x);
          }
        }
        draining.set(false);
        if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
          return;
        }
      }
    }
  }

  /** Receives event_stream objects on a reader thread; parsing is cheap and never blocks. */
  private final class StreamSink implements EventStreamServer.Sink {
    @Override
    public void frame(byte[] json) {
      try {
        events.add(DialogStateEvent.parse(json));
      } catch (IllegalArgumentException e) {
        log.warn("[{}] skipped event_stream object: {}", name(), e.getMessage());
        reportError(null, "bad event_stream object: " + e.getMessage(), e);
      }
    }

    @Override
    public void malformed(String reason) {
      log.warn("[{}] skipped event_stream bytes: {}", name(), reason);
      reportError(null, "malformed event_stream input: " + reason, null);
    }

    @Override
    public void connected(String remote) {
      log.debug("[{}] OpenSIPS connected its event_stream from {}", name(), remote);
    }
  }
}
