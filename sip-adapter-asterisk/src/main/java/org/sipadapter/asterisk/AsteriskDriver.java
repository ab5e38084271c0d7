package org.sipadapter.asterisk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallDirection;
import org.sipadapter.CallException;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.InputGuard;
import org.sipadapter.ProtocolException;
import org.sipadapter.asterisk.ami.AmiAction;
import org.sipadapter.asterisk.ami.AmiConnection;
import org.sipadapter.asterisk.ami.AmiFrame;
import org.sipadapter.asterisk.ami.AmiFrameType;
import org.sipadapter.asterisk.ami.AmiReply;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.LazyFields;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.AttendedTransfer;
import org.sipadapter.spi.Bridge;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.Conference;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.Hold;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.ReceiveDtmf;
import org.sipadapter.spi.Recording;
import org.sipadapter.spi.RefreshStatus;
import org.sipadapter.spi.Reject;
import org.sipadapter.spi.Resync;
import org.sipadapter.spi.SendDtmf;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.Transfer;
import org.sipadapter.spi.WireField;
import org.sipadapter.transport.FramedConnection;
import org.sipadapter.transport.Schedulers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMI driver behind {@link AsteriskAdapter}.
 *
 * <p>Calls are placed with an asynchronous {@code Originate} whose channel gets a preset Uniqueid
 * derived from the call id ({@code if://call/<uuid>} → {@code Uniqueid: <uuid>}); since Asterisk
 * gives every channel of a call chain the Linkedid of its first channel, all events of the call are
 * matched to it by their {@code Uniqueid} or {@code Linkedid} alone. Calls that start on the server
 * (a new channel that is the first of its chain) are reported as incoming calls and tracked by the
 * Uniqueid and Linkedid the server gave them.
 *
 * <p>Threading: events are read and mapped on the connection's reader thread (mapping is a few
 * string comparisons) and handed to core's dispatcher, which delivers them on its own threads.
 * Replies to actions complete on a worker thread.
 */
final class AsteriskDriver
    implements AdapterDriver,
        OutboundCalls,
        InboundCalls,
        Reject,
        Transfer,
        AttendedTransfer,
        Hold,
        Recording,
        SendDtmf,
        ReceiveDtmf,
        Conference,
        Bridge,
        RefreshStatus,
        Resync {
  private static final Logger log = LoggerFactory.getLogger(AsteriskDriver.class);
  private static final String CALL_PREFIX = "if://call/";
  private static final String ORIGINATE_PREFIX = "originate-";

  /**
   * {@code <12 hex digits of the instance>.<uuid of the call>}, see {@link
   * DriverContext#callMarker}.
   */
  private static final int MARKER_LENGTH = 49;

  private static final List<String> VERSIONS = List.of("16", "17", "18", "19", "20", "21", "22");

  /** Server id keys this adapter binds to calls. */
  static final String UNIQUEID = "Uniqueid";

  static final String LINKEDID = "Linkedid";
  static final String CHANNEL = "Channel";

  /**
   * The channel Asterisk makes to run a context's {@code failed} extension after an Originate
   * failed: the end of a call, never a new one.
   */
  private static final String FAILED_ORIGINATE_CHANNEL = "OutgoingSpoolFailed";

  /** The channel variable MixMonitor's {@code i()} option stores the recording's id in. */
  static final String MIXMONITOR_ID_VARIABLE = "SIPADAPTER_MIXMONITOR_ID";

  /**
   * ConfbridgeList's answers for a room nobody is in: the first when no room exists at all, the
   * second when others do.
   */
  private static final Set<String> NO_CONFERENCE =
      Set.of("No active conferences.", "No Conference by that name found.");

  private final AdapterConfig config;
  private final DriverContext core;
  private final AsteriskSettings settings;
  private final AmiEventMapper mapper = new AmiEventMapper();
  private volatile AmiConnection connection;
  private volatile String asteriskVersion = "";

  /**
   * New channels that are the first of their chain but came without a caller id ({@code
   * CallerIDNum: <unknown>}): Asterisk sets it with a {@code NewCallerid} right after. Keyed by
   * Uniqueid; the next event of the channel reports the call. Reader thread only.
   */
  private final Map<String, AmiFrame> unnamedInbound = new ConcurrentHashMap<>();

  /**
   * Failed outbound calls waiting for the second of the two events that say why: the {@code
   * OriginateResponse} and the {@code Hangup} of the call's channel, which Asterisk sends in either
   * order (see {@link FailedOriginate}).
   */
  private final Map<String, FailedOriginate> failing = new ConcurrentHashMap<>();

  /** Calls whose own channel is in a bridge now (BridgeEnter without BridgeLeave). */
  private final Set<String> bridged = ConcurrentHashMap.newKeySet();

  /** Actions waiting for a call's channel to enter a bridge, by call id. */
  private final Map<String, CompletableFuture<Void>> bridgeWaiters = new ConcurrentHashMap<>();

  /** Transfers under way, by call id (see {@link PendingTransfer}). */
  private final Map<String, PendingTransfer> transfers = new ConcurrentHashMap<>();

  /** {@code Cdr} events that came before the call's end, by call id; applied at the end. */
  private final Map<String, AmiFrame> earlyCdrs =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, AmiFrame> eldest) {
              // Calls ended by core (timeouts, close) never collect theirs; keep the map small.
              return size() > 256;
            }
          });

  /**
   * Creates the driver. Does not connect.
   *
   * @param config a config that passed {@link AsteriskSettings#validate}
   * @param core what core offers the driver
   */
  AsteriskDriver(AdapterConfig config, DriverContext core) {
    this.config = config;
    this.core = core;
    this.settings = AsteriskSettings.from(config);
  }

  /**
   * Returns the settings read from the config's options.
   *
   * @return the settings
   */
  public AsteriskSettings settings() {
    return settings;
  }

  @Override
  public List<String> supportedVersions() {
    return VERSIONS;
  }

  private String name() {
    return config.name();
  }

  private AdapterConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- connection

  @Override
  public void connect(ConnectTarget target) throws Exception {
    FramedConnection.Endpoint endpoint =
        new FramedConnection.Endpoint(
            "ami-" + name(),
            target.host(),
            target.port(),
            target.tlsContext(),
            target.connectTimeout());
    AmiConnection c =
        AmiConnection.open(
            endpoint,
            settings.maxFrameBytes(),
            new LinkListener(core.linkGeneration()),
            Schedulers.blocking(),
            target.connectTimeout());
    try {
      c.login(
          target.credentials(), settings.md5Login(), settings.events(), target.requestTimeout());
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    if (!c.isOpen()) {
      // The server accepted the login and hung up at once (shutdown, authlimit): not connected.
      throw new AdapterConnectionException("[" + name() + "] AMI link closed right after login");
    }
    connection = c;
    asteriskVersion = readAsteriskVersion(c, target.requestTimeout());
    core.reportServerVersion(describeVersion(c.amiVersion(), asteriskVersion));
  }

  /**
   * The release from {@code CoreSettings} ({@code AsteriskVersion}, such as {@code 22.10.1}); the
   * banner only tells the AMI version.
   *
   * @return the version, or empty when the user may not ask or the server did not say
   */
  private String readAsteriskVersion(AmiConnection c, Duration timeout) {
    try {
      AmiReply reply =
          org.sipadapter.transport.Futures.await(
              c.send(AmiAction.of("CoreSettings").build(), timeout), timeout, "CoreSettings");
      if (reply.isSuccess()) {
        return reply.response().getOrDefault("AsteriskVersion", "");
      }
      log.info(
          "[{}] CoreSettings refused ({}); showing the AMI version only", name(), reply.message());
    } catch (RuntimeException e) {
      log.info(
          "[{}] CoreSettings failed ({}); showing the AMI version only", name(), e.getMessage());
    }
    return "";
  }

  @Override
  public void disconnect() {
    AmiConnection c = connection;
    connection = null;
    if (c != null) {
      if (c.isOpen()) {
        Duration request = config().timeouts().request();
        c.logoff(request.compareTo(Duration.ofSeconds(1)) < 0 ? request : Duration.ofSeconds(1));
      }
      c.close();
    }
  }

  @Override
  public void keepalive() throws Exception {
    AmiReply pong = link().send(AmiAction.of("Ping").build(), requestTimeout()).get();
    if (!pong.isSuccess()) {
      throw new ProtocolException("[" + name() + "] Ping refused: " + pong.message());
    }
  }

  @Override
  public Map<String, Object> healthDetails() {
    Map<String, Object> details = new LinkedHashMap<>();
    AmiConnection c = link();
    details.put("amiVersion", c.amiVersion());
    if (!asteriskVersion.isEmpty()) {
      details.put("asteriskVersion", asteriskVersion);
    }
    details.put("pendingActions", c.pending());
    long start = System.nanoTime();
    try {
      AmiReply pong = c.send(AmiAction.of("Ping").build(), requestTimeout()).join();
      long nanos = System.nanoTime() - start;
      core.recordRequestLatency(nanos);
      details.put("pingMs", TimeUnit.NANOSECONDS.toMicros(nanos) / 1000.0);
      details.put("ping", pong.response().getOrDefault("Ping", pong.message()));
    } catch (CompletionException e) {
      throw new AdapterConnectionException(
          "[" + name() + "] Ping failed: " + e.getCause().getMessage(), e.getCause());
    }
    return details;
  }

  @Override
  public List<CallSnapshot> resync() throws Exception {
    AmiReply reply =
        link().sendList(AmiAction.of("CoreShowChannels").build(), requestTimeout()).get();
    if (!reply.isSuccess()) {
      throw new ProtocolException(
          "["
              + name()
              + "] CoreShowChannels refused: "
              + reply.message()
              + hint(reply, "CoreShowChannels"));
    }
    Map<String, AmiFrame> byUniqueid = new LinkedHashMap<>();
    Set<String> linkedids = new java.util.HashSet<>();
    for (AmiFrame ch : reply.items()) {
      byUniqueid.put(ch.getOrDefault(UNIQUEID, ""), ch);
      linkedids.add(ch.getOrDefault(LINKEDID, ""));
    }
    List<CallSnapshot> snapshots = new ArrayList<>();
    for (TrackedCall call : core.trackedCalls()) {
      String uniqueid = call.serverId(UNIQUEID).orElse("");
      AmiFrame primary = byUniqueid.get(uniqueid);
      if (primary != null) {
        CallState state = resyncState(call.state(), primary.intValue("ChannelState", -1));
        snapshots.add(
            new CallSnapshot(
                call.callId(), state, Map.of(CHANNEL, primary.getOrDefault(CHANNEL, ""))));
      } else if (linkedids.contains(call.serverId(LINKEDID).orElse(uniqueid))) {
        // The first channel is gone but others of the chain live on: still one call.
        snapshots.add(new CallSnapshot(call.callId(), call.state(), Map.of()));
      }
    }
    // Calls that began while the link was down.
    for (AmiFrame ch : reply.items()) {
      String uniqueid = ch.getOrDefault(UNIQUEID, "");
      if (uniqueid.equals(ch.getOrDefault(LINKEDID, ""))
          && callIdOf(uniqueid, uniqueid) == null
          && isInboundContext(ch)) {
        reportInbound(ch, uniqueid, uniqueid, ch.intValue("ChannelState", -1), callerOf(ch));
      }
    }
    log.info("[{}] resync: {} channel(s) on the server", name(), reply.items().size());
    return snapshots;
  }

  private static CallState resyncState(CallState now, int channelState) {
    if (channelState == 6 && !now.isAnswered()) {
      return CallState.CONNECTED;
    }
    if ((channelState == 4 || channelState == 5) && now == CallState.DIALING) {
      return CallState.RINGING;
    }
    return now;
  }

  // ---------------------------------------------------------------- calls

  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    // The channel's preset Uniqueid is the call marker: this adapter instance and the call, so
    // another adapter on the same Asterisk sees a call it did not place.
    String marker = core.callMarker(call);
    Duration ring = call.options().timeout().orElse(config().timeouts().ring());
    OriginateRequest request =
        OriginateRequest.of(settings, call.from(), call.to(), call.options(), ring, marker);
    core.bindServerIds(call.callId(), Map.of(UNIQUEID, marker, LINKEDID, marker));
    return link()
        .send(request.toAction(), ORIGINATE_PREFIX + marker, requestTimeout())
        .thenAccept(reply -> requireSuccess(reply, "Originate"));
  }

  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    int q850 = cause.q850() > 0 && cause.q850() < 128 ? cause.q850() : 16;
    AmiAction hangup =
        AmiAction.of("Hangup")
            .add(CHANNEL, channelOf(call))
            .add("Cause", String.valueOf(q850))
            .build();
    return link()
        .send(hangup, requestTimeout())
        .thenAccept(
            reply -> {
              if (!reply.isSuccess() && reply.message().equalsIgnoreCase("No such channel")) {
                // The channel is gone already; its Hangup event was missed or is on its way.
                endCall(call.callId(), cause);
                return;
              }
              requireSuccess(reply, "Hangup");
            });
  }

  /** Rejecting is a {@code Hangup} with the given cause on the ringing channel. */
  @Override
  public CompletableFuture<Void> reject(TrackedCall call, HangupCause cause) {
    return hangup(call, cause);
  }

  /**
   * Blind transfer. In {@code redirect} mode the call's own channel moves to the target: once core
   * has the call {@code TRANSFERRING}, a {@code Status} of the channel shows it continuing there
   * ({@code CONNECTED}) or gone. In {@code blindTransfer} mode Asterisk moves the other party and
   * hangs up the call's channel, which ends the call.
   */
  @Override
  public CompletableFuture<Void> transfer(TrackedCall call, String target) {
    if (!settings.transferMode().equals("blindTransfer")) {
      CompletableFuture<Void> accepted = new CompletableFuture<>();
      simple(redirect(call, settings.transferContext(), target))
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  accepted.completeExceptionally(e);
                  return;
                }
                // Completing runs core's TRANSFERRING first; the Status round trip comes after.
                accepted.complete(null);
                refreshStatus(call)
                    .whenComplete(
                        (s, se) -> {
                          if (se == null) {
                            core.reportCallState(
                                call.callId(), CallState.CONNECTED, null, Map.of());
                          }
                        });
              });
      return accepted;
    }
    AmiAction action =
        AmiAction.of("BlindTransfer")
            .add(CHANNEL, channelOf(call))
            .add("Context", settings.transferContext())
            .add("Exten", target)
            .build();
    // Asterisk takes the transferer off hold (Unhold) while it moves the other party. The
    // transfer counts as accepted with its BlindTransfer event, which comes on the reader thread
    // before the transferer's Hangup, so TRANSFERRING is always reported before the end.
    String callId = call.callId();
    PendingTransfer transfer = new PendingTransfer(false, target);
    if (transfers.putIfAbsent(callId, transfer) != null) {
      return CompletableFuture.failedFuture(
          new CallException("[" + name() + "] a transfer of " + callId + " is already under way"));
    }
    Duration timeout = requestTimeout().multipliedBy(3).dividedBy(4);
    ScheduledFuture<?> deadline =
        Schedulers.timer()
            .schedule(
                () ->
                    transfer.started.completeExceptionally(
                        new CallException(
                            "["
                                + name()
                                + "] BlindTransfer to "
                                + target
                                + " was not reported done within "
                                + timeout.toMillis()
                                + " ms")),
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
    link()
        .send(action, requestTimeout())
        .whenComplete((reply, e) -> failOnRefusal(transfer, "BlindTransfer", reply, e));
    return transfer.started.whenComplete(
        (v, e) -> {
          deadline.cancel(false);
          if (e != null) {
            transfers.remove(callId, transfer);
          }
        });
  }

  /**
   * Sends {@code Atxfer} and completes once the transfer has really begun: the {@code Hold}
   * Asterisk puts on the transferer when the feature code is recognised, a channel of the call
   * dialling the target (the consultation call), or an {@code AttendedTransfer} event. Asterisk
   * answers "Atxfer successfully queued" even when the channel has no transfer feature (no Dial
   * option {@code T}); then nothing follows, and the future fails with the reason after three
   * quarters of the request timeout (before core's own timeout would).
   */
  @Override
  public CompletableFuture<Void> attendedTransfer(TrackedCall call, String target) {
    String callId = call.callId();
    AmiAction action =
        AmiAction.of("Atxfer")
            .add(CHANNEL, channelOf(call))
            .add("Exten", target)
            .add("Context", settings.transferContext())
            .build();
    PendingTransfer transfer = new PendingTransfer(true, target);
    if (transfers.putIfAbsent(callId, transfer) != null) {
      return CompletableFuture.failedFuture(
          new CallException("[" + name() + "] a transfer of " + callId + " is already under way"));
    }
    Duration timeout = requestTimeout().multipliedBy(3).dividedBy(4);
    ScheduledFuture<?> deadline =
        Schedulers.timer()
            .schedule(
                () ->
                    transfer.started.completeExceptionally(
                        new CallException(
                            "["
                                + name()
                                + "] no attended transfer to "
                                + target
                                + " began within "
                                + timeout.toMillis()
                                + " ms: "
                                + (bridged.contains(callId)
                                    ? "Atxfer was queued, but the channel needs the atxfer"
                                        + " feature code on its bridge (Dial option T, atxfer in"
                                        + " features.conf [featuremap]) and "
                                        + target
                                        + " must exist in "
                                        + settings.transferContext()
                                    : "the call's channel is in no bridge; place the call with"
                                        + " Dial option T so it is bridged with the transfer"
                                        + " feature"))),
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
    // Asterisk acts on the feature code only once the channel is bridged (a click-to-call is
    // answered by the caller's phone before Dial has bridged it to the callee).
    whenBridged(callId)
        .thenComposeAsync(v -> link().send(action, requestTimeout()), Schedulers.blocking())
        .whenComplete((reply, e) -> failOnRefusal(transfer, "Atxfer", reply, e));
    return transfer.started.whenComplete(
        (v, e) -> {
          deadline.cancel(false);
          CompletableFuture<Void> waiter = bridgeWaiters.remove(callId);
          if (waiter != null) {
            waiter.cancel(false);
          }
          // Until the feature-code digits have all come, they are still Asterisk's, not the call's.
          if (transfer.digitsSettled()) {
            transfers.remove(callId, transfer);
          }
        });
  }

  /** Fails a pending transfer when its action could not be sent or Asterisk refused it. */
  private void failOnRefusal(
      PendingTransfer transfer, String actionName, AmiReply reply, Throwable error) {
    if (error != null) {
      transfer.started.completeExceptionally(error);
    } else if (!reply.isSuccess()) {
      transfer.started.completeExceptionally(
          new CallException(
              "["
                  + name()
                  + "] "
                  + actionName
                  + " failed: "
                  + reply.message()
                  + hint(reply, actionName)));
    }
  }

  /**
   * A transfer the adapter asked for, until Asterisk has done what it does for it. While it lasts,
   * the {@code Hold}/{@code Unhold} Asterisk raises on the transferer, and (attended) the DTMF of
   * the feature code and target Asterisk feeds into the channel as if received, are not the call's
   * own.
   */
  private static final class PendingTransfer {
    final boolean attended;
    final String target;
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final StringBuilder digits = new StringBuilder();

    PendingTransfer(boolean attended, String target) {
      this.attended = attended;
      this.target = target;
    }

    /** Takes one received digit; true once the feature code and the whole target have passed. */
    synchronized boolean consume(String digit) {
      digits.append(digit);
      return digitsDone();
    }

    /** Whether Asterisk has fed nothing into the channel yet, or all it will. */
    synchronized boolean digitsSettled() {
      return digits.length() == 0 || digitsDone();
    }

    synchronized boolean digitsDone() {
      return digits.length() > target.length() && digits.toString().endsWith(target);
    }
  }

  @Override
  public CompletableFuture<Void> hold(TrackedCall call) {
    return simple(redirect(call, settings.holdContext(), settings.holdExten()))
        .thenRun(() -> core.reportCallState(call.callId(), CallState.ON_HOLD, null, Map.of()));
  }

  @Override
  public CompletableFuture<Void> resume(TrackedCall call) {
    String context =
        !settings.resumeContext().isEmpty()
            ? settings.resumeContext()
            : call.serverId("Context").orElse(settings.context());
    String exten =
        !settings.resumeExten().isEmpty()
            ? AsteriskSettings.fill(settings.resumeExten(), call.from(), call.to())
            : call.serverId("Exten")
                .orElse(AsteriskSettings.fill(settings.exten(), call.from(), call.to()));
    return simple(redirect(call, context, exten))
        .thenRun(() -> core.reportCallState(call.callId(), CallState.CONNECTED, null, Map.of()));
  }

  /**
   * Starts {@code MixMonitor}. A file name without an extension gets {@code .wav} (Asterisk would
   * write a headerless {@code .raw}); the {@code i(...)} option is added unless the configured
   * options have one, because only with it does the reply carry the {@code MixMonitorID} that stops
   * this recording and no other.
   */
  @Override
  public CompletableFuture<Void> startRecording(TrackedCall call, String fileName) {
    String file =
        fileName.lastIndexOf('.') > fileName.lastIndexOf('/') ? fileName : fileName + ".wav";
    String options = settings.recordingOptions();
    if (!options.contains("i(")) {
      options = options + "i(" + MIXMONITOR_ID_VARIABLE + ")";
    }
    AmiAction action =
        AmiAction.of("MixMonitor")
            .add(CHANNEL, channelOf(call))
            .add("File", file)
            .add("Options", options)
            .build();
    return link()
        .send(action, requestTimeout())
        .thenAccept(
            reply -> {
              requireSuccess(reply, "MixMonitor");
              reply
                  .response()
                  .get("MixMonitorID")
                  .ifPresent(id -> core.bindServerId(call.callId(), "MixMonitorID", id));
            });
  }

  @Override
  public CompletableFuture<Void> stopRecording(TrackedCall call) {
    AmiAction.Builder b = AmiAction.of("StopMixMonitor").add(CHANNEL, channelOf(call));
    call.serverId("MixMonitorID").ifPresent(id -> b.add("MixMonitorID", id));
    return simple(b.build());
  }

  @Override
  public CompletableFuture<Void> sendDtmf(TrackedCall call, String digits) {
    // PlayDTMF plays one digit; send them one after the other so they arrive in order.
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    String channel = channelOf(call);
    for (int i = 0; i < digits.length(); i++) {
      AmiAction play =
          AmiAction.of("PlayDTMF")
              .add(CHANNEL, channel)
              .add("Digit", String.valueOf(digits.charAt(i)))
              .build();
      chain = chain.thenCompose(v -> simple(play));
    }
    return chain;
  }

  @Override
  public CompletableFuture<Void> conference(String room, List<TrackedCall> members) {
    List<CompletableFuture<Void>> moves = new ArrayList<>();
    for (TrackedCall member : members) {
      moves.add(simple(redirect(member, settings.conferenceContext(), room)));
    }
    return CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new));
  }

  /**
   * Bridges the two calls' channels with the AMI {@code Bridge} action. When one side hangs up,
   * Asterisk sends the other on in its dialplan at the next priority.
   */
  @Override
  public CompletableFuture<Void> bridge(TrackedCall a, TrackedCall b) {
    return simple(
        AmiAction.of("Bridge")
            .add("Channel1", channelOf(a))
            .add("Channel2", channelOf(b))
            .add("Tone", "no")
            .build());
  }

  /**
   * Lists the channels in a ConfBridge room ({@code ConfbridgeList}).
   *
   * @param room the room, as given to {@code conference}
   * @return a future with the members' channel names, empty when the room has no one; failed with a
   *     {@link CallException} carrying Asterisk's reason when the list is refused (for instance
   *     {@code Permission denied} for a user whose {@code write=} lacks {@code reporting})
   * @throws IllegalArgumentException if the room name holds characters AMI cannot carry
   */
  public CompletableFuture<List<String>> conferenceMembers(String room) {
    core.checkWire(WireField.ROOM, room);
    AmiConnection c = connection;
    if (c == null) {
      return CompletableFuture.failedFuture(
          new AdapterConnectionException("[" + name() + "] not connected"));
    }
    return c.sendList(
            AmiAction.of("ConfbridgeList").add("Conference", room).build(), requestTimeout())
        .thenApply(
            reply -> {
              if (!reply.isSuccess()) {
                if (NO_CONFERENCE.contains(reply.message())) {
                  return List.of();
                }
                throw new CallException(
                    "["
                        + name()
                        + "] ConfbridgeList failed: "
                        + reply.message()
                        + hint(reply, "ConfbridgeList"));
              }
              List<String> channels = new ArrayList<>();
              for (AmiFrame item : reply.items()) {
                channels.add(item.getOrDefault(CHANNEL, ""));
              }
              return List.copyOf(channels);
            });
  }

  /**
   * Asks the server about a call's channel ({@code Status}) and brings the tracked state up to
   * date: a channel the server no longer has ends the call, an answered one moves it to {@code
   * CONNECTED}. Reached through {@link #refreshStatus}; {@link #getStatus} alone never asks the
   * server.
   */
  @Override
  public CompletableFuture<Void> refreshStatus(TrackedCall call) {
    String callId = call.callId();
    AmiConnection c = connection;
    if (c == null) {
      return CompletableFuture.failedFuture(
          new AdapterConnectionException("[" + name() + "] not connected"));
    }
    return c.sendList(
            AmiAction.of("Status").add(CHANNEL, channelOf(call)).build(), requestTimeout())
        .thenAccept(
            reply -> {
              if (!reply.isSuccess()) {
                if (reply
                    .message()
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("no such channel")) {
                  core.reportCallEnded(
                      callId,
                      HangupCause.NORMAL_CLEARING.withText("channel gone (Status)"),
                      Map.of());
                } else {
                  throw new CallException(
                      "[" + name() + "] Status failed: " + reply.message() + hint(reply, "Status"));
                }
              } else if (!reply.items().isEmpty()) {
                int state = reply.items().get(0).intValue("ChannelState", -1);
                CallState next = resyncState(call.state(), state);
                if (next != call.state()) {
                  core.reportCallState(callId, next, null, Map.of());
                }
              }
            });
  }

  // ---------------------------------------------------------------- input checks

  /**
   * Refuses, besides CR/LF/NUL, the characters AMI and the dialplan give a meaning: {@code ,} (an
   * argument separator in {@code Variable} headers and application data), {@code ;} {@code &}
   * {@code |} in numbers and extensions (channel and dial string separators), quotes and angle
   * brackets in caller id parts.
   */
  @Override
  public void checkWire(WireField field, String value) {
    String forbidden =
        switch (field.kind()) {
          case CALLER_ID_NAME -> "\"<>";
          case FROM, CALLER_ID_NUMBER -> "\"<>,;&|";
          case TO, TARGET, ROOM -> "\"'<>,;&|() ";
          case VARIABLE_NAME, HEADER_NAME -> "=,;()\" ";
          case VARIABLE, HEADER -> ",()";
          case FILE_NAME -> ",|\"";
          case OTHER -> "";
        };
    InputGuard.check(field.toString(), value, forbidden);
  }

  // ---------------------------------------------------------------- events (reader thread)

  /** Receives the connection's events and its end. */
  private final class LinkListener implements AmiConnection.Listener {
    /** The generation of this listener's link: a stale link's close changes nothing. */
    private final long generation;

    LinkListener(long generation) {
      this.generation = generation;
    }

    @Override
    public void onEvent(AmiFrame event) {
      handle(event);
    }

    @Override
    public void onMalformed(String reason) {
      core.reportError(null, "skipped malformed AMI input: " + reason, null);
    }

    @Override
    public void onClosed(Throwable cause) {
      core.reportConnectionLost(generation, cause);
    }
  }

  /**
   * Maps one event to call states and events. Runs on the reader thread: only lookups, string
   * comparisons and hand-offs to the dispatcher; never a request to the server.
   */
  void handle(AmiFrame event) {
    if (event.type() != AmiFrameType.EVENT) {
      core.reportServerEvent(null, event.name(), fields(event));
      return;
    }
    if (!unnamedInbound.isEmpty()) {
      nameInbound(event);
    }
    ChannelSignal signal = mapper.map(event);
    if (signal instanceof ChannelSignal.ChannelState s) {
      onChannelState(s);
    } else if (signal instanceof ChannelSignal.Hangup h) {
      onHangup(h);
    } else if (signal instanceof ChannelSignal.Dial d) {
      onDial(d);
    } else if (signal instanceof ChannelSignal.OriginateResult o) {
      onOriginateResult(o);
    } else if (signal instanceof ChannelSignal.Bridge b) {
      onBridge(b);
    } else if (signal instanceof ChannelSignal.Dtmf d) {
      onDtmf(d);
    } else if (signal instanceof ChannelSignal.Hold h) {
      String callId = callIdOf(h.uniqueid(), "");
      PendingTransfer t = callId == null ? null : transfers.get(callId);
      if (t == null) {
        if (callId != null) {
          core.reportCallState(
              callId, h.held() ? CallState.ON_HOLD : CallState.CONNECTED, null, Map.of());
        }
      } else if (t.attended && h.held() && isPrimary(callId, h.uniqueid())) {
        // The transferer's Hold/Unhold during a transfer is Asterisk's doing, not the phone's;
        // Hold right after the feature code shows the atxfer feature took it.
        t.started.complete(null);
      }
    } else if (signal instanceof ChannelSignal.Other o) {
      onOther(o.frame());
    }
  }

  private void onChannelState(ChannelSignal.ChannelState s) {
    String callId = callIdOf(s.uniqueid(), s.linkedid());
    if (callId == null) {
      if (s.created()
          && s.uniqueid().equals(s.linkedid())
          && !s.uniqueid().isEmpty()
          && !s.channel().equals(FAILED_ORIGINATE_CHANNEL)
          && isInboundContext(s.event())) {
        String from = callerOf(s.event());
        if (from.isEmpty()) {
          // Asterisk often names the caller in a NewCallerid right after (Local channels,
          // dialplan Originate): report the call at the channel's next event.
          unnamedInbound.put(s.uniqueid(), s.event());
        } else {
          reportInbound(s.event(), s.uniqueid(), s.linkedid(), s.channelState(), from);
        }
      }
      return;
    }
    if (s.created() && !transfers.isEmpty()) {
      transferChannel(callId, s);
    }
    if (!isPrimary(callId, s.uniqueid())) {
      return;
    }
    if (s.created()) {
      core.bindServerId(callId, CHANNEL, s.channel());
    }
    switch (s.channelState()) {
      case 4, 5 -> core.reportCallState(callId, CallState.RINGING, null, Map.of());
      case 6 -> core.reportCallState(callId, CallState.CONNECTED, null, Map.of());
      default -> {
        // Down, Dialing, Busy and the rest change nothing until Hangup or OriginateResponse.
      }
    }
  }

  /** The event's caller id number; empty for Asterisk's {@code <unknown>}. */
  private static String callerOf(AmiFrame event) {
    String from = event.getOrDefault("CallerIDNum", "");
    return from.equals("<unknown>") ? "" : from;
  }

  /**
   * Reports a new call that came without a caller id once its channel tells more: an event that
   * carries the caller id (the {@code NewCallerid} Asterisk sends right after, possibly behind a
   * {@code Newexten} or {@code NewConnectedLine}), or one that moves the call on ({@code Newstate},
   * a dial, a bridge, the hangup), after which no caller id is coming.
   */
  private void nameInbound(AmiFrame event) {
    String uniqueid = event.getOrDefault(UNIQUEID, "");
    AmiFrame first = unnamedInbound.get(uniqueid);
    if (first == null) {
      return;
    }
    String from = callerOf(event);
    boolean movesOn =
        event.isEvent("Newstate")
            || event.isEvent("Hangup")
            || event.isEvent("DialBegin")
            || event.isEvent("BridgeEnter")
            || event.isEvent("DTMFBegin");
    if ((!from.isEmpty() || movesOn) && unnamedInbound.remove(uniqueid, first)) {
      reportInbound(first, uniqueid, uniqueid, first.intValue("ChannelState", -1), from);
    }
  }

  /**
   * A new channel in the chain of a call being transferred: for an attended transfer, the
   * consultation channel to the target shows that the transfer began.
   */
  private void transferChannel(String callId, ChannelSignal.ChannelState s) {
    PendingTransfer t = transfers.get(callId);
    if (t != null
        && t.attended
        && s.exten().equals(t.target)
        && s.event().getOrDefault("Context", "").equals(settings.transferContext())) {
      t.started.complete(null);
    }
  }

  private void reportInbound(
      AmiFrame event, String uniqueid, String linkedid, int state, String from) {
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put(UNIQUEID, uniqueid);
    ids.put(LINKEDID, linkedid);
    ids.put(CHANNEL, event.getOrDefault(CHANNEL, ""));
    ids.put("Context", event.getOrDefault("Context", ""));
    ids.put("Exten", event.getOrDefault("Exten", ""));
    String callId =
        core.reportIncomingCall(
            from,
            event.getOrDefault("Exten", ""),
            state == 6 ? CallState.CONNECTED : CallState.RINGING,
            ids);
    core.bindServerIds(callId, Map.of(UNIQUEID, uniqueid, LINKEDID, linkedid));
  }

  private void onHangup(ChannelSignal.Hangup h) {
    String callId = callIdOf(h.uniqueid(), h.linkedid());
    if (callId == null || !isPrimary(callId, h.uniqueid())) {
      return;
    }
    Optional<TrackedCall> call = core.findCall(callId);
    if (call.isEmpty()) {
      return;
    }
    HangupCause cause = causeOf(h);
    boolean originating =
        call.get().direction() == CallDirection.OUTBOUND && !call.get().state().isAnswered();
    if (!originating) {
      endCall(callId, cause != null ? cause : dialStatusCause(call.get()));
      return;
    }
    FailedOriginate f = failing.computeIfAbsent(callId, FailedOriginate::new);
    f.hangup(cause == null ? 0 : cause.q850(), cause);
    settle(f, call.get());
  }

  /**
   * The cause of a {@code Hangup}: Asterisk's Q.850 code and text, with the SIP status of the final
   * response when the channel names one ({@code TechCause}). An INVITE the caller cancelled is
   * {@link HangupCause#ORIGINATOR_CANCEL}, as the other adapters report it: chan_pjsip turns the
   * 487 it answers into Q.850 127 "Interworking, unspecified". (When Asterisk itself cancels an
   * outgoing INVITE, the channel keeps the cause of whoever hung it up, such as 19 at the ring
   * timeout.)
   *
   * @return the cause, or null when the event carries none (Cause 0 without a SIP status)
   */
  static HangupCause causeOf(ChannelSignal.Hangup h) {
    int sip = h.techCause();
    boolean sipStatus = sip >= 300 && sip <= 699;
    if (sip == 487 && (h.cause() <= 0 || h.cause() == 127)) {
      return HangupCause.ORIGINATOR_CANCEL.withText("call cancelled by the caller (SIP 487)");
    }
    if (h.cause() <= 0) {
      return sipStatus ? HangupCause.ofSip(sip) : null;
    }
    HangupCause q850 = HangupCause.ofQ850(h.cause(), h.causeText());
    return sipStatus ? new HangupCause(q850.q850(), sip, q850.name(), q850.text()) : q850;
  }

  private void onOriginateResult(ChannelSignal.OriginateResult o) {
    if (!o.actionId().startsWith(ORIGINATE_PREFIX)) {
      return;
    }
    // Asterisk sends every session the OriginateResponse, with the ActionID of whoever asked.
    Optional<String> own = core.callIdOfMarker(o.actionId().substring(ORIGINATE_PREFIX.length()));
    if (own.isEmpty()) {
      return;
    }
    String callId = own.get();
    Optional<TrackedCall> call = core.findCall(callId);
    if (o.success()) {
      FailedOriginate stale = failing.remove(callId);
      if (stale != null) {
        stale.cancel();
      }
      core.reportCallState(callId, CallState.CONNECTED, null, Map.of());
      call.filter(c -> c.options().record()).ifPresent(this::recordFromAnswer);
      return;
    }
    if (call.isEmpty()) {
      return;
    }
    FailedOriginate f = failing.computeIfAbsent(callId, FailedOriginate::new);
    // Without a channel (Newchannel never came) no Hangup will follow.
    f.response(o.reason(), call.get().serverId(CHANNEL).isEmpty());
    settle(f, call.get());
  }

  /**
   * Ends a failed outbound call once both of its events are in, or at once when the one in says
   * enough; otherwise waits (at most the request timeout) for the other.
   */
  private void settle(FailedOriginate f, TrackedCall call) {
    if (call.hangupRequested()) {
      f.hungUpHere();
    }
    Optional<HangupCause> cause = f.decide(call.serverId("DialStatus"));
    if (cause.isPresent()) {
      if (failing.remove(f.callId, f)) {
        f.cancel();
        endCall(f.callId, cause.get());
      }
      return;
    }
    f.armFallback(
        Schedulers.timer(),
        requestTimeout(),
        () -> {
          if (failing.remove(f.callId, f)) {
            Optional<TrackedCall> now = core.findCall(f.callId);
            if (now.map(TrackedCall::hangupRequested).orElse(false)) {
              f.hungUpHere();
            }
            endCall(f.callId, f.decideNow(now.flatMap(c -> c.serverId("DialStatus"))));
          }
        });
  }

  private static HangupCause dialStatusCause(TrackedCall call) {
    return call.serverId("DialStatus")
        .map(AsteriskDriver::causeOfDialStatus)
        .orElse(HangupCause.NORMAL_CLEARING);
  }

  /**
   * What Asterisk said about an outbound call that failed: the {@code OriginateResponse} Reason and
   * the {@code Hangup} cause of the call's channel. Both arrive, in either order (fixture 19: a
   * Local channel to a missing extension; with PJSIP a busy phone gives {@code Reason: 0} before
   * {@code Hangup} with cause 17). A specific Hangup cause wins; Reason 0 ("failed") and causes 0
   * and 16 say little, so they wait for the other event.
   *
   * <p>A call this adapter hung up before the answer ends {@link HangupCause#ORIGINATOR_CANCEL} at
   * its Hangup: Asterisk reports it as {@code DialEnd NOANSWER}, {@code Reason: 0} and the cause
   * the Hangup action gave (16), none of which says that the caller gave up.
   */
  static final class FailedOriginate {
    final String callId;
    private Integer reason;
    private boolean noChannel;
    private boolean hungUpHere;
    private int hangupCode = -1;
    private HangupCause hangupCause;
    private ScheduledFuture<?> fallback;

    FailedOriginate(String callId) {
      this.callId = callId;
    }

    synchronized void response(int reason, boolean noChannel) {
      this.reason = reason;
      this.noChannel = noChannel;
    }

    synchronized void hangup(int code, HangupCause cause) {
      this.hangupCode = code;
      this.hangupCause = cause;
    }

    /** The adapter asked Asterisk to hang the call up (before it was answered). */
    synchronized void hungUpHere() {
      this.hungUpHere = true;
    }

    /** The cause, once what has arrived is enough to tell it. */
    synchronized Optional<HangupCause> decide(Optional<String> dialStatus) {
      boolean specificHangup = hangupCode > 0 && hangupCode != 16;
      if (specificHangup
          || (hungUpHere && hangupCode >= 0)
          || (reason != null && (hangupCode >= 0 || noChannel))) {
        return Optional.of(decideNow(dialStatus));
      }
      return Optional.empty();
    }

    /** The best cause from what has arrived. */
    synchronized HangupCause decideNow(Optional<String> dialStatus) {
      if (hangupCode > 0 && hangupCode != 16) {
        return hangupCause;
      }
      if (hungUpHere) {
        return HangupCause.ORIGINATOR_CANCEL.withText("hung up before the answer");
      }
      if (reason != null && reason != 0) {
        return causeOfReason(reason, dialStatus);
      }
      if (dialStatus.isPresent()) {
        return causeOfDialStatus(dialStatus.get());
      }
      if (hangupCode == 16) {
        return hangupCause;
      }
      return reason != null ? causeOfReason(reason, dialStatus) : HangupCause.NORMAL_CLEARING;
    }

    synchronized void armFallback(ScheduledExecutorService timer, Duration after, Runnable end) {
      if (fallback == null) {
        fallback = timer.schedule(end, after.toMillis(), TimeUnit.MILLISECONDS);
      }
    }

    synchronized void cancel() {
      if (fallback != null) {
        fallback.cancel(false);
      }
    }
  }

  /** Ends a call as the server reported, then merges a {@code Cdr} that came early. */
  private void endCall(String callId, HangupCause cause) {
    transfers.remove(callId);
    bridged.remove(callId);
    CompletableFuture<Void> waiter = bridgeWaiters.remove(callId);
    if (waiter != null) {
      waiter.cancel(false);
    }
    FailedOriginate f = failing.remove(callId);
    if (f != null) {
      f.cancel();
    }
    core.reportCallEnded(callId, cause, Map.of());
    AmiFrame cdr = earlyCdrs.remove(callId);
    if (cdr != null) {
      mergeCdr(callId, cdr);
    }
  }

  private void onDial(ChannelSignal.Dial d) {
    String callId = callIdOf(d.destUniqueid(), d.linkedid());
    if (callId == null || !isPrimary(callId, d.destUniqueid())) {
      return;
    }
    switch (d.dialStatus()) {
      case "" -> {
        // DialBegin: nothing to report before the channel rings.
      }
      case "RINGING" -> core.reportCallState(callId, CallState.RINGING, null, Map.of());
      case "PROGRESS" -> core.reportCallState(callId, CallState.EARLY_MEDIA, null, Map.of());
      case "ANSWER" -> core.reportCallState(callId, CallState.CONNECTED, null, Map.of());
      case "PROCEEDING" -> {
        // Proceeding says the far end got the call; ringing follows.
      }
      default -> core.bindServerId(callId, "DialStatus", d.dialStatus());
    }
  }

  private void recordFromAnswer(TrackedCall call) {
    String file = call.callId().substring(CALL_PREFIX.length()) + ".wav";
    // Off the reader thread: a request must never be written from it.
    Schedulers.blocking()
        .execute(
            () ->
                startRecording(call, file)
                    .whenComplete(
                        (v, e) -> {
                          if (e != null) {
                            core.reportError(call.callId(), "recording did not start: " + e, e);
                          }
                        }));
  }

  private void onBridge(ChannelSignal.Bridge b) {
    String callId = callIdOf(b.uniqueid(), b.linkedid());
    if (callId == null) {
      return;
    }
    if (isPrimary(callId, b.uniqueid())) {
      if (b.entered()) {
        bridged.add(callId);
        CompletableFuture<Void> waiter = bridgeWaiters.remove(callId);
        if (waiter != null) {
          waiter.complete(null);
        }
      } else {
        bridged.remove(callId);
      }
    }
    Optional<CallState> state = core.findCall(callId).map(TrackedCall::state);
    boolean primary = isPrimary(callId, b.uniqueid());
    if (b.entered()
        && state.isPresent()
        && (!state.get().isAnswered() || (primary && state.get() == CallState.TRANSFERRING))) {
      // Answered, or after a transfer: the call's channel talks to the target now.
      core.reportCallState(callId, CallState.CONNECTED, null, Map.of());
    }
  }

  /** Completes when the call's own channel is in a bridge (at once if it is now). */
  private CompletableFuture<Void> whenBridged(String callId) {
    if (bridged.contains(callId)) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> waiter =
        bridgeWaiters.computeIfAbsent(callId, k -> new CompletableFuture<>());
    if (bridged.contains(callId) && bridgeWaiters.remove(callId, waiter)) {
      // Entered between the first look and the registration.
      waiter.complete(null);
    }
    return waiter;
  }

  private void onDtmf(ChannelSignal.Dtmf d) {
    if (!d.received()) {
      return;
    }
    String callId = callIdOf(d.uniqueid(), "");
    if (callId == null || !isPrimary(callId, d.uniqueid())) {
      return;
    }
    PendingTransfer t = transfers.get(callId);
    if (t != null && t.attended) {
      // Atxfer works by feeding the feature code and the target into the channel as DTMF.
      if (t.consume(d.digit()) && t.started.isDone()) {
        transfers.remove(callId, t);
      }
      return;
    }
    core.reportDtmf(callId, d.digit(), Map.of(UNIQUEID, d.uniqueid()));
  }

  private void onOther(AmiFrame event) {
    String uniqueid = event.getOrDefault(UNIQUEID, "");
    String callId =
        uniqueid.isEmpty() ? null : callIdOf(uniqueid, event.getOrDefault(LINKEDID, ""));
    if (event.isEvent("Shutdown")) {
      log.info("[{}] Asterisk is shutting down ({})", name(), event.getOrDefault("Shutdown", ""));
    } else if (event.isEvent("Cdr")) {
      // Cdr spells UniqueID; it has no Linkedid.
      callId = onCdr(event);
    } else if (event.isEvent("AttendedTransfer") || event.isEvent("BlindTransfer")) {
      callId = onTransferDone(event);
    }
    core.reportServerEvent(callId, event.name(), fields(event));
  }

  /**
   * Asterisk's {@code AttendedTransfer} or {@code BlindTransfer}: the outcome of a transfer. For an
   * attended transfer the adapter asked for, a failed result fails it.
   *
   * @return the call it concerns, or null
   */
  private String onTransferDone(AmiFrame event) {
    boolean attended = event.isEvent("AttendedTransfer");
    String prefix = attended ? "OrigTransferer" : "Transferer";
    String callId =
        callIdOf(
            event.getOrDefault(prefix + "Uniqueid", ""),
            event.getOrDefault(prefix + "Linkedid", ""));
    if (callId == null) {
      return null;
    }
    PendingTransfer t = transfers.get(callId);
    if (t != null && t.attended == attended) {
      String result = event.getOrDefault("Result", "");
      if (result.equals("Success")) {
        t.started.complete(null);
      } else {
        // Asterisk refuses an unbridged blind transfer either in the action's reply ("Transfer
        // invalid") or, depending on timing, in this event: both get the same explanation.
        String why =
            !attended && result.equalsIgnoreCase("Invalid")
                ? ": Transfer invalid"
                    + " (the channel is not bridged to a party that could be transferred: place"
                    + " the call with Dial(...,T), see docs/asterisk.md)"
                : "";
        t.started.completeExceptionally(
            new CallException(
                "["
                    + name()
                    + "] "
                    + event.name()
                    + " to "
                    + t.target
                    + ": Result "
                    + result
                    + why));
      }
      // A blind transfer's entry stays until the transferer's end: its Unhold may still come.
      if (attended && t.digitsDone()) {
        transfers.remove(callId, t);
      }
    }
    return callId;
  }

  /**
   * Asterisk's own call detail record ({@code Event: Cdr}, from cdr_manager): merged into the
   * call's {@link org.sipadapter.CallRecord} once the call has ended.
   *
   * @return the call it concerns, or null
   */
  private String onCdr(AmiFrame event) {
    String uniqueid = event.getOrDefault("UniqueID", "");
    String callId = callIdOf(uniqueid, "");
    // Only the record of the call's own channel: a Local channel's ;2 half has its own.
    if (callId == null
        || (ownCallId(uniqueid) != null && uniqueid.length() != MARKER_LENGTH)
        || (ownCallId(uniqueid) == null && !isPrimary(callId, uniqueid))) {
      return callId;
    }
    if (core.findCall(callId).isPresent()) {
      earlyCdrs.put(callId, event);
    } else {
      mergeCdr(callId, event);
    }
    return callId;
  }

  private void mergeCdr(String callId, AmiFrame cdr) {
    long total = cdr.intValue("Duration", -1);
    long billable = cdr.intValue("BillableSeconds", -1);
    if (total < 0 || billable < 0) {
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("CdrDisposition", cdr.getOrDefault("Disposition", ""));
    fields.put("CdrDuration", String.valueOf(total));
    fields.put("CdrBillableSeconds", String.valueOf(billable));
    String account = cdr.getOrDefault("AccountCode", "");
    if (!account.isEmpty()) {
      fields.put("CdrAccountCode", account);
    }
    core.amendCallRecord(
        callId,
        r ->
            r.withServerDurations(Duration.ofSeconds(total), Duration.ofSeconds(billable), fields));
  }

  /**
   * The event's headers, first value of each key, without anything that looks like a secret:
   * decoded by whoever first reads a field, not on the reader thread, and the frame leaves out
   * secret-looking keys ({@link AmiFrame#omitted}) when they are.
   */
  private static Map<String, String> fields(AmiFrame event) {
    return LazyFields.of(event);
  }

  // ---------------------------------------------------------------- call ids

  /**
   * Finds the call an event belongs to: first by the ids this adapter presets (no lookup), then by
   * the ids bound to incoming calls.
   *
   * @return the call id (possibly of a call no longer tracked), or null
   */
  private String callIdOf(String uniqueid, String linkedid) {
    String own = ownCallId(uniqueid);
    if (own == null) {
      own = ownCallId(linkedid);
    }
    if (own != null) {
      return own;
    }
    if (!uniqueid.isEmpty()) {
      Optional<TrackedCall> c = core.findCallByServerId(UNIQUEID, uniqueid);
      if (c.isPresent()) {
        return c.get().callId();
      }
    }
    if (!linkedid.isEmpty()) {
      Optional<TrackedCall> c = core.findCallByServerId(LINKEDID, linkedid);
      if (c.isPresent()) {
        return c.get().callId();
      }
    }
    return null;
  }

  /**
   * The call marker in a Uniqueid an adapter preset: the id itself, or the marker of a Local
   * channel's {@code ;2} half ({@code <marker>-2}).
   *
   * @return the marker, or null for any other id
   */
  static String markerOf(String id) {
    int n = id.length();
    if (n != MARKER_LENGTH && !(n == MARKER_LENGTH + 2 && id.endsWith("-2"))) {
      return null;
    }
    if (id.charAt(12) != '.'
        || id.charAt(21) != '-'
        || id.charAt(26) != '-'
        || id.charAt(31) != '-'
        || id.charAt(36) != '-') {
      return null;
    }
    return n == MARKER_LENGTH ? id : id.substring(0, MARKER_LENGTH);
  }

  /** The call id behind a Uniqueid this adapter instance preset, or null. */
  private String ownCallId(String id) {
    String marker = markerOf(id);
    return marker == null ? null : core.callIdOfMarker(marker).orElse(null);
  }

  /**
   * Whether the channel is the call's own: the originated one, or the caller of an inbound call.
   */
  private boolean isPrimary(String callId, String uniqueid) {
    if (uniqueid.length() == MARKER_LENGTH && ownCallId(uniqueid) != null) {
      return true;
    }
    return core.findCall(callId)
        .flatMap(c -> c.serverId(UNIQUEID))
        .map(uniqueid::equals)
        .orElse(false);
  }

  private boolean isInboundContext(AmiFrame event) {
    return settings.inboundContexts().isEmpty()
        || settings.inboundContexts().contains(event.getOrDefault("Context", ""));
  }

  // ---------------------------------------------------------------- helpers

  private AmiConnection link() {
    AmiConnection c = connection;
    if (c == null) {
      throw new AdapterConnectionException("[" + name() + "] not connected to the AMI");
    }
    return c;
  }

  private Duration requestTimeout() {
    return config().timeouts().request();
  }

  private static String channelOf(TrackedCall call) {
    return call.serverId(CHANNEL)
        .filter(s -> !s.isEmpty())
        .or(() -> call.serverId(UNIQUEID))
        .orElseThrow(
            () -> new CallException("call " + call.callId() + " has no Asterisk channel yet"));
  }

  private AmiAction redirect(TrackedCall call, String context, String exten) {
    return AmiAction.of("Redirect")
        .add(CHANNEL, channelOf(call))
        .add("Context", context)
        .add("Exten", exten)
        .add("Priority", "1")
        .build();
  }

  private CompletableFuture<Void> simple(AmiAction action) {
    return link().send(action, requestTimeout()).thenAccept(r -> requireSuccess(r, action.name()));
  }

  private void requireSuccess(AmiReply reply, String action) {
    if (!reply.isSuccess()) {
      throw new CallException(
          "[" + name() + "] " + action + " failed: " + reply.message() + hint(reply, action));
    }
  }

  /** What to change on the server, for the refusals a new setup runs into. */
  static String hint(AmiReply reply, String action) {
    String m = reply.message();
    if (m.equalsIgnoreCase("Permission denied")) {
      String needed =
          switch (action) {
            case "Originate" -> "originate";
            case "ConfbridgeList", "ConfbridgeListRooms" -> "reporting";
            case "MixMonitor", "StopMixMonitor" -> "system";
            case "CoreShowChannels" -> "system or reporting";
            case "Status" -> "system, call or reporting";
            default -> "call";
          };
      return " (the AMI user's write= in manager.conf needs " + needed + " for " + action + ")";
    }
    if (m.contains("No attended transfer feature code")) {
      return " (define atxfer under [featuremap] in features.conf)";
    }
    if (m.equalsIgnoreCase("Transfer invalid")) {
      return " (the channel is not bridged to a party that could be transferred: place the call"
          + " with Dial(...,T), see docs/asterisk.md)";
    }
    return "";
  }

  static HangupCause causeOfReason(int reason, Optional<String> dialStatus) {
    return switch (reason) {
      case 0 ->
          HangupCause.UNALLOCATED_NUMBER.withText(
              "no such extension or channel (Originate Reason 0)");
      case 3 -> HangupCause.NO_ANSWER.withText("not answered (Originate Reason 3)");
      case 5 -> HangupCause.USER_BUSY.withText("busy (Originate Reason 5)");
      case 8 -> HangupCause.ofQ850(34, "congestion (Originate Reason 8)");
      case 1 ->
          dialStatus
              .map(AsteriskDriver::causeOfDialStatus)
              .orElse(
                  HangupCause.CALL_REJECTED.withText("hung up before answer (Originate Reason 1)"));
      default ->
          dialStatus
              .map(AsteriskDriver::causeOfDialStatus)
              .orElse(HangupCause.NORMAL_TEMPORARY_FAILURE.withText("Originate Reason " + reason));
    };
  }

  static HangupCause causeOfDialStatus(String status) {
    return switch (status) {
      case "BUSY" -> HangupCause.USER_BUSY;
      case "NOANSWER" -> HangupCause.NO_ANSWER;
      case "CONGESTION" -> HangupCause.ofQ850(34);
      case "CHANUNAVAIL" -> HangupCause.ofQ850(44);
      case "CANCEL" -> HangupCause.ORIGINATOR_CANCEL;
      default -> HangupCause.NORMAL_TEMPORARY_FAILURE.withText("DialStatus " + status);
    };
  }

  /**
   * Names the Asterisk release: the server's own version when {@code CoreSettings} told it, else
   * the major release behind the banner's AMI version.
   *
   * @param amiVersion the banner's version, such as {@code 11.0.0}
   * @param asteriskVersion {@code CoreSettings}' {@code AsteriskVersion}, or empty
   * @return for example {@code Asterisk 22.10.1 (AMI 11.0.0)} or {@code Asterisk 22 (AMI 11.0.0)}
   */
  static String describeVersion(String amiVersion, String asteriskVersion) {
    if (!asteriskVersion.isEmpty()) {
      return "Asterisk "
          + asteriskVersion
          + (amiVersion.isEmpty() ? "" : " (AMI " + amiVersion + ")");
    }
    if (amiVersion.isEmpty()) {
      return "Asterisk (AMI version unknown)";
    }
    int dot = amiVersion.indexOf('.');
    String major = dot < 0 ? amiVersion : amiVersion.substring(0, dot);
    String release;
    switch (major) {
      case "2" -> release = "13/14";
      case "4" -> release = "15";
      case "5" -> release = "16";
      case "6" -> release = "17";
      case "7" -> release = "18";
      case "8" -> release = "19";
      case "9" -> release = "20";
      case "10" -> release = "21";
      case "11" -> release = "22";
      default -> release = "?";
    }
    return "Asterisk " + release + " (AMI " + amiVersion + ")";
  }
}
