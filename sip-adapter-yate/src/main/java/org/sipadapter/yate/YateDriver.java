package org.sipadapter.yate;

import static org.sipadapter.yate.YateAdapter.BILLID_KEY;
import static org.sipadapter.yate.YateAdapter.CHANNEL_KEY;
import static org.sipadapter.yate.YateAdapter.LOCAL_KEY;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallDirection;
import org.sipadapter.CallException;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.ProtocolException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.Answer;
import org.sipadapter.spi.AttendedTransfer;
import org.sipadapter.spi.Bridge;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.Capabilities;
import org.sipadapter.spi.Conference;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.Hold;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.ReceiveDtmf;
import org.sipadapter.spi.Recording;
import org.sipadapter.spi.Reject;
import org.sipadapter.spi.Resync;
import org.sipadapter.spi.SendDtmf;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.Transfer;
import org.sipadapter.spi.WireField;
import org.sipadapter.transport.EventThread;
import org.sipadapter.transport.FramedConnection;
import org.sipadapter.transport.Futures;
import org.sipadapter.transport.LinkSlot;
import org.sipadapter.transport.RequestCorrelator;
import org.sipadapter.yate.extmodule.ExtCommands;
import org.sipadapter.yate.extmodule.ExtFrame;
import org.sipadapter.yate.extmodule.ExtFrame.CommandReply;
import org.sipadapter.yate.extmodule.ExtFrame.EngineMessage;
import org.sipadapter.yate.extmodule.ExtFrame.MessageResult;
import org.sipadapter.yate.extmodule.ExtFrameDecoder;
import org.sipadapter.yate.extmodule.Params;
import org.sipadapter.yate.rmanager.YateRmanagerClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extmodule driver behind {@link YateAdapter}.
 *
 * <p>Outbound calls are {@code call.execute} with {@code callto=dumb/} (a local leg with no media)
 * and {@code target=<number>} for Yate to route, or {@code direct=<driver string>}; the answer
 * names both legs ({@code id}, {@code peerid}), and watched {@code call.ringing}, {@code
 * call.progress}, {@code call.answered}, {@code chan.hangup} and {@code chan.dtmf} messages drive
 * the call states. Hangup is {@code call.drop}; DTMF goes out as {@code chan.dtmf} with {@code
 * targetid} set to the remote leg. Inbound calls (when {@code options.inbound} is on) arrive as
 * {@code call.route} to an installed handler, which this driver always answers at once and routes
 * to {@code dumb/}; answering is a {@code call.answered} from that leg.
 *
 * <p>Threading: the connection's reader thread decodes, completes command replies (the keepalive's
 * among them, so they never wait behind a backlog) and hands the other lines to one event thread
 * per adapter, which answers installed messages, completes message results and maps notifications
 * in wire order; listeners are called by core's dispatcher.
 */
final class YateDriver
    implements AdapterDriver,
        OutboundCalls,
        InboundCalls,
        Answer,
        Reject,
        Transfer,
        AttendedTransfer,
        Hold,
        Recording,
        SendDtmf,
        ReceiveDtmf,
        Conference,
        Bridge,
        Resync {
  /**
   * The {@code call.execute} parameter carrying {@link DriverContext#callMarker}: Yate echoes it in
   * the answer (also a late one) and in what watchers see of the message, so an instance knows its
   * own calls and another instance sees them as calls it did not place.
   */
  static final String MARKER_PARAM = "sdk_marker";

  private static final Logger log = LoggerFactory.getLogger(YateDriver.class);
  private static final List<String> WATCHED =
      List.of(
          "call.execute",
          "chan.startup",
          "call.ringing",
          "call.progress",
          "call.answered",
          "chan.disconnected",
          "chan.hangup",
          "chan.dtmf",
          "call.cdr");
  private static final int MAX_EARLY_EVENTS = 1024;
  private static final int MAX_CDR_LEGS = 4096;

  private final AdapterConfig config;
  private final DriverContext core;
  private final YateSettings settings;

  /** {@code options.inboundCalled} as a regular expression, or null when it is not one. */
  private final Pattern inboundCalledPattern;

  private final ExecutorService eventThread;
  private final RequestCorrelator<String, MessageResult> messages =
      new RequestCorrelator<>("Yate message");
  private final RequestCorrelator<String, CommandReply> commands =
      new RequestCorrelator<>("Yate module command");
  private final AtomicLong nextId = new AtomicLong();

  /** Our message id of a pending outbound call.execute, to the call it places. */
  private final Map<String, String> pendingExecutes = new ConcurrentHashMap<>();

  /**
   * An attended transfer's consultation call: {@link #answered} completes when its far leg answers
   * and fails when a leg of it ends first. Its legs are set on the event thread.
   */
  private static final class Consultation {
    final String target;
    final CompletableFuture<Void> answered = new CompletableFuture<>();
    volatile String local;
    volatile String remote;

    Consultation(String target) {
      this.target = target;
    }
  }

  /** Our message id of a consultation's pending call.execute, to the consultation. */
  private final Map<String, Consultation> pendingConsultations = new ConcurrentHashMap<>();

  /** The legs of consultations under way, to their consultation. Event thread only. */
  private final Map<String, Consultation> consultationLegs = new HashMap<>();

  /** Per call: completed once the outbound call.execute was answered (legs known). */
  private final Map<String, CompletableFuture<Void>> executed = new ConcurrentHashMap<>();

  /** Per inbound call: completed with the local leg once Yate executed the route. */
  private final Map<String, CompletableFuture<String>> inboundLegs = new ConcurrentHashMap<>();

  /**
   * Notifications about channels not yet known while an outbound call.execute is pending: a fast
   * far end can ring before the answer to call.execute names the legs. Event thread only.
   */
  private final Map<String, List<MessageResult>> earlyEvents = new LinkedHashMap<>();

  private int earlyEventCount;
  private final LinkSlot<ExtFrame> links;

  /** The core's generation of each open link, for reporting the loss of exactly that link. */
  private final Map<LinkSlot.Link<ExtFrame>, Long> generations = new ConcurrentHashMap<>();

  /**
   * Calls whose local {@code dumb/} leg was moved away on purpose (conference, bridge): they live
   * on in their remote leg, whose end ends them.
   */
  private final Set<String> detached = ConcurrentHashMap.newKeySet();

  /**
   * The legs whose server CDR ({@code call.cdr}, {@code operation=finalize}) may be a call's, to
   * the call: Yate sends the record after the leg's {@code chan.hangup} (cdrbuild enqueues it),
   * when the call's bindings are gone. Bounded: a leg whose record never comes is forgotten. Event
   * thread only.
   */
  private final Map<String, String> cdrLegs =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX_CDR_LEGS;
        }
      };

  /**
   * Finalized records of a call's legs that came before the call ended, by call id then leg; the
   * record of the leg whose end ended the call is merged then. Event thread only, bounded.
   */
  private final Map<String, Map<String, Params>> earlyCdrs =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, Params>> eldest) {
          return size() > MAX_EARLY_EVENTS;
        }
      };

  /** Calls put on hold, by their local leg's attached source. */
  private final Set<String> onHold = ConcurrentHashMap.newKeySet();

  private volatile long lastLineNanos = System.nanoTime();
  private volatile String nodeName = "";

  /**
   * Creates the driver; {@link #connect} opens the socket.
   *
   * @param config the configuration, checked by the provider
   * @param core what core offers the driver
   */
  YateDriver(AdapterConfig config, DriverContext core) {
    this.config = config;
    this.core = core;
    this.settings = YateSettings.from(config);
    this.inboundCalledPattern = settings.inboundCalledPattern().orElse(null);
    String threadName = "sipadapter-yate-" + config.name() + "-events";
    this.eventThread = new EventThread(threadName);
    this.links =
        new LinkSlot<>(
            this::onEventThread,
            new LinkSlot.Handler<>() {
              @Override
              public void onFrame(LinkSlot.Link<ExtFrame> l, ExtFrame frame) {
                handleFrame(l, frame);
              }

              @Override
              public boolean onFrameAhead(LinkSlot.Link<ExtFrame> l, ExtFrame frame) {
                // Command replies (setlocal: the keepalive and the health probe) complete on the
                // reader thread: behind a flood of messages queued for the event thread, the
                // keepalive would time out and drop a live link. Message results stay in order
                // with the messages, which they settle calls with.
                if (frame instanceof CommandReply r) {
                  lastLineNanos = System.nanoTime();
                  if (r.keyword() != ExtFrame.Keyword.QUIT) {
                    commands.complete(r.keyword().wire() + ":" + r.subject(), r);
                  }
                  return true;
                }
                return false;
              }

              @Override
              public void onStaleFrame(LinkSlot.Link<ExtFrame> l, ExtFrame frame) {
                if (frame instanceof EngineMessage m && l.connection().isPresent()) {
                  answerQuietly(l, m, false, m.retval()); // never leave an engine thread waiting
                }
              }

              @Override
              public void onMalformed(String reason) {
                core.reportError(null, "malformed extmodule line skipped: " + reason, null);
              }

              @Override
              public void onClosed(LinkSlot.Link<ExtFrame> l, Throwable cause) {
                Long generation = generations.remove(l);
                linkClosed(generation == null ? -1 : generation, cause);
              }
            });
  }

  /** Inbound calls, and answering and rejecting them, only with {@code options.inbound}. */
  @Override
  public Capabilities capabilities() {
    Capabilities all = Capabilities.of(this);
    return settings.inbound() ? all : all.without(InboundCalls.class, Answer.class, Reject.class);
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("6");
  }

  /** Returns the Yate options in effect. */
  YateSettings settings() {
    return settings;
  }

  private String name() {
    return config.name();
  }

  private AdapterConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- link

  @Override
  public void connect(ConnectTarget target) throws Exception {
    long generation = core.linkGeneration();
    LinkSlot.Link<ExtFrame> l =
        links.open(
            new FramedConnection.Endpoint(
                "yate-" + name(),
                target.host(),
                target.port(),
                target.tlsContext(),
                target.connectTimeout()),
            new ExtFrameDecoder(settings.maxLineBytes()));
    generations.put(l, generation);
    FramedConnection<ExtFrame> c = l.connection().orElseThrow();
    Duration timeout = target.requestTimeout();
    try {
      if (settings.sendsConnect()) {
        c.send(ExtCommands.connect("global"));
      }
      // The first answer proves Yate took us as a module: a listener that refused the connect
      // line closes the socket without a word.
      CommandReply version =
          Futures.await(setlocal(l, "engine.version", ""), timeout, "Yate engine.version");
      core.reportServerVersion(version.value());
      nodeName =
          Futures.await(setlocal(l, "engine.nodename", ""), timeout, "Yate engine.nodename")
              .value();
      List<CompletableFuture<CommandReply>> subscriptions = new ArrayList<>();
      if (settings.inbound()) {
        boolean filtered = !settings.inboundCalled().isEmpty() && inboundCalledPattern == null;
        subscriptions.add(
            command(
                l,
                "install:call.route",
                ExtCommands.install(
                    settings.routePriority(),
                    "call.route",
                    filtered ? "called" : null,
                    filtered ? settings.inboundCalled() : null)));
      }
      for (String name : WATCHED) {
        subscriptions.add(command(l, "watch:" + name, ExtCommands.watch(name)));
      }
      for (CompletableFuture<CommandReply> f : subscriptions) {
        CommandReply r = Futures.await(f, timeout, "Yate install/watch");
        if (!r.success() && r.keyword() == ExtFrame.Keyword.INSTALL) {
          throw new ProtocolException(
              "Yate refused to install the call.route handler (" + r.fields() + ")");
        }
      }
      lastLineNanos = System.nanoTime();
      log.info(
          "[{}] attached to Yate {} ({}) at {}:{}",
          name(),
          version.value(),
          nodeName,
          target.host(),
          target.port());
    } catch (Exception e) {
      dropLink(l, e);
      throw e;
    }
  }

  @Override
  public void disconnect() {
    LinkSlot.Link<ExtFrame> l = links.current().orElse(null);
    if (l != null && l.connection().isPresent()) {
      try {
        l.send(ExtCommands.quit());
      } catch (RuntimeException ignored) {
        // the link is going away anyway
      }
    }
    dropLink(l, new AdapterConnectionException("[" + name() + "] disconnected"));
  }

  private void dropLink(LinkSlot.Link<ExtFrame> l, Throwable why) {
    if (l != null) {
      l.close();
    }
    failPending(asConnectionError(why));
  }

  private void failPending(AdapterConnectionException error) {
    messages.failAll(error);
    commands.failAll(error);
    pendingExecutes.clear();
    pendingConsultations.clear();
    onEventThread(
        () -> {
          earlyEvents.clear();
          earlyEventCount = 0;
          consultationLegs.values().forEach(c -> c.answered.completeExceptionally(error));
          consultationLegs.clear();
        });
  }

  private static AdapterConnectionException asConnectionError(Throwable why) {
    return why instanceof AdapterConnectionException ace
        ? ace
        : new AdapterConnectionException("extmodule link closed: " + why.getMessage(), why);
  }

  @Override
  public void close() {
    eventThread.shutdown();
  }

  /** Hands work to the event thread; after close there is nothing left to do with it. */
  private void onEventThread(Runnable task) {
    try {
      eventThread.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      log.debug("[{}] adapter closed; late input from Yate dropped", name());
    }
  }

  /** Runs on the event thread, once the link of {@code generation} was released. */
  private void linkClosed(long generation, Throwable cause) {
    AdapterConnectionException error =
        new AdapterConnectionException(
            "Yate closed the extmodule link" + (cause == null ? "" : ": " + cause.getMessage()),
            cause);
    failPending(error);
    core.reportConnectionLost(generation, error);
  }

  @Override
  public void keepalive() throws Exception {
    LinkSlot.Link<ExtFrame> l = links.current().orElse(null);
    if (l == null) {
      throw new AdapterConnectionException("not connected");
    }
    long start = System.nanoTime();
    Futures.await(setlocal(l, "engine.version", ""), requestTimeout(), "Yate keepalive");
    core.recordRequestLatency(System.nanoTime() - start);
  }

  @Override
  public Map<String, Object> healthDetails() {
    // The probe: one round trip on the extmodule link. A frozen Yate does not answer it, and that
    // must fail the probe (the core bounds it by the request timeout) rather than fill a map.
    LinkSlot.Link<ExtFrame> l = links.current().orElse(null);
    if (l == null) {
      throw new AdapterConnectionException("[" + name() + "] not connected to Yate");
    }
    Futures.await(setlocal(l, "engine.version", ""), requestTimeout(), "Yate health probe");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("nodename", nodeName);
    details.put("lastLineAgoMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastLineNanos));
    details.put("pendingMessages", messages.size());
    details.put("pendingCommands", commands.size());
    if (settings.rmanagerPort() > 0) {
      try (YateRmanagerClient console =
          new YateRmanagerClient(
              settings.rmanagerHost(),
              settings.rmanagerPort(),
              settings.rmanagerPassword(),
              requestTimeout())) {
        details.put("uptimeSeconds", console.uptimeSeconds());
        Map<String, String> engine = console.status("engine");
        for (String key : List.of("version", "plugins", "handlers", "messages", "threads")) {
          if (engine.containsKey(key)) {
            details.put("engine." + key, engine.get(key));
          }
        }
      } catch (RuntimeException e) {
        throw new ProtocolException("Yate's remote console did not answer: " + e.getMessage(), e);
      }
    }
    return details;
  }

  @Override
  public List<CallSnapshot> resync() throws Exception {
    Set<String> modules = new LinkedHashSet<>();
    for (TrackedCall call : core.trackedCalls()) {
      call.serverId(CHANNEL_KEY).ifPresent(id -> modules.add(module(id)));
      call.serverId(LOCAL_KEY).ifPresent(id -> modules.add(module(id)));
    }
    Map<String, String> channels = new HashMap<>();
    for (String module : modules) {
      MessageResult r =
          Futures.await(
              send("engine.status", Params.of("module", module)),
              requestTimeout(),
              "engine.status " + module);
      channels.putAll(ChannelListing.parse(r.retval()));
    }
    List<CallSnapshot> snapshots = new ArrayList<>();
    for (TrackedCall call : core.trackedCalls()) {
      String remote = call.serverId(CHANNEL_KEY).orElse(null);
      String local = call.serverId(LOCAL_KEY).orElse(null);
      String status = remote == null ? null : channels.get(remote);
      if (status == null && local != null) {
        status = channels.get(local);
      }
      if (status != null) {
        snapshots.add(new CallSnapshot(call.callId(), stateOf(status, call), call.serverIds()));
      }
    }
    return snapshots;
  }

  private static CallState stateOf(String status, TrackedCall call) {
    return switch (status) {
      case "answered" -> CallState.CONNECTED;
      case "ringing" -> CallState.RINGING;
      case "progressing" -> CallState.EARLY_MEDIA;
      default -> call.state().isTerminal() ? CallState.RINGING : call.state();
    };
  }

  private static String module(String channelId) {
    int slash = channelId.indexOf('/');
    return slash < 0 ? channelId : channelId.substring(0, slash);
  }

  @Override
  public void checkWire(WireField field, String value) {
    if (field.kind() == WireField.Kind.VARIABLE_NAME
        || field.kind() == WireField.Kind.HEADER_NAME) {
      ExtCommands.checkParamName(value);
    }
    // Every other user value travels as an escaped message parameter: ':' and '%' are escaped.
  }

  // ---------------------------------------------------------------- lines from Yate

  /** Runs on the event thread, in wire order. */
  private void handleFrame(LinkSlot.Link<ExtFrame> l, ExtFrame frame) {
    lastLineNanos = System.nanoTime();
    try {
      if (frame instanceof EngineMessage m) {
        onEngineMessage(l, m);
      } else if (frame instanceof MessageResult r) {
        if (r.isNotification()) {
          onNotification(r);
        } else {
          onResult(r);
        }
      } else if (frame instanceof CommandReply r) {
        if (r.keyword() != ExtFrame.Keyword.QUIT) {
          commands.complete(r.keyword().wire() + ":" + r.subject(), r);
        }
      } else if (frame instanceof ExtFrame.ErrorIn e) {
        onErrorIn(e);
      } else if (frame instanceof ExtFrame.Unrecognized u) {
        log.debug("[{}] unrecognised line: {}", name(), u.line());
      }
    } catch (RuntimeException e) {
      log.warn("[{}] handling a Yate line failed", name(), e);
      core.reportError(null, "handling a Yate line failed: " + e.getMessage(), e);
    }
  }

  private void onErrorIn(ExtFrame.ErrorIn e) {
    String line = e.line();
    if (line.equals("%%>connect:global")) {
      log.debug("[{}] listener has a preset role; the connect line was not needed", name());
      return;
    }
    // Fail the request whose line Yate could not parse, so its caller does not wait in vain.
    ProtocolException error = new ProtocolException("Yate could not parse a line: " + line);
    if (line.startsWith("%%>message:")) {
      int end = line.indexOf(':', 11);
      String id = end < 0 ? line.substring(11) : line.substring(11, end);
      messages.fail(id, error);
    } else if (line.startsWith("%%>")) {
      // %%>install:<prio>:<name>..., %%>watch:<name>, %%>setlocal:<name>:<value>, ...
      int colon = line.indexOf(':');
      if (colon > 3) {
        String keyword = line.substring(3, colon);
        int from = colon + 1;
        if (keyword.equals("install")) {
          int prioEnd = line.indexOf(':', from);
          from = prioEnd < 0 ? line.length() : prioEnd + 1;
        }
        int to = line.indexOf(':', from);
        commands.fail(keyword + ":" + line.substring(from, to < 0 ? line.length() : to), error);
      }
    }
    log.warn("[{}] Yate: Error in: {}", name(), line);
    core.reportError(null, error.getMessage(), error);
  }

  /** An installed handler's message: always answered, whatever happens while mapping it. */
  private void onEngineMessage(LinkSlot.Link<ExtFrame> l, EngineMessage m) {
    boolean processed = false;
    String retval = m.retval();
    try {
      if (m.name().equals("call.route") && takesInbound(m.params())) {
        Params p = m.params();
        String channel = p.get("id");
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put(CHANNEL_KEY, channel);
        String billid = p.get("billid");
        if (billid != null && !billid.isEmpty()) {
          ids.put(BILLID_KEY, billid);
        }
        String callId =
            core.reportIncomingCall(
                p.get("caller", ""), p.get("called", ""), CallState.RINGING, Map.copyOf(ids));
        bindLeg(callId, CHANNEL_KEY, channel);
        inboundLegs.put(callId, new CompletableFuture<>());
        processed = true;
        retval = settings.inboundTarget();
      }
    } catch (RuntimeException e) {
      log.warn("[{}] mapping {} failed; answering unprocessed", name(), m.name(), e);
      processed = false;
      retval = m.retval();
    } finally {
      answerQuietly(l, m, processed, retval);
    }
  }

  private boolean takesInbound(Params p) {
    String id = p.get("id");
    return settings.inbound()
        && id != null
        && !id.isEmpty()
        && "incoming".equals(p.get("direction"))
        && (inboundCalledPattern == null
            || inboundCalledPattern.matcher(p.get("called", "")).find())
        && core.findCallByServerId(CHANNEL_KEY, id).isEmpty()
        && core.findCallByServerId(LOCAL_KEY, id).isEmpty();
  }

  private void answerQuietly(
      LinkSlot.Link<ExtFrame> l, EngineMessage m, boolean processed, String retval) {
    try {
      l.sendDeferred(ExtCommands.answer(m.id(), processed, "", retval, Params.EMPTY));
    } catch (RuntimeException e) {
      log.debug("[{}] could not answer {} {}: {}", name(), m.name(), m.id(), e.getMessage());
    }
  }

  /** The result of one of our messages. */
  private void onResult(MessageResult r) {
    Consultation consultation = pendingConsultations.remove(r.id());
    if (consultation != null) {
      onConsultationResult(consultation, r);
    }
    String callId = pendingExecutes.remove(r.id());
    if (callId != null) {
      onExecuteResult(callId, r);
    } else if (r.name().equals("call.execute") && r.processed()) {
      // An answer after our request timed out: Yate placed the call anyway. Binding its leg to the
      // call it was for lets the core hang it up (the call was given up here).
      core.callIdOfMarker(r.params().get(MARKER_PARAM, ""))
          .ifPresent(
              id -> {
                core.bindServerId(id, LOCAL_KEY, r.params().get("id"));
                String remote = r.params().get("peerid", "");
                if (!remote.isEmpty()) {
                  core.bindServerId(id, CHANNEL_KEY, remote);
                }
              });
    }
    messages.complete(r.id(), r);
  }

  private void onExecuteResult(String callId, MessageResult r) {
    CompletableFuture<Void> done = executed.remove(callId);
    if (!r.processed()) {
      String why = r.params().get("error", r.params().get("reason"));
      HangupCause cause =
          why == null
              ? HangupCause.NO_ROUTE_DESTINATION.withText("Yate did not execute the call")
              : YateCauses.of(why, null);
      core.reportCallEnded(callId, cause, Map.of());
      if (done != null) {
        done.complete(null);
      }
      return;
    }
    String local = r.params().get("id");
    String remote = r.params().get("peerid", r.params().get("targetid"));
    bindLeg(callId, LOCAL_KEY, local);
    bindLeg(callId, CHANNEL_KEY, remote == null || remote.isEmpty() ? local : remote);
    if (done != null) {
      done.complete(null);
    }
    replayEarly(local);
    replayEarly(remote);
    forgetEarlyWhenNothingPending();
  }

  private void forgetEarlyWhenNothingPending() {
    if (pendingExecutes.isEmpty() && pendingConsultations.isEmpty()) {
      earlyEvents.clear();
      earlyEventCount = 0;
    }
  }

  /** The consultation's call.execute was answered: its legs, and what they did meanwhile. */
  private void onConsultationResult(Consultation c, MessageResult r) {
    if (!r.processed()) {
      String why = r.params().get("error", r.params().get("reason", ""));
      c.answered.completeExceptionally(
          new CallException(
              "the consultation call to "
                  + c.target
                  + " was not placed"
                  + (why.isEmpty() ? "" : " (" + why + ")")));
      return;
    }
    c.local = r.params().get("id", "");
    c.remote = r.params().get("peerid", r.params().get("targetid", ""));
    if (c.answered.isCompletedExceptionally()) {
      // the transfer was given up before Yate placed the consultation: nothing of it may stay
      send("call.drop", Params.of("id", c.local, "reason", "normal"));
      return;
    }
    consultationLegs.put(c.local, c);
    if (!c.remote.isEmpty()) {
      consultationLegs.put(c.remote, c);
    }
    replayEarly(c.local);
    replayEarly(c.remote);
    forgetEarlyWhenNothingPending();
  }

  /**
   * A notification about a consultation's leg: its far leg's answer lets the transfer go on; a
   * leg's end before that fails it. Once answered, the consultation is the transfer's, not ours.
   */
  private void onConsultationEvent(Consultation c, String name, Params p) {
    if (name.equals("call.answered") && p.get("id", "").equals(c.remote)) {
      c.answered.complete(null);
    } else if (name.equals("chan.hangup")) {
      String reason = p.get("reason", "");
      c.answered.completeExceptionally(
          new CallException(
              "the consultation call to "
                  + c.target
                  + " ended before it was answered ("
                  + YateCauses.of(reason, p.get("cause_sip")).name()
                  + (reason.isEmpty() ? "" : ", " + reason)
                  + ")"));
      consultationLegs.remove(p.get("id", ""));
    }
  }

  private void replayEarly(String channel) {
    if (channel == null) {
      return;
    }
    List<MessageResult> early = earlyEvents.remove(channel);
    if (early != null) {
      earlyEventCount -= early.size();
      for (MessageResult e : early) {
        onNotification(e);
      }
    }
  }

  /** A watched message, after dispatch. */
  private void onNotification(MessageResult r) {
    Params p = r.params();
    if (r.name().equals("call.cdr")) {
      onCdr(p);
      return;
    }
    String id = p.get("id");
    Consultation consultation = id == null ? null : consultationLegs.get(id);
    if (consultation != null) {
      onConsultationEvent(consultation, r.name(), p);
      return;
    }
    TrackedCall call = callOf(id, p.get("targetid"));
    if (call == null && observeForeign(r)) {
      return;
    }
    if (call == null && keepForLater(r, id)) {
      return;
    }
    String callId = call == null ? null : call.callId();
    if (call != null) {
      String billid = p.get("billid", "");
      if (!billid.isEmpty() && call.serverId(BILLID_KEY).isEmpty() && !detached.contains(callId)) {
        core.bindServerId(callId, BILLID_KEY, billid);
      }
    }
    switch (r.name()) {
      case "chan.startup", "chan.disconnected" -> {}
      case "call.execute" -> {
        if (call != null && call.direction() == CallDirection.INBOUND) {
          String peer = p.get("peerid", p.get("targetid"));
          if (peer != null && !peer.isEmpty()) {
            bindLeg(callId, LOCAL_KEY, peer);
            CompletableFuture<String> leg = inboundLegs.remove(callId);
            if (leg != null) {
              leg.complete(peer);
            }
          }
        }
      }
      case "call.ringing" -> state(call, CallState.RINGING);
      case "call.progress" -> state(call, CallState.EARLY_MEDIA);
      case "call.answered" -> state(call, CallState.CONNECTED);
      case "chan.hangup" -> {
        if (call != null && !(detached.contains(callId) && id.equals(local(call)))) {
          String reason = p.get("reason");
          core.reportCallEnded(callId, YateCauses.of(reason, p.get("cause_sip")), ids(call));
          endedByLeg(callId, id);
          inboundLegs.remove(callId);
          detached.remove(callId);
          onHold.remove(callId);
        }
      }
      case "chan.dtmf" -> {
        String text = p.get("text");
        if (call != null && text != null && !"true".equals(p.get("duplicate"))) {
          for (int i = 0; i < text.length(); i++) {
            core.reportDtmf(callId, String.valueOf(text.charAt(i)), ids(call));
          }
        }
      }
      default -> core.reportServerEvent(callId, r.name(), p.toMap());
    }
  }

  /** Binds a server id; a leg's server CDR is then merged into the call's record. */
  private void bindLeg(String callId, String key, String value) {
    core.bindServerId(callId, key, value);
    if ((key.equals(LOCAL_KEY) || key.equals(CHANNEL_KEY)) && value != null && !value.isEmpty()) {
      cdrLegs.put(value, callId);
    }
  }

  /**
   * cdrbuild's record of a leg ({@code call.cdr}): only {@code operation=finalize} counts. After
   * the call ended, the first finalized record of one of its legs is merged into its {@code
   * CallRecord}: the leg whose {@code chan.hangup} ended the call is the first to be finalized (the
   * local leg of a transferred call, the far leg after a SIP rejection). A record that overtakes
   * the end waits for it.
   */
  private void onCdr(Params p) {
    if (!"finalize".equals(p.get("operation"))) {
      return;
    }
    String leg = p.get("chan", "");
    String callId = cdrLegs.get(leg);
    if (callId == null) {
      return;
    }
    Optional<TrackedCall> live = core.findCall(callId);
    if (live.isPresent()) {
      if (!(detached.contains(callId) && leg.equals(local(live.get())))) {
        earlyCdrs.computeIfAbsent(callId, k -> new LinkedHashMap<>()).put(leg, p);
      }
      return;
    }
    cdrLegs.remove(leg);
    mergeCdr(callId, p);
  }

  /** The call ended with the end of {@code leg}: its record, if it came already, is merged. */
  private void endedByLeg(String callId, String leg) {
    Map<String, Params> early = earlyCdrs.remove(callId);
    Params cdr = early == null ? null : early.get(leg);
    if (cdr != null) {
      cdrLegs.remove(leg);
      mergeCdr(callId, cdr);
    }
  }

  private void mergeCdr(String callId, Params cdr) {
    Duration total = seconds(cdr.get("duration"));
    Duration billable = seconds(cdr.get("billtime"));
    if (total == null || billable == null) {
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("cdrStatus", cdr.get("status", ""));
    fields.put("cdrDuration", cdr.get("duration"));
    fields.put("cdrBilltime", cdr.get("billtime"));
    fields.put("cdrRingtime", cdr.get("ringtime", ""));
    String reason = cdr.get("reason", "");
    if (!reason.isEmpty()) {
      fields.put("cdrReason", reason);
    }
    core.amendCallRecord(
        callId,
        r ->
            r.timeSource() == CallRecord.TimeSource.SERVER_CDR
                ? r
                : r.withServerDurations(total, billable, fields));
  }

  /** cdrbuild's {@code 2.052} (seconds, to the millisecond), or null when it is not a number. */
  static Duration seconds(String value) {
    if (value == null || value.isEmpty() || value.length() > 20) {
      return null;
    }
    try {
      long millis =
          new java.math.BigDecimal(value)
              .movePointRight(3)
              .setScale(0, java.math.RoundingMode.HALF_UP)
              .longValueExact();
      return millis < 0 ? null : Duration.ofMillis(millis);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  private static String local(TrackedCall call) {
    return call.serverId(LOCAL_KEY).orElse("");
  }

  /**
   * A call another application placed: its {@code call.execute} (watchers see every module's
   * messages) names its local leg in {@code id}, carries no marker of ours, and is not the routing
   * step of a channel (which has {@code driver}); reported as a call this adapter did not place.
   * With inbound routing off, an incoming SIP channel's {@code chan.startup} is reported the same
   * way (observed, not routed).
   */
  private boolean observeForeign(MessageResult r) {
    Params p = r.params();
    String id = p.get("id", "");
    if (id.isEmpty() || pendingExecutes.size() > 0 && !r.name().equals("call.execute")) {
      return false;
    }
    String marker = p.get(MARKER_PARAM, "");
    boolean foreignExecute =
        r.name().equals("call.execute")
            && p.get("callto", "").indexOf('/') > 0
            && p.get("driver") == null
            && !"incoming".equals(p.get("direction"))
            && (marker.isEmpty() || core.isForeignMarker(marker));
    boolean foreignInbound =
        !settings.inbound()
            && r.name().equals("chan.startup")
            && "sip".equals(p.get("module"))
            && "incoming".equals(p.get("direction"));
    if (!foreignExecute && !foreignInbound) {
      return false;
    }
    Map<String, String> ids = new LinkedHashMap<>();
    String remote = p.get("peerid", p.get("targetid", ""));
    ids.put(CHANNEL_KEY, foreignInbound || remote.isEmpty() ? id : remote);
    if (foreignExecute) {
      ids.put(LOCAL_KEY, id);
    }
    String billid = p.get("billid", "");
    if (!billid.isEmpty()) {
      ids.put(BILLID_KEY, billid);
    }
    String callId =
        core.reportIncomingCall(
            p.get("caller", ""),
            p.get(foreignExecute ? "target" : "called", p.get("called", "")),
            CallState.RINGING,
            Map.copyOf(ids));
    ids.forEach((k, v) -> bindLeg(callId, k, v));
    return true;
  }

  /** Keeps a notification for a channel no call knows yet while a call.execute is pending. */
  private boolean keepForLater(MessageResult r, String id) {
    boolean pending = !pendingExecutes.isEmpty() || !pendingConsultations.isEmpty();
    if (!pending || id == null || id.isEmpty() || r.name().equals("chan.dtmf")) {
      return false;
    }
    if (earlyEventCount >= MAX_EARLY_EVENTS) {
      return false;
    }
    earlyEvents.computeIfAbsent(id, k -> new ArrayList<>(2)).add(r);
    earlyEventCount++;
    return true;
  }

  private TrackedCall callOf(String id, String targetId) {
    for (String channel : new String[] {id, targetId}) {
      if (channel == null || channel.isEmpty()) {
        continue;
      }
      Optional<TrackedCall> c = core.findCallByServerId(CHANNEL_KEY, channel);
      if (c.isEmpty()) {
        c = core.findCallByServerId(LOCAL_KEY, channel);
      }
      if (c.isPresent()) {
        return c.get();
      }
    }
    return null;
  }

  private void state(TrackedCall call, CallState state) {
    if (call != null) {
      core.reportCallState(call.callId(), state, null, ids(call));
    }
  }

  private static Map<String, String> ids(TrackedCall call) {
    return call.serverIds();
  }

  // ---------------------------------------------------------------- requests

  private Duration requestTimeout() {
    return core.connectTarget()
        .map(ConnectTarget::requestTimeout)
        .orElse(config().timeouts().request());
  }

  private CompletableFuture<CommandReply> setlocal(
      LinkSlot.Link<ExtFrame> l, String name, String value) {
    return command(l, "setlocal:" + name, ExtCommands.setlocal(name, value));
  }

  private CompletableFuture<CommandReply> command(
      LinkSlot.Link<ExtFrame> l, String key, byte[] line) {
    FramedConnection<ExtFrame> c = l == null ? null : l.connection().orElse(null);
    if (c == null) {
      return CompletableFuture.failedFuture(
          new AdapterConnectionException("[" + name() + "] not connected to Yate"));
    }
    CompletableFuture<CommandReply> f;
    try {
      f = commands.register(key, key, requestTimeout());
    } catch (IllegalStateException busy) {
      return CompletableFuture.failedFuture(
          new ProtocolException("a " + key + " request is already pending"));
    }
    try {
      c.send(line);
    } catch (RuntimeException e) {
      commands.fail(key, e);
    }
    return f;
  }

  /** Dispatches a message and completes with Yate's result. */
  private CompletableFuture<MessageResult> send(String name, Params params) {
    return send(name, params, null);
  }

  private CompletableFuture<MessageResult> send(String name, Params params, String executesCall) {
    return send(name, params, executesCall, null);
  }

  private CompletableFuture<MessageResult> send(
      String name, Params params, String executesCall, Consultation consultation) {
    FramedConnection<ExtFrame> c = links.current().flatMap(LinkSlot.Link::connection).orElse(null);
    if (c == null) {
      return CompletableFuture.failedFuture(
          new AdapterConnectionException("[" + name() + "] not connected to Yate"));
    }
    String id = "sdk." + nextId.incrementAndGet();
    byte[] line = ExtCommands.message(id, System.currentTimeMillis() / 1000, name, "", params);
    CompletableFuture<MessageResult> f = messages.register(id, name, requestTimeout());
    if (executesCall != null) {
      pendingExecutes.put(id, executesCall);
      f.whenComplete((r, e) -> pendingExecutes.remove(id));
    }
    if (consultation != null) {
      // kept after a timeout: a late answer names the legs of a consultation to hang up
      pendingConsultations.put(id, consultation);
    }
    if (log.isDebugEnabled()) {
      log.debug("[{}] >> {} {} {}", name(), name, id, params.names());
    }
    try {
      c.send(line);
    } catch (RuntimeException e) {
      messages.fail(id, e);
    }
    return f;
  }

  /** Sends a message that must be processed; a false result fails with {@code what}. */
  private CompletableFuture<MessageResult> sendProcessed(String name, Params params, String what) {
    return send(name, params, null)
        .thenApply(
            r -> {
              if (!r.processed()) {
                String error = r.params().get("error", "");
                throw new CallException(
                    "Yate did not process " + what + (error.isEmpty() ? "" : " (" + error + ")"));
              }
              return r;
            });
  }

  // ---------------------------------------------------------------- calls

  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("callto", settings.callto());
    if (settings.direct().isEmpty()) {
      p.put("target", expand(settings.target(), call));
    } else {
      p.put("direct", expand(settings.direct(), call));
    }
    p.put("caller", call.options().callerIdNumber().orElse(call.from()));
    call.options().callerIdName().ifPresent(n -> p.put("callername", n));
    List<String> copied = new ArrayList<>();
    call.options()
        .headers()
        .forEach(
            (k, v) -> {
              p.put("osip_" + k, v);
              copied.add("osip_" + k);
            });
    p.putAll(call.options().variables());
    copied.addAll(call.options().variables().keySet());
    if (!copied.isEmpty()) {
      // dumb/ hands on to its call.route and call.execute only the parameters named here, so
      // without it headers never reach the INVITE nor variables the far leg
      p.put("copyparams", String.join(",", copied));
    }
    p.put(MARKER_PARAM, core.callMarker(call));
    executed.put(call.callId(), new CompletableFuture<>());
    return send("call.execute", Params.of(p), call.callId())
        .handle(
            (r, e) -> {
              if (e != null) {
                CompletableFuture<Void> done = executed.remove(call.callId());
                if (done != null) {
                  done.completeExceptionally(e);
                }
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
              }
              return null;
            });
  }

  private static String expand(String template, TrackedCall call) {
    return template.replace("{to}", call.to()).replace("{from}", call.from());
  }

  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    CompletableFuture<Void> pending = executed.get(call.callId());
    if (pending != null && call.serverId(LOCAL_KEY).isEmpty()) {
      // The legs are not known until call.execute is answered: drop once they are.
      return pending.thenCompose(v -> drop(call, cause));
    }
    return drop(call, cause);
  }

  private CompletableFuture<Void> drop(TrackedCall call, HangupCause cause) {
    String channel =
        detached.contains(call.callId())
            ? call.serverId(CHANNEL_KEY).orElse(null)
            : call.serverId(LOCAL_KEY).or(() -> call.serverId(CHANNEL_KEY)).orElse(null);
    if (channel == null) {
      return CompletableFuture.completedFuture(null); // never reached Yate: nothing to drop
    }
    return send("call.drop", Params.of("id", channel, "reason", YateCauses.reasonFor(cause)))
        .thenApply(
            r -> {
              if (!r.processed()) {
                // The channel is gone already; its chan.hangup may still be on its way.
                core.reportCallEnded(call.callId(), cause, ids(call));
              }
              return null;
            });
  }

  @Override
  public CompletableFuture<Void> answer(TrackedCall call) {
    String remote = remoteLeg(call);
    CompletableFuture<String> leg =
        call.serverId(LOCAL_KEY)
            .map(CompletableFuture::completedFuture)
            .orElseGet(() -> inboundLegs.getOrDefault(call.callId(), notRouted(call)));
    return leg.orTimeout(requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(
            local ->
                sendProcessed(
                    "call.answered", Params.of("id", local, "targetid", remote), "call.answered"))
        .thenApply(
            r -> {
              core.reportCallState(call.callId(), CallState.CONNECTED, null, ids(call));
              return null;
            });
  }

  private static CompletableFuture<String> notRouted(TrackedCall call) {
    return CompletableFuture.failedFuture(
        new CallException("call " + call.callId() + " has no local Yate leg to answer from"));
  }

  @Override
  public CompletableFuture<Void> reject(TrackedCall call, HangupCause cause) {
    HangupCause c = cause == null ? HangupCause.CALL_REJECTED : cause;
    return send("call.drop", Params.of("id", remoteLeg(call), "reason", YateCauses.reasonFor(c)))
        .thenApply(
            r -> {
              if (!r.processed()) {
                core.reportCallEnded(call.callId(), c, ids(call));
              }
              return null;
            });
  }

  @Override
  public CompletableFuture<Void> sendDtmf(TrackedCall call, String digits) {
    // SIP INFO: RFC 2833 events leave with the audio only, and a dumb/ local leg sends none
    return sendProcessed(
            "chan.dtmf",
            Params.of("targetid", remoteLeg(call), "text", digits, "methods", dtmfMethods()),
            "chan.dtmf")
        .thenApply(r -> null);
  }

  private String dtmfMethods() {
    return config().option("dtmfMethods", "info");
  }

  // ---------------------------------------------------------------- pbx features

  @Override
  public CompletableFuture<Void> transfer(TrackedCall call, String target) {
    String remote = remoteLeg(call);
    // What pbxassist does: route the target, then move the remote leg to a call.execute of the
    // route. Our dumb/ leg is disconnected (reason=transfer) and hangs up: the call leaves us.
    return sendProcessed(
            "call.route",
            Params.of("called", target, "caller", call.from()),
            "call.route of " + target)
        .thenCompose(
            route ->
                masquerade(
                    remote,
                    "call.execute",
                    Params.of(
                        "callto",
                        route.retval(),
                        "caller",
                        call.from(),
                        "called",
                        target,
                        "reason",
                        "transfer"),
                    "transfer to " + target))
        .thenApply(r -> null);
  }

  /**
   * A consultation call to the target; once its far leg answers, {@code chan.connect} joins our far
   * leg to it and both {@code dumb/} legs hang up by themselves. Joined earlier, a target that is
   * busy or does not answer would take the transferee down with it (our leg is gone by then), so
   * the consultation must answer within three quarters of the request timeout (the rest is for
   * {@code chan.connect}); otherwise the transfer fails, the consultation is dropped and the call
   * stays as it was.
   */
  @Override
  public CompletableFuture<Void> attendedTransfer(TrackedCall call, String target) {
    String remote = remoteLeg(call);
    Map<String, String> p = new LinkedHashMap<>();
    p.put("callto", settings.callto());
    if (settings.direct().isEmpty()) {
      p.put("target", settings.target().replace("{to}", target).replace("{from}", call.from()));
    } else {
      p.put("direct", settings.direct().replace("{to}", target).replace("{from}", call.from()));
    }
    p.put("caller", call.from());
    Consultation c = new Consultation(target);
    long patience = requestTimeout().toMillis() * 3 / 4;
    CompletableFuture<Void> done =
        send("call.execute", Params.of(p), null, c)
            .thenCompose(r -> c.answered)
            .orTimeout(patience, TimeUnit.MILLISECONDS)
            .exceptionally(
                e -> {
                  Throwable why = e instanceof CompletionException ce ? ce.getCause() : e;
                  if (why instanceof java.util.concurrent.TimeoutException) {
                    throw new CallException(
                        "the consultation call to "
                            + target
                            + " was not answered within "
                            + patience
                            + " ms (three quarters of timeouts.request)");
                  }
                  throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                })
            .thenCompose(
                v ->
                    sendProcessed(
                        "chan.connect",
                        Params.of("id", remote, "targetid", c.remote, "reason", "transfer"),
                        "chan.connect"))
            .thenApply(r -> null);
    done.whenComplete(
        (v, e) -> {
          if (e != null) {
            onEventThread(() -> dropConsultation(c));
          }
        });
    return done;
  }

  /**
   * A consultation the transfer gave up on: hung up now, or as soon as Yate names its legs (a late
   * answer to its call.execute). Event thread.
   */
  private void dropConsultation(Consultation c) {
    c.answered.completeExceptionally(new CallException("attended transfer given up"));
    String local = c.local;
    if (local == null || local.isEmpty()) {
      return; // onConsultationResult drops it when the legs are known
    }
    consultationLegs.remove(local);
    consultationLegs.remove(c.remote);
    send("call.drop", Params.of("id", local, "reason", "normal"));
  }

  @Override
  public CompletableFuture<Void> hold(TrackedCall call) {
    return attach(call, config().option("holdSource", "tone/ring"), CallState.ON_HOLD);
  }

  @Override
  public CompletableFuture<Void> resume(TrackedCall call) {
    return attach(call, "-", CallState.CONNECTED);
  }

  /**
   * A hold that can resume: the far leg stays connected to our local leg, whose outgoing audio is
   * replaced by a source ({@code chan.attach}, which works only through {@code chan.masquerade} and
   * with {@code single=true}); moving the far leg away instead hangs the local leg up at once.
   */
  private CompletableFuture<Void> attach(TrackedCall call, String source, CallState after) {
    String local =
        call.serverId(LOCAL_KEY)
            .orElseThrow(() -> new CallException("call " + call.callId() + " has no local leg"));
    return masquerade(
            local,
            "chan.attach",
            Params.of("source", source, "single", "true"),
            "chan.attach " + source)
        .thenApply(
            r -> {
              if (after == CallState.ON_HOLD) {
                onHold.add(call.callId());
              } else {
                onHold.remove(call.callId());
              }
              core.reportCallState(call.callId(), after, null, ids(call));
              return null;
            });
  }

  @Override
  public CompletableFuture<Void> startRecording(TrackedCall call, String fileName) {
    return masquerade(
            remoteLeg(call),
            "chan.record",
            Params.of("call", "wave/record/" + recordingPath(fileName)),
            "chan.record")
        .thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> stopRecording(TrackedCall call) {
    // pbx answers the stop (call=-) unprocessed although the recording stops: not an error.
    return send(
            "chan.masquerade",
            Params.of("id", remoteLeg(call), "message", "chan.record", "call", "-"))
        .thenApply(r -> null);
  }

  private String recordingPath(String fileName) {
    String name = fileName.contains(".") ? fileName : fileName + ".slin";
    return name.startsWith("/") ? name : config().option("recordingDir", "/tmp") + "/" + name;
  }

  @Override
  public CompletableFuture<Void> conference(String room, List<TrackedCall> members) {
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (TrackedCall m : members) {
      all =
          all.thenCompose(
              v -> {
                detached.add(m.callId());
                return masquerade(
                        remoteLeg(m),
                        "call.execute",
                        Params.of(
                            "callto", "conf/" + room,
                            // a room with one member left is kept (by default it is closed and
                            // the last member hung up)
                            "lonely", "true",
                            "reason", "conference"),
                        "conference " + room)
                    .handle(
                        (r, e) -> {
                          if (e != null) {
                            detached.remove(m.callId());
                            throw e instanceof CompletionException ce
                                ? ce
                                : new CompletionException(e);
                          }
                          return null;
                        });
              });
    }
    return all;
  }

  @Override
  public CompletableFuture<Void> bridge(TrackedCall a, TrackedCall b) {
    detached.add(a.callId());
    detached.add(b.callId());
    return sendProcessed(
            "chan.connect",
            Params.of("id", remoteLeg(a), "targetid", remoteLeg(b), "reason", "bridged"),
            "chan.connect")
        .handle(
            (r, e) -> {
              if (e != null) {
                detached.remove(a.callId());
                detached.remove(b.callId());
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
              }
              return null;
            });
  }

  /**
   * {@code chan.masquerade}: Yate dispatches the inner message as the channel and answers under the
   * inner message's name (correlated by our id, not by name).
   */
  private CompletableFuture<MessageResult> masquerade(
      String channel, String message, Params params, String what) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("id", channel);
    p.put("message", message);
    p.putAll(params.toMap());
    return sendProcessed("chan.masquerade", Params.of(p), what);
  }

  private static String remoteLeg(TrackedCall call) {
    return call.serverId(CHANNEL_KEY)
        .or(() -> call.serverId(LOCAL_KEY))
        .orElseThrow(() -> new CallException("call " + call.callId() + " has no Yate channel yet"));
  }

  /**
   * Dispatches any message and returns Yate's result, for what the unified API does not cover
   * ({@code engine.status}, {@code chan.masquerade}, ...).
   *
   * @param name the message name
   * @param params its parameters; names must not contain {@code =}, values are escaped
   * @return the result ({@code processed}, return value and parameters after dispatch)
   * @throws IllegalArgumentException if a name or value cannot be sent
   */
  CompletableFuture<MessageResult> dispatch(String name, Map<String, String> params) {
    core.checkWire(WireField.other("message name"), name);
    params.forEach(
        (k, v) -> {
          core.checkWire(WireField.VARIABLE_NAME, k);
          core.checkWire(WireField.variable(k), v);
        });
    return send(name, Params.of(params));
  }
}
