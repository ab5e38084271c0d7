package org.sipadapter.opensips;

import static org.sipadapter.opensips.OpenSipsAdapter.CALL_ID;
import static org.sipadapter.opensips.OpenSipsAdapter.DIALOG;
import static org.sipadapter.opensips.OpenSipsAdapter.NO_B2B_ENTITIES;
import static org.sipadapter.opensips.OpenSipsAdapter.NO_ORIGINATE;
import static org.sipadapter.opensips.OpenSipsAdapter.UA_KEY;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
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
import org.sipadapter.opensips.ua.UaSessionEvent;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.Answer;
import org.sipadapter.spi.AttendedTransfer;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.Capabilities;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.Hold;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.Reject;
import org.sipadapter.spi.Resync;
import org.sipadapter.spi.SendDtmf;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.Transfer;
import org.sipadapter.spi.WireField;
import org.sipadapter.tracking.CallReports;
import org.sipadapter.tracking.ControlLink;
import org.sipadapter.tracking.DialogCalls;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.transport.JsonRpcClient;
import org.sipadapter.transport.Schedulers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MI and event_stream driver behind {@link OpenSipsAdapter}: every dialog OpenSIPS tracks
 * becomes a call ({@link DialogCalls}), {@code hangup} is {@code dlg_end_dlg}, and with {@code
 * options.uaSessions} calls are placed, answered, held and transferred as b2b_entities UA sessions.
 * Events are parsed on the listener's reader threads and mapped in arrival order on one queue.
 */
final class OpenSipsDriver
    implements AdapterDriver,
        OutboundCalls,
        InboundCalls,
        Answer,
        Reject,
        Transfer,
        AttendedTransfer,
        Hold,
        SendDtmf,
        Resync {

  private static final int MISSED_CAUSES_KEPT = 1024;

  private static final Logger log = LoggerFactory.getLogger(OpenSipsDriver.class);
  private static final Pattern SAFE_TEXT = Pattern.compile("[A-Za-z0-9 ._-]{1,64}");
  private static final Duration UNSUBSCRIBE_WAIT = Duration.ofMillis(500);

  private final AdapterConfig config;
  private final DriverContext core;
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
  // null until a connect read the MI command list
  private volatile Boolean b2bLoaded;
  // UA sessions listed at link-up: Call-ID -> b2b state, for resync
  private volatile Map<String, Integer> uaAtConnect = Map.of();
  // per UA session key: what the adapter asked of it (hold, transfer)
  private final Map<String, UaState> uaStates = new ConcurrentHashMap<>();
  // SIP codes of failed calls by Call-ID, from E_ACC_MISSED_EVENT (it comes before the 1->5)
  private final Map<String, HangupCause> missedCauses =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, HangupCause> e) {
              return size() > MISSED_CAUSES_KEPT;
            }
          });

  // acc's E_ACC_CDR of calls that had not ended here yet, by SIP Call-ID
  private final Map<String, DialogStateEvent> earlyCdrs =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, DialogStateEvent> e) {
              return size() > MISSED_CAUSES_KEPT;
            }
          });
  // ua_session_client_start requests of this adapter not answered yet
  private final java.util.concurrent.atomic.AtomicInteger startsPending =
      new java.util.concurrent.atomic.AtomicInteger();
  // E_UA_SESSION of unknown outgoing sessions without a readable marker, held while starts are
  // pending (the key may be one of theirs); guarded by itself
  private final List<DialogStateEvent> parked = new ArrayList<>();
  // consultation sessions of attended transfers, by their marker and by their key
  private final Map<String, Consultation> consultations = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong consultSeq =
      new java.util.concurrent.atomic.AtomicLong();

  /** What the adapter asked of one UA session. */
  private static final class UaState {
    volatile boolean held;
    volatile boolean transferring;
    volatile boolean answered;
    // the consultation of the attended transfer under way, if any
    volatile Consultation consult;
  }

  /**
   * The consultation session of an attended transfer: a UA session to the target that is no call of
   * its own. Its answer gives the dialog that the REFER's {@code Replaces} names.
   */
  private static final class Consultation {
    final String callId;
    final String marker;
    volatile String key;
    // {Call-ID, our From tag, the target's To tag} once the target answered
    final CompletableFuture<String[]> answered = new CompletableFuture<>();

    Consultation(String callId, String marker) {
      this.callId = callId;
      this.marker = marker;
    }
  }

  /**
   * Creates an unconnected driver.
   *
   * @param config the validated config (see {@link OpenSipsAdapterProvider})
   * @param core what core offers the driver
   */
  OpenSipsDriver(AdapterConfig config, DriverContext core) {
    this.config = config;
    this.core = core;
    this.settings = OpenSipsSettings.of(config);
    this.dialogs = new DialogCalls<>(CallReports.of(core));
  }

  /**
   * Observed (inbound) calls; with {@code uaSessions} also placing, answering, rejecting, holding,
   * transferring calls and sending DTMF as b2b_entities UA sessions, unless the connected OpenSIPS
   * turned out to have no b2b_entities.
   */
  @Override
  public Capabilities capabilities() {
    Capabilities all = Capabilities.of(this);
    if (settings.uaSessions() && !Boolean.FALSE.equals(b2bLoaded)) {
      return all;
    }
    return all.without(
        OutboundCalls.class,
        Answer.class,
        Reject.class,
        Hold.class,
        Transfer.class,
        AttendedTransfer.class,
        SendDtmf.class);
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

  private String name() {
    return config.name();
  }

  private AdapterConfig config() {
    return config;
  }

  private String type() {
    return config.type();
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
  public void connect(ConnectTarget target) throws Exception {
    synchronized (linkLock) {
      long generation = core.linkGeneration();
      URI uri = ControlLink.uri(target, settings.miPath());
      OkHttpJsonRpcTransport.Builder b =
          OkHttpJsonRpcTransport.builder(uri)
              .connectTimeout(target.connectTimeout())
              .tls(target.tlsContext())
              .nonJsonReplies(MiHttpErrorHint.INSTANCE);
      // for an authenticating reverse proxy in front of mi_http (which has no authentication)
      settings.authValue(target.credentials()).ifPresent(v -> b.header(settings.authHeader(), v));
      OkHttpJsonRpcTransport t = b.build();
      transport = t;
      JsonRpcClient.HttpTransport watched =
          ControlLink.watched(
              (body, timeout) ->
                  t.post(body, timeout).thenApply(MiHttpErrorHint::refuseUnauthorized),
              e -> core.reportConnectionLost(generation, e));
      OpenSipsMi m =
          new OpenSipsMi(
              new JsonRpcClient(
                  name(), watched, target.requestTimeout(), core::recordRequestLatency),
              target.requestTimeout());
      String version = join(m.version());
      core.reportServerVersion(version);
      if (settings.uaSessions()) {
        b2bLoaded = join(m.commands()).contains("ua_session_client_start");
        if (!b2bLoaded) {
          log.warn("[{}] {}", name(), NO_B2B_ENTITIES);
        }
      }
      mi = m;
      if (settings.usesEventStream()) {
        openEventStream(m);
      }
      List<Dialog> now = join(m.dialogs());
      if (Boolean.TRUE.equals(b2bLoaded)) {
        Map<String, Integer> sessions = new LinkedHashMap<>();
        for (var n : join(m.uaSessions())) {
          // a rejected outgoing session stays listed in state 1 (files 12): not a live call
          boolean rejected = n.path("state").asInt() == 1 && n.path("last_method").asInt() == 2;
          int state = rejected ? 7 : n.path("state").asInt();
          // the key is the Call-ID of an outgoing session, the To tag of an incoming one
          sessions.put(n.path("callid").asText(), state);
          sessions.put(n.path("to_tag").asText(), state);
        }
        uaAtConnect = sessions;
      }
      // On the event queue, after the events that came before the list: a dialog whose first
      // event is still being mapped is not adopted from the list in a later state meanwhile.
      join(events.run(() -> dialogs.linkUp(now)));
      if (!settings.usesEventStream()) {
        poller =
            dialogs.startPolling(
                Schedulers.timer(),
                settings.pollInterval(),
                () -> mi,
                OpenSipsMi::dialogs,
                e -> core.reportConnectionLost(generation, e),
                c -> core.reportError(null, "dlg_list poll failed: " + c.getMessage(), c));
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
    for (String event : subscribedEvents()) {
      join(m.subscribe(event, socket, settings.eventExpire()));
    }
    subscribedSocket = socket;
    subscriptionOk = true;
    long half = Math.max(settings.eventExpire().toNanos() / 2, TimeUnit.SECONDS.toNanos(1));
    renewer =
        Schedulers.timer()
            .scheduleWithFixedDelay(
                () -> Schedulers.blocking().execute(this::renewSubscriptions),
                half,
                half,
                TimeUnit.NANOSECONDS);
  }

  /** The events to subscribe: E_UA_SESSION only where b2b_entities is loaded (else 400). */
  private List<String> subscribedEvents() {
    List<String> all = new ArrayList<>(settings.subscribedEvents());
    if (!Boolean.TRUE.equals(b2bLoaded)) {
      all.remove(OpenSipsSettings.UA_EVENT);
    }
    return all;
  }

  private void renewSubscriptions() {
    OpenSipsMi m = mi;
    String socket = subscribedSocket;
    if (m == null || socket.isEmpty()) {
      return;
    }
    for (String event : subscribedEvents()) {
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
                  core.reportError(
                      null,
                      "event_subscribe renewal failed: " + ControlLink.unwrap(e).getMessage(),
                      ControlLink.unwrap(e));
                }
              });
    }
  }

  @Override
  public void disconnect() {
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
    for (String event : subscribedEvents()) {
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

  /**
   * The calls whose dialog or UA session the lists read at link-up hold live, in their state; the
   * others are left out, so core ends them.
   */
  @Override
  public List<CallSnapshot> resync() {
    List<CallSnapshot> out = new ArrayList<>(dialogs.resync(core.trackedCalls()));
    Map<String, Integer> listed = uaAtConnect;
    for (TrackedCall c : core.trackedCalls()) {
      Optional<String> key = c.serverId(UA_KEY);
      Integer state = key.map(listed::get).orElse(null);
      if (state == null || state == 7 || state == 8) {
        continue;
      }
      CallState now =
          state == 5
              ? (uaState(key.get()).held ? CallState.ON_HOLD : CallState.CONNECTED)
              : c.state().isTerminal() ? CallState.RINGING : c.state();
      out.add(new CallSnapshot(c.callId(), now, c.serverIds()));
    }
    return out;
  }

  /**
   * Proves the MI answers. In event mode it reads {@code dlg_list} and settles what events missed:
   * dialogs gone or ended end their calls, unknown live dialogs are adopted. Only calls bound
   * before the request are judged, so a dialog that appears meanwhile is not mistaken for gone. The
   * list is applied on the event queue, after the events that arrived before it: a dialog whose
   * first event is being mapped (reading {@code dlg_list} for its From and To) is not adopted in
   * the confirmed state it has by now, which would skip its RINGING.
   */
  @Override
  public void keepalive() {
    OpenSipsMi m = requireMi();
    if (!settings.usesEventStream()) {
      join(m.uptime());
      return;
    }
    List<TrackedCall> boundBefore = dialogs.boundCalls();
    List<Dialog> now = join(m.dialogs());
    events.run(() -> dialogs.settle(now, boundBefore));
  }

  @Override
  public Map<String, Object> healthDetails() {
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
  public void close() {
    disconnect();
  }

  // ------------------------------------------------------------------ call hooks

  /** Why a feature is missing: UA sessions off, b2b_entities absent, or no media here. */
  @Override
  public Optional<String> unsupportedReason(Feature feature) {
    if (Capabilities.of(this).has(Capabilities.capabilityOf(feature))) {
      // a UA session feature this OpenSIPS or this config does not offer now
      return Optional.of(settings.uaSessions() ? NO_B2B_ENTITIES : NO_ORIGINATE);
    }
    return Optional.of(
        "OpenSIPS handles signalling only: it has no media to record, mix or listen to");
  }

  // ------------------------------------------------------------------ UA sessions

  /**
   * {@code ua_session_client_start} to {@code to}, with an SDP offer and this call's marker as a
   * From-URI parameter ({@value UaSessionEvent#MARKER_PARAM}), which every reply OpenSIPS reports
   * echoes: events are matched to the call by it even before the MI answer with the key arrives,
   * and a session OpenSIPS starts late (after a timeout here) is recognised and hung up.
   */
  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    OpenSipsMi m = requireMi();
    if (!settings.uaSessions() || Boolean.FALSE.equals(b2bLoaded)) {
      return CompletableFuture.failedFuture(
          new UnsupportedFeatureException(
              Feature.OUTBOUND_CALLS,
              type(),
              settings.uaSessions() ? NO_B2B_ENTITIES : NO_ORIGINATE));
    }
    String to = sipUri(call.to());
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ruri", to);
    p.put("to", to);
    p.put(
        "from",
        sipUri(call.from()) + ";" + UaSessionEvent.MARKER_PARAM + "=" + core.callMarker(call));
    p.put("body", sdp("sendrecv"));
    p.put("flags", "rhb");
    if (!settings.uaSocket().isEmpty()) {
      p.put("socket", settings.uaSocket());
    }
    return startSession(
            m,
            p,
            key -> {
              uaStates.putIfAbsent(key, new UaState());
              core.bindServerId(call.callId(), UA_KEY, key);
            })
        .handle(
            (key, e) -> {
              if (e != null) {
                Throwable c = ControlLink.unwrap(e);
                if (c instanceof MiException mx && mx.code() == 500) {
                  throw new CompletionException(
                      new MiException(
                          "ua_session_client_start",
                          mx.code(),
                          mx.rpcMessage(),
                          "b2b_entities needs options.uaSocket (its socket parameter) or its"
                              + " advertised_contact modparam"));
                }
                throw e instanceof CompletionException ce ? ce : new CompletionException(c);
              }
              return null;
            });
  }

  /**
   * {@code ua_session_client_start}; {@code onKey} runs with the key as soon as the MI answers,
   * before the events of the session held meanwhile are mapped again (see {@link #park}).
   */
  private CompletableFuture<String> startSession(
      OpenSipsMi m, Map<String, String> params, java.util.function.Consumer<String> onKey) {
    startsPending.incrementAndGet();
    CompletableFuture<String> f;
    try {
      f = m.startUaSession(params);
    } catch (RuntimeException e) {
      startsPending.decrementAndGet();
      throw e;
    }
    return f.whenComplete(
        (key, e) -> {
          try {
            if (e == null) {
              onKey.accept(key);
            }
          } finally {
            startsPending.decrementAndGet();
            events.run(this::replayParked);
          }
        });
  }

  /**
   * Holds an event of an outgoing session that no call has and whose From shows no marker, while
   * this adapter's starts are pending: OpenSIPS 3.5.9 sometimes writes bytes of its memory over
   * part of the reported headers (the marker among them), and the session may be one of ours whose
   * key the MI has not answered yet. Later events of a held session are held behind it.
   *
   * @return true when the event was held
   */
  private boolean park(DialogStateEvent raw, UaSessionEvent e) {
    synchronized (parked) {
      boolean behind = false;
      for (DialogStateEvent p : parked) {
        behind |= e.key().equals(p.fields().get("key"));
      }
      boolean unknown =
          e.outgoing()
              && startsPending.get() > 0
              && e.marker().isEmpty()
              && e.consultMarker().isEmpty()
              && core.findCallByServerId(UA_KEY, e.key()).isEmpty();
      if ((behind || unknown) && parked.size() < MISSED_CAUSES_KEPT) {
        parked.add(raw);
        return true;
      }
      return false;
    }
  }

  /** Maps the held events again, in order, once a start answered; runs on the event queue. */
  private void replayParked() {
    List<DialogStateEvent> again;
    synchronized (parked) {
      again = new ArrayList<>(parked);
      parked.clear();
    }
    for (DialogStateEvent raw : again) {
      onUaEvent(raw);
    }
  }

  /** {@code ua_session_reply} 200 with an SDP answer to an incoming UA session. */
  @Override
  public CompletableFuture<Void> answer(TrackedCall call) {
    String key = uaKey(call);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("key", key);
    p.put("method", "INVITE");
    p.put("code", 200);
    p.put("reason", "OK");
    p.put("body", sdp("sendrecv"));
    return requireMi()
        .replyUaSession(p)
        .thenRun(
            () -> {
              uaState(key).answered = true;
              core.reportCallState(call.callId(), CallState.CONNECTED, null, Map.of(UA_KEY, key));
            });
  }

  /**
   * {@code ua_session_reply} with the cause's SIP status (486 for busy, 603 otherwise), then {@code
   * ua_session_terminate}, which OpenSIPS needs to drop a session it rejected (it sends nothing).
   */
  @Override
  public CompletableFuture<Void> reject(TrackedCall call, HangupCause cause) {
    String key = uaKey(call);
    int code = cause.sipStatus() >= 400 && cause.sipStatus() <= 699 ? cause.sipStatus() : 603;
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("key", key);
    p.put("method", "INVITE");
    p.put("code", code);
    p.put("reason", code == 486 ? "Busy Here" : code == 603 ? "Decline" : "Rejected");
    OpenSipsMi m = requireMi();
    return m.replyUaSession(p)
        .thenCompose(v -> m.terminateUaSession(key).exceptionally(e -> null))
        .thenRun(
            () -> {
              uaStates.remove(key);
              core.reportCallEnded(call.callId(), cause, Map.of());
            });
  }

  /** A re-INVITE with {@code a=sendonly} ({@code ua_session_update}). */
  @Override
  public CompletableFuture<Void> hold(TrackedCall call) {
    return reInvite(call, true);
  }

  /** A re-INVITE with {@code a=sendrecv}. */
  @Override
  public CompletableFuture<Void> resume(TrackedCall call) {
    return reInvite(call, false);
  }

  private CompletableFuture<Void> reInvite(TrackedCall call, boolean hold) {
    String key = uaKey(call);
    uaState(key).held = hold;
    return requireMi()
        .updateUaSession(
            Map.of("key", key, "method", "INVITE", "body", sdp(hold ? "sendonly" : "sendrecv")))
        .thenRun(
            () ->
                core.reportCallState(
                    call.callId(),
                    hold ? CallState.ON_HOLD : CallState.CONNECTED,
                    null,
                    Map.of(UA_KEY, key)));
  }

  /**
   * REFER with {@code Refer-To} through {@code ua_session_update}. The body {@code ""} is needed:
   * OpenSIPS 3.5 sends extra headers only when a body is given (it then adds a Content-Type). The
   * far end's NOTIFYs are answered 200; a final 2xx in one ends this leg (BYE), a failure returns
   * the call to CONNECTED.
   */
  @Override
  public CompletableFuture<Void> transfer(TrackedCall call, String target) {
    String key = uaKey(call);
    uaState(key).transferring = true;
    return requireMi()
        .updateUaSession(
            Map.of(
                "key",
                key,
                "method",
                "REFER",
                "body",
                "",
                "extra_headers",
                "Refer-To: <" + sipUri(target) + ">\r\n"))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                uaState(key).transferring = false;
              }
            });
  }

  /**
   * Attended transfer in two UA sessions: a consultation session to {@code target} ({@code
   * ua_session_client_start}, marked {@value UaSessionEvent#CONSULT_PARAM} in its From URI so its
   * events are not taken for a call), and once the target answered, a REFER on the call's session
   * whose {@code Refer-To} carries {@code Replaces} with the consultation's dialog (Call-ID, the
   * target's tag as {@code to-tag}, ours as {@code from-tag}), sent with {@code body: ""} like a
   * blind transfer. The far end then calls the target, which replaces the consultation and ends it;
   * the far end's NOTIFY settles the call as for {@link #doTransfer}. The target must answer within
   * three quarters of {@code timeouts.request}; otherwise, or when it refuses, the consultation is
   * ended and the call stays connected.
   */
  @Override
  public CompletableFuture<Void> attendedTransfer(TrackedCall call, String target) {
    String key = uaKey(call);
    OpenSipsMi m = requireMi();
    UaState st = uaState(key);
    String targetUri = sipUri(target);
    Consultation c =
        new Consultation(
            call.callId(), core.callMarker(call) + ".c" + consultSeq.incrementAndGet());
    consultations.put(c.marker, c);
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ruri", targetUri);
    p.put("to", targetUri);
    String local = call.direction() == org.sipadapter.CallDirection.OUTBOUND ? call.from() : "";
    p.put(
        "from",
        (local.isEmpty() ? "sip:" + settings.uaDomain() : sipUri(local))
            + ";"
            + UaSessionEvent.CONSULT_PARAM
            + "="
            + c.marker);
    p.put("body", sdp("sendrecv"));
    p.put("flags", "rhb");
    if (!settings.uaSocket().isEmpty()) {
      p.put("socket", settings.uaSocket());
    }
    long wait = Math.max(config().timeouts().request().toMillis() * 3 / 4, 1);
    CompletableFuture<String[]> answered =
        c.answered
            .copy()
            .orTimeout(wait, TimeUnit.MILLISECONDS)
            .exceptionallyCompose(
                e ->
                    CompletableFuture.failedFuture(
                        ControlLink.unwrap(e) instanceof java.util.concurrent.TimeoutException
                            ? new org.sipadapter.CallException(
                                "attended transfer of "
                                    + call.callId()
                                    + ": the consultation call to "
                                    + targetUri
                                    + " was not answered within "
                                    + wait
                                    + " ms")
                            : ControlLink.unwrap(e)));
    return startSession(
            m,
            p,
            k -> {
              c.key = k;
              consultations.put(k, c);
            })
        .thenCompose(k -> answered)
        .thenCompose(
            d -> {
              st.consult = c;
              st.transferring = true;
              String replaces =
                  "?Replaces="
                      + uriEscape(d[0])
                      + "%3Bto-tag%3D"
                      + uriEscape(d[2])
                      + "%3Bfrom-tag%3D"
                      + uriEscape(d[1]);
              return m.updateUaSession(
                  Map.of(
                      "key",
                      key,
                      "method",
                      "REFER",
                      "body",
                      "",
                      "extra_headers",
                      "Refer-To: <" + targetUri + replaces + ">\r\n"));
            })
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                st.transferring = false;
                st.consult = null;
                dropConsultation(c);
              }
            });
  }

  /** Maps an event of a consultation session; it is reported as a server event of its call. */
  private void onConsultationEvent(Consultation c, UaSessionEvent e, DialogStateEvent raw) {
    if (c.key == null) {
      c.key = e.key();
      consultations.put(e.key(), c);
    }
    switch (e.type()) {
      case ANSWERED -> {
        if (e.method().equals("INVITE")) {
          String[] dialog = {
            e.header("Call-ID").orElse(e.key()), e.tag("From").orElse(""), e.tag("To").orElse("")
          };
          if (!c.answered.complete(dialog)) {
            dropConsultation(c); // answered after the transfer gave up on it
          }
        }
      }
      case REJECTED -> {
        if (e.method().equals("INVITE")) {
          forgetConsultation(c);
          c.answered.completeExceptionally(
              new org.sipadapter.CallException(
                  "attended transfer of "
                      + c.callId
                      + ": the consultation call was refused with "
                      + e.status()));
        }
      }
      case TERMINATED -> forgetConsultation(c); // the target replaced it, or hung up
      case UPDATED -> {
        OpenSipsMi m = mi;
        if (e.method().equals("NOTIFY") && m != null) {
          m.replyUaSession(Map.of("key", e.key(), "method", "NOTIFY", "code", 200, "reason", "OK"))
              .exceptionally(x -> null);
        }
      }
      default -> {
        // EARLY and the rest: nothing to do
      }
    }
    core.reportServerEvent(
        core.findCall(c.callId).isPresent() ? c.callId : null, raw.name(), raw.fields());
  }

  /** Ends a consultation session if it still runs (BYE, or CANCEL while it rings). */
  private void dropConsultation(Consultation c) {
    String k = c.key;
    boolean byMarker = consultations.remove(c.marker) != null;
    boolean byKey = k != null && consultations.remove(k) != null;
    OpenSipsMi m = mi;
    if (k != null && m != null && (byMarker || byKey)) {
      m.terminateUaSession(k).exceptionally(x -> null);
    }
    c.answered.cancel(false);
  }

  private void forgetConsultation(Consultation c) {
    consultations.remove(c.marker);
    String k = c.key;
    if (k != null) {
      consultations.remove(k);
    }
  }

  /** Escapes what may not stand in a URI header value ({@code ;}, {@code =}, {@code @}, ...). */
  private static String uriEscape(String v) {
    StringBuilder b = new StringBuilder();
    for (byte x : v.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      char ch = (char) (x & 0xff);
      if (Character.isLetterOrDigit(ch) && ch < 128 || "-_.!~*'()".indexOf(ch) >= 0) {
        b.append(ch);
      } else {
        b.append('%').append(String.format("%02X", x & 0xff));
      }
    }
    return b.toString();
  }

  /**
   * One SIP INFO per digit ({@code application/dtmf-relay}, {@code ua_session_update}): the adapter
   * has no media path, so RFC 2833 events are not possible.
   */
  @Override
  public CompletableFuture<Void> sendDtmf(TrackedCall call, String digits) {
    String key = uaKey(call);
    OpenSipsMi m = requireMi();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (char d : digits.toCharArray()) {
      chain =
          chain.thenCompose(
              v ->
                  m.updateUaSession(
                      Map.of(
                          "key",
                          key,
                          "method",
                          "INFO",
                          "body",
                          "Signal=" + d + "\r\nDuration=160\r\n",
                          "content_type",
                          "application/dtmf-relay")));
    }
    return chain;
  }

  private String uaKey(TrackedCall call) {
    return call.serverId(UA_KEY)
        .orElseThrow(
            () ->
                new UnsupportedFeatureException(
                    Feature.ANSWER,
                    type(),
                    "this call is a dialog OpenSIPS proxies, not a UA session: it can only be"
                        + " observed and ended"));
  }

  private UaState uaState(String key) {
    return uaStates.computeIfAbsent(key, k -> new UaState());
  }

  /** {@code sip:<number>@<uaDomain>} for a bare number; a SIP URI as given. */
  private String sipUri(String v) {
    return v.startsWith("sip:") || v.startsWith("sips:")
        ? v
        : "sip:" + v + "@" + settings.uaDomain();
  }

  /** An SDP with one PCMU stream at {@code uaMedia}; the adapter itself handles no media. */
  private String sdp(String direction) {
    String media = settings.uaMedia();
    int colon = media.lastIndexOf(':');
    String host = colon > 0 ? media.substring(0, colon) : media;
    String port = colon > 0 ? media.substring(colon + 1) : "9";
    return "v=0\r\no=sipadapter 1 1 IN IP4 "
        + host
        + "\r\ns=-\r\nc=IN IP4 "
        + host
        + "\r\nt=0 0\r\nm=audio "
        + port
        + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na="
        + direction
        + "\r\n";
  }

  /** Maps one {@code E_UA_SESSION}; runs on the event queue. */
  private void onUaEvent(DialogStateEvent raw) {
    UaSessionEvent e = UaSessionEvent.of(raw.fields());
    if (raw.damaged("headers")) {
      log.warn(
          "[{}] E_UA_SESSION {} {} of {}: OpenSIPS wrote bytes that are not text into its headers",
          name(),
          e.type(),
          e.method(),
          e.key());
    }
    if (park(raw, e)) {
      return;
    }
    Consultation consult =
        Optional.ofNullable(consultations.get(e.key()))
            .or(() -> e.consultMarker().map(consultations::get))
            .orElse(null);
    if (consult != null) {
      onConsultationEvent(consult, e, raw);
      return;
    }
    Map<String, String> ids = Map.of(UA_KEY, e.key());
    Optional<TrackedCall> bound = core.findCallByServerId(UA_KEY, e.key());
    String callId = bound.map(TrackedCall::callId).orElse(null);
    if (callId == null) {
      Optional<String> marker = e.marker();
      Optional<String> mine = marker.flatMap(core::callIdOfMarker);
      if (mine.isPresent()) {
        callId = mine.get();
        if (e.type() == UaSessionEvent.Type.REJECTED
            || e.type() == UaSessionEvent.Type.TERMINATED) {
          if (core.findCall(callId).isEmpty()) {
            return; // the end of a session of a call that ended here: nothing left to hang up
          }
        }
      } else if (e.type() == UaSessionEvent.Type.NEW
          || e.type() == UaSessionEvent.Type.EARLY
          || e.type() == UaSessionEvent.Type.ANSWERED) {
        String from = e.header("From").map(UaSessionEvent::uriOf).orElse("");
        String to = e.header("To").map(UaSessionEvent::uriOf).orElse("");
        CallState first =
            e.type() == UaSessionEvent.Type.ANSWERED ? CallState.CONNECTED : CallState.RINGING;
        // an incoming session, or another application's outgoing one: a call not placed here
        callId = core.reportIncomingCall(from, to, first, ids);
        core.bindServerId(callId, UA_KEY, e.key());
        core.reportServerEvent(callId, raw.name(), raw.fields());
        return;
      } else {
        core.reportServerEvent(null, raw.name(), raw.fields());
        return;
      }
    }
    UaState st = uaState(e.key());
    switch (e.type()) {
      case EARLY -> core.reportCallState(callId, CallState.RINGING, null, ids);
      case ANSWERED -> {
        if (e.method().equals("INVITE") && !st.held && !st.answered) {
          st.answered = true;
          core.reportCallState(callId, CallState.CONNECTED, null, ids);
        } else if (!e.method().equals("INVITE")) {
          core.bindServerId(callId, UA_KEY, e.key());
        }
      }
      case REJECTED -> {
        if (e.method().equals("INVITE") && !st.answered) {
          uaStates.remove(e.key());
          core.reportCallEnded(callId, HangupCause.ofSip(e.status()), ids);
        }
      }
      case TERMINATED -> {
        uaStates.remove(e.key());
        core.reportCallEnded(
            callId,
            e.method().equals("CANCEL")
                ? HangupCause.ORIGINATOR_CANCEL
                : HangupCause.NORMAL_CLEARING,
            ids);
      }
      case UPDATED -> onUaRequest(callId, e, st);
      default -> core.bindServerId(callId, UA_KEY, e.key());
    }
    core.reportServerEvent(callId, raw.name(), raw.fields());
  }

  /** A sequential request from the far end: NOTIFY of a transfer, INFO with DTMF, ACK. */
  private void onUaRequest(String callId, UaSessionEvent e, UaState st) {
    OpenSipsMi m = mi;
    switch (e.method()) {
      case "NOTIFY" -> {
        if (m != null) {
          Map<String, Object> ok = new LinkedHashMap<>();
          ok.put("key", e.key());
          ok.put("method", "NOTIFY");
          ok.put("code", 200);
          ok.put("reason", "OK");
          m.replyUaSession(ok)
              .exceptionally(
                  x -> {
                    log.debug("[{}] NOTIFY reply failed: {}", name(), x.getMessage());
                    return null;
                  });
        }
        int status = e.sipfragStatus();
        if (!st.transferring || (status > 0 && status < 200)) {
          return;
        }
        st.transferring = false;
        Consultation consult = st.consult;
        st.consult = null;
        if (consult != null) {
          dropConsultation(consult); // the target replaced it (and normally sent BYE already)
        }
        core.reportCallState(callId, CallState.TRANSFERRING, null, Map.of());
        if (status == 0 || status < 300) {
          // the target took the call: our leg leaves it
          if (m != null) {
            m.terminateUaSession(e.key()).exceptionally(x -> null);
          }
          uaStates.remove(e.key());
          core.reportCallEnded(
              callId, HangupCause.NORMAL_CLEARING.withText("transferred"), Map.of());
        } else {
          core.reportCallState(callId, CallState.CONNECTED, null, Map.of());
        }
      }
      case "INFO" -> {
        java.util.regex.Matcher d =
            java.util.regex.Pattern.compile("Signal=\\s*([0-9*#A-Da-d])").matcher(e.body());
        if (d.find()) {
          core.reportDtmf(callId, d.group(1).toUpperCase(java.util.Locale.ROOT), Map.of());
        }
      }
      case "ACK" -> {
        if (st.answered) {
          core.reportCallState(callId, CallState.CONNECTED, null, Map.of());
        }
      }
      default -> {
        // re-INVITE or UPDATE from the far end: no state change
      }
    }
  }

  /**
   * {@code dlg_end_dlg} with the dialog ID (or the Call-ID when no ID is known), adding {@code
   * Reason: Q.850;cause=N} to the BYEs. A dialog OpenSIPS no longer has (404) ends the call here.
   */
  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    Optional<String> key = call.serverId(UA_KEY);
    if (key.isPresent()) {
      if (call.direction() == org.sipadapter.CallDirection.INBOUND
          && !uaState(key.get()).answered
          && !call.state().isAnswered()) {
        return reject(call, cause);
      }
      // ua_session_terminate: BYE when answered, CANCEL while ringing; no event follows. It
      // answers 500 for a session that failed or is gone: the call is over either way.
      return requireMi()
          .terminateUaSession(key.get())
          .handle(
              (v, e) -> {
                if (e != null && !(ControlLink.unwrap(e) instanceof MiException)) {
                  throw e instanceof CompletionException ce
                      ? ce
                      : new CompletionException(ControlLink.unwrap(e));
                }
                uaStates.remove(key.get());
                core.reportCallEnded(call.callId(), cause, Map.of());
                return null;
              });
    }
    Optional<String> dialogId = call.serverId(DIALOG).or(() -> call.serverId(CALL_ID));
    if (dialogId.isEmpty()) {
      core.reportCallEnded(call.callId(), cause, Map.of());
      return CompletableFuture.completedFuture(null);
    }
    return requireMi()
        .endDialog(dialogId.get(), reasonHeader(cause))
        .handle(
            (v, e) -> {
              if (e == null) {
                Schedulers.blocking().execute(dialogs::pollSoon);
                return null;
              }
              Throwable c = ControlLink.unwrap(e);
              if (c instanceof MiException mx && mx.notFound()) {
                core.reportCallEnded(call.callId(), cause, Map.of());
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
  public void checkWire(WireField field, String value) {
    WireField.Kind kind = field.kind();
    if (kind == WireField.Kind.FROM || kind == WireField.Kind.TO || kind == WireField.Kind.TARGET) {
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
    if (e.name().equals(UaSessionEvent.NAME) && settings.uaSessions()) {
      onUaEvent(e);
      return;
    }
    if (e.name().equals(OpenSipsSettings.ACC_MISSED) && !e.callId().isEmpty()) {
      missedCause(e).ifPresent(c -> missedCauses.put(e.callId(), c));
    }
    if (e.name().equals(OpenSipsSettings.ACC_CDR) && !e.callId().isEmpty()) {
      onCdr(e);
    }
    if (!e.isDialogStateChange()) {
      core.reportServerEvent(null, e.name(), e.fields());
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
      HangupCause missed = missedCauses.remove(e.callId());
      HangupCause cause =
          e.oldState().answered()
              ? HangupCause.NORMAL_CLEARING
              : missed != null ? missed : DialogCalls.ENDED_UNANSWERED;
      // A dialog that fails at once (486 without 180, OpenSIPS's own 404) has one event, 1->5:
      // still a call, reported with its end. Any other first end is a dialog seen too late.
      boolean failedAtOnce = e.oldState() == DialogState.UNCONFIRMED;
      if (failedAtOnce && dialogs.boundCall(d).isEmpty()) {
        d = withUris(d);
      }
      dialogs.ended(d, cause, failedAtOnce);
      DialogStateEvent cdr = earlyCdrs.remove(e.callId());
      if (cdr != null) {
        onCdr(cdr);
      }
    } else if (to != DialogState.UNKNOWN) {
      if (dialogs.boundCall(d).isEmpty()) {
        // The event carries no From/To: read them from dlg_list before reporting the call.
        d = withUris(d);
      }
      dialogs.live(d);
    }
    core.reportServerEvent(dialogs.boundCall(d).orElse(null), e.name(), e.fields());
  }

  /**
   * acc's call detail record ({@code E_ACC_CDR}, after the dialog's {@code 4->5}): merged into the
   * record of the call with that SIP Call-ID, or kept until the call ends when it is still live.
   */
  private void onCdr(DialogStateEvent cdr) {
    String sipCallId = cdr.callId();
    if (core.findCallByServerId(CALL_ID, sipCallId).isPresent()) {
      earlyCdrs.put(sipCallId, cdr);
      return;
    }
    List<org.sipadapter.CallRecord> history = core.callHistory();
    for (int i = history.size() - 1; i >= 0; i--) {
      org.sipadapter.CallRecord r = history.get(i);
      if (sipCallId.equals(r.serverIds().get(CALL_ID))) {
        mergeCdr(r.callId(), cdr);
        return;
      }
    }
  }

  /**
   * The record gets acc's durations: {@code ms_duration} (else {@code duration}) answered, plus
   * {@code setuptime} (whole seconds) before the answer; acc's fields are added as {@code acc_*}.
   */
  private void mergeCdr(String callId, DialogStateEvent cdr) {
    long ms = longField(cdr, "ms_duration");
    if (ms < 0) {
      long s = longField(cdr, "duration");
      ms = s < 0 ? -1 : s * 1000;
    }
    if (ms < 0) {
      return;
    }
    long setup = Math.max(longField(cdr, "setuptime"), 0);
    Map<String, String> fields = new LinkedHashMap<>();
    for (String k :
        List.of("sip_code", "sip_reason", "duration", "ms_duration", "setuptime", "created")) {
      String v = cdr.fields().getOrDefault(k, "");
      if (!v.isEmpty()) {
        fields.put("acc_" + k, v);
      }
    }
    long billable = ms;
    core.amendCallRecord(
        callId,
        r ->
            r.withServerDurations(
                Duration.ofSeconds(setup).plusMillis(billable),
                Duration.ofMillis(billable),
                fields));
  }

  private static long longField(DialogStateEvent e, String key) {
    try {
      return Long.parseLong(e.fields().getOrDefault(key, ""));
    } catch (NumberFormatException x) {
      return -1;
    }
  }

  /** The cause of {@code E_ACC_MISSED_EVENT}'s {@code sip_code} (a string: "486"). */
  private static Optional<HangupCause> missedCause(DialogStateEvent e) {
    try {
      int code = Integer.parseInt(e.fields().getOrDefault("sip_code", ""));
      if (code >= 300 && code <= 699) {
        String reason = e.fields().getOrDefault("sip_reason", "");
        HangupCause c = HangupCause.ofSip(code);
        return Optional.of(reason.isEmpty() ? c : c.withText(reason));
      }
    } catch (NumberFormatException x) {
      // no usable code
    }
    return Optional.empty();
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
    if (m == null || core.connectionState() == ConnectionState.CLOSED) {
      throw new AdapterConnectionException(
          "OpenSIPS adapter " + name() + " is not connected; call connect() first");
    }
    return m;
  }

  /**
   * Runs event mapping in arrival order on the shared blocking pool, one task at a time, so the
   * reader threads never wait for MI lookups or listeners. The dialog lists read at connect and by
   * the keepalive are applied here too, in line with the events.
   */
  private final class EventQueue {
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    void add(DialogStateEvent e) {
      enqueue(() -> onStreamEvent(e));
    }

    /** Runs a task after everything queued before it; the future completes when it has run. */
    CompletableFuture<Void> run(Runnable task) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      enqueue(
          () -> {
            try {
              task.run();
              done.complete(null);
            } catch (RuntimeException x) {
              done.completeExceptionally(x);
              throw x;
            }
          });
      return done;
    }

    private void enqueue(Runnable task) {
      queue.add(task);
      if (draining.compareAndSet(false, true)) {
        Schedulers.blocking().execute(this::drain);
      }
    }

    private void drain() {
      while (true) {
        Runnable task;
        while ((task = queue.poll()) != null) {
          try {
            task.run();
          } catch (RuntimeException x) {
            log.warn("[{}] event handling failed", name(), x);
            core.reportError(null, "event handling failed: " + x.getMessage(), x);
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
        core.reportError(null, "bad event_stream object: " + e.getMessage(), e);
      }
    }

    @Override
    public void malformed(String reason) {
      log.warn("[{}] skipped event_stream bytes: {}", name(), reason);
      core.reportError(null, "malformed event_stream input: " + reason, null);
    }

    @Override
    public void connected(String remote) {
      log.debug("[{}] OpenSIPS connected its event_stream from {}", name(), remote);
    }
  }
}
