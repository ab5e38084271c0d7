package org.sipadapter.freeswitch;

import static org.sipadapter.freeswitch.FreeSwitchAdapter.CONSULT_KEY;
import static org.sipadapter.freeswitch.FreeSwitchAdapter.MARKER_VARIABLE;
import static org.sipadapter.freeswitch.FreeSwitchAdapter.UUID_KEY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallException;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.ProtocolException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.freeswitch.esl.EslContentType;
import org.sipadapter.freeswitch.esl.EslEvent;
import org.sipadapter.freeswitch.esl.EslFormatException;
import org.sipadapter.freeswitch.esl.EslFrame;
import org.sipadapter.freeswitch.esl.EslFrameDecoder;
import org.sipadapter.freeswitch.esl.TrimmingEslDecoder;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.Answer;
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
import org.sipadapter.spi.Reject;
import org.sipadapter.spi.Resync;
import org.sipadapter.spi.SendDtmf;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.Transfer;
import org.sipadapter.spi.WireField;
import org.sipadapter.transport.EventThread;
import org.sipadapter.transport.FramedConnection;
import org.sipadapter.transport.Futures;
import org.sipadapter.transport.InOrderCorrelator;
import org.sipadapter.transport.LinkSlot;
import org.sipadapter.transport.RequestCorrelator;
import org.sipadapter.transport.Schedulers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ESL driver behind {@link FreeSwitchAdapter}.
 *
 * <p>One socket carries everything: commands are answered in order ({@code command/reply}, {@code
 * api/response}, matched by {@link InOrderCorrelator}); slow commands run as {@code bgapi} and
 * finish with a {@code BACKGROUND_JOB} event matched by its {@code Job-UUID}; channel events drive
 * the call states. Outbound calls are {@code bgapi originate} with a preset {@code
 * origination_uuid}, so every event of the call is recognised from the first one.
 *
 * <p>Threading: the connection's reader thread decodes, completes replies (in their wire order, so
 * a reply never waits behind a backlog of events) and hands every other frame to one event thread
 * per adapter, which maps events in order; listeners are called by core's dispatcher, never on
 * either thread.
 */
final class FreeSwitchDriver
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
  private static final Logger log = LoggerFactory.getLogger(FreeSwitchDriver.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSION = Pattern.compile("Version ([0-9][^ )]*)");
  private static final Pattern SESSIONS_PER_SECOND =
      Pattern.compile("session\\(s\\) per Sec out of max ([0-9]+)");
  private static final Pattern CAUSE_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
  private static final int MAX_RECORD_LEGS = 65_536;

  private static final String MARKER_HEADER = "variable_" + MARKER_VARIABLE;

  /**
   * The billing variables of {@code CHANNEL_HANGUP_COMPLETE} kept in a call's record (server ids),
   * under FreeSWITCH's own names.
   */
  private static final List<String> RECORD_VARIABLES =
      List.of(
          "duration",
          "billsec",
          "mduration",
          "billmsec",
          "start_uepoch",
          "answer_uepoch",
          "end_uepoch",
          "hangup_cause",
          "hangup_cause_q850",
          "sip_term_status",
          "sip_hangup_disposition");

  /** The event headers of {@link #RECORD_VARIABLES}, in the same order. */
  private static final List<String> RECORD_HEADERS =
      RECORD_VARIABLES.stream().map(v -> "variable_" + v).toList();

  /**
   * Every event header this driver and {@link ChannelEventMapper} read, so the reader thread hands
   * on only these lines of an event ({@link TrimmingEslDecoder}). A header read from an event must
   * be listed here, or it reads as absent.
   */
  static final List<String> READ_HEADERS =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of(
                  "Event-Name",
                  "Unique-ID",
                  "Call-Direction",
                  "variable_loopback_leg",
                  "Caller-Caller-ID-Number",
                  "Caller-Destination-Number",
                  "Other-Leg-Unique-ID",
                  "Hangup-Cause",
                  "DTMF-Digit",
                  "Job-UUID",
                  "Event-Subclass",
                  "Caller-Transfer-Source",
                  "Channel-Call-State",
                  "Original-Channel-Call-State",
                  MARKER_HEADER,
                  "variable_originating_leg_uuid",
                  "variable_mduration",
                  "variable_billmsec"),
              RECORD_HEADERS.stream())
          .distinct()
          .toList();

  /** Events read whole: CUSTOM passes every header on, BACKGROUND_JOB its body. */
  static final Set<String> WHOLE_EVENTS = Set.of("CUSTOM", "BACKGROUND_JOB");

  private static final List<String> CHANNEL_EVENTS =
      List.of(
          "CHANNEL_CREATE",
          "CHANNEL_PROGRESS",
          "CHANNEL_PROGRESS_MEDIA",
          "CHANNEL_ANSWER",
          "CHANNEL_BRIDGE",
          "CHANNEL_UNBRIDGE",
          "CHANNEL_HOLD",
          "CHANNEL_UNHOLD",
          "CHANNEL_CALLSTATE",
          "CHANNEL_UNPARK",
          "CHANNEL_EXECUTE",
          "CHANNEL_HANGUP",
          "CHANNEL_HANGUP_COMPLETE",
          "DTMF",
          "BACKGROUND_JOB",
          "HEARTBEAT");

  private final AdapterConfig config;
  private final DriverContext core;
  private final FreeSwitchSettings settings;
  private final ExecutorService eventThread;
  private final InOrderCorrelator<EslFrame> replies = new InOrderCorrelator<>("ESL command");
  private final RequestCorrelator<String, String> jobs =
      new RequestCorrelator<>("ESL background job");
  private final Map<String, HangupCause> pendingKills = new ConcurrentHashMap<>();
  private final Set<String> transferredLegs = ConcurrentHashMap.newKeySet();
  private final Set<String> loopbackLegs = ConcurrentHashMap.newKeySet();
  private final Map<LinkSlot.Link<EslFrame>, Long> linkGenerations = new ConcurrentHashMap<>();
  private volatile long openingGeneration;

  /** Replaced at a connect that derives another rate from the server's limit. */
  private volatile OriginatePacer originatePacer;

  /**
   * The channel of each call of this adapter, until its {@code CHANNEL_HANGUP_COMPLETE} brings
   * FreeSWITCH's record of the call (which comes after the call's end, reported at {@code
   * CHANNEL_HANGUP}). Bounded: an entry whose event never comes (a lost link) ages out.
   */
  private final Map<String, String> recordLegs = boundedMap();

  /**
   * Consultation channels given up before FreeSWITCH created them (the call ended, or the
   * originate's job timed out): killed when their {@code CHANNEL_CREATE} comes. Bounded like {@link
   * #recordLegs}.
   */
  private final Set<String> abandonedConsults = java.util.Collections.newSetFromMap(boundedMap());

  /** Attended transfers under way, by the channel of the call being transferred. */
  private final Map<String, Consultation> consultations = new ConcurrentHashMap<>();

  private final LinkSlot<EslFrame> links;

  /**
   * The current link's {@code auth/request} greeting, replaced just before each link opens (the
   * core calls {@link #connect} only once {@link #disconnect} emptied the slot).
   */
  private volatile CompletableFuture<EslFrame> greeting = new CompletableFuture<>();

  private volatile long lastEventNanos = System.nanoTime();

  /**
   * Creates the driver; {@link #connect} opens the socket.
   *
   * @param config the configuration, checked by the provider
   * @param core what core offers the driver
   */
  FreeSwitchDriver(AdapterConfig config, DriverContext core) {
    this.config = config;
    this.core = core;
    this.settings = FreeSwitchSettings.from(config);
    this.originatePacer =
        new OriginatePacer(
            settings.derivedOriginateRate(FreeSwitchSettings.STOCK_SESSIONS_PER_SECOND),
            System::nanoTime);
    String threadName = "sipadapter-esl-" + config.name() + "-events";
    this.eventThread = new EventThread(threadName);
    this.links =
        new LinkSlot<>(
            eventThread,
            new LinkSlot.Handler<>() {
              @Override
              public void onFrame(LinkSlot.Link<EslFrame> l, EslFrame frame) {
                handleFrame(frame);
              }

              @Override
              public boolean onFrameAhead(LinkSlot.Link<EslFrame> l, EslFrame frame) {
                // Replies complete on the reader thread: behind a flood of events queued for the
                // event thread, a keepalive or hangup reply would time out (and drop a live link)
                // while it waited. Nothing chained on a reply runs here (it goes to the worker
                // pool), and requests match replies by their order, which the reader keeps.
                EslContentType type = frame.contentType();
                if (type != EslContentType.COMMAND_REPLY && type != EslContentType.API_RESPONSE) {
                  return false;
                }
                if (!replies.completeNext(frame)) {
                  log.debug("[{}] reply with no request waiting: {}", name(), frame.replyText());
                }
                return true;
              }

              @Override
              public void onMalformed(String reason) {
                // The connection has logged it; listeners hear of it as an AdapterError.
                core.reportError(null, "malformed ESL frame skipped: " + reason, null);
              }

              @Override
              public void onClosed(LinkSlot.Link<EslFrame> l, Throwable cause) {
                Long generation = linkGenerations.remove(l);
                linkClosed(generation != null ? generation : openingGeneration, cause);
              }
            });
  }

  private static <V> Map<String, V> boundedMap() {
    return java.util.Collections.synchronizedMap(
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            return size() > MAX_RECORD_LEGS;
          }
        });
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("1.10");
  }

  /**
   * Returns the originates per second the adapter lets out: {@code options.originateRate}, or the
   * rate derived from the server's sessions-per-second limit at the last connect.
   *
   * @return originates per second
   */
  int originateRate() {
    return originatePacer.perSecond();
  }

  /** Returns the FreeSWITCH options in effect. */
  FreeSwitchSettings settings() {
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
    CompletableFuture<EslFrame> hello = new CompletableFuture<>();
    greeting = hello;
    long generation = core.linkGeneration();
    openingGeneration = generation; // for a close reported before the link is filed below
    LinkSlot.Link<EslFrame> l =
        links.open(
            new FramedConnection.Endpoint(
                "esl-" + name(),
                target.host(),
                target.port(),
                target.tlsContext(),
                target.connectTimeout()),
            new TrimmingEslDecoder(
                EslFrameDecoder.DEFAULT_MAX_HEADER_BYTES,
                settings.maxFrameBytes(),
                READ_HEADERS,
                WHOLE_EVENTS));
    linkGenerations.put(l, generation);
    Duration timeout = target.requestTimeout();
    try {
      Futures.await(hello, timeout, "FreeSWITCH auth/request greeting");
      String user = target.credentials().username();
      String password = target.credentials().secret().reveal();
      // The password never reaches a log: the description names the command only.
      String login = user.contains("@") ? "userauth " + user + ":" + password : "auth " + password;
      EslFrame reply =
          Futures.await(
              command(login, user.contains("@") ? "userauth" : "auth"), timeout, "FreeSWITCH auth");
      if (!reply.isOk()) {
        throw new AuthenticationException(
            "FreeSWITCH refused the event socket login ("
                + reply.replyText()
                + "); check auth.password against the password in event_socket.conf.xml");
      }
      StringBuilder subscribe =
          new StringBuilder("event ").append(settings.eventFormat()).append(' ');
      subscribe.append(String.join(" ", CHANNEL_EVENTS));
      if (!settings.customEvents().isEmpty()) {
        subscribe.append(" CUSTOM ").append(String.join(" ", settings.customEvents()));
      }
      EslFrame subscribed =
          Futures.await(
              command(subscribe.toString(), "FreeSWITCH event"), timeout, "FreeSWITCH event");
      if (!subscribed.isOk()) {
        // A userauth user whose esl-allowed-events lacks one of the events is refused the whole
        // command. Subscribing to less would leave calls without their states: connect fails.
        throw new ProtocolException(
            "FreeSWITCH refused the event subscription ("
                + subscribed.replyText()
                + "); the user's esl-allowed-events must allow "
                + String.join(" ", CHANNEL_EVENTS)
                + (settings.customEvents().isEmpty() ? "" : " CUSTOM")
                + " (or all)");
      }
      String status = Futures.await(api("status"), timeout, "FreeSWITCH api status");
      Matcher m = VERSION.matcher(status);
      if (m.find()) {
        core.reportServerVersion(m.group(1));
      }
      paceFor(status);
      lastEventNanos = System.nanoTime();
      log.info("[{}] logged in to FreeSWITCH at {}:{}", name(), target.host(), target.port());
    } catch (Exception e) {
      dropLink(l, hello, e);
      throw e;
    }
  }

  /** Sets the originate rate for the server's sessions-per-second limit shown by {@code status}. */
  private void paceFor(String status) {
    Matcher limit = SESSIONS_PER_SECOND.matcher(status);
    int sessionsPerSecond =
        limit.find()
            ? Integer.parseInt(limit.group(1))
            : FreeSwitchSettings.STOCK_SESSIONS_PER_SECOND;
    int rate = settings.derivedOriginateRate(sessionsPerSecond);
    if (rate != originatePacer.perSecond()) {
      // Only a changed limit starts a new window; the same rate keeps what was booked.
      originatePacer = new OriginatePacer(rate, System::nanoTime);
      log.info(
          "[{}] originates paced at {}/s (FreeSWITCH allows {} sessions/s, {} per call)",
          name(),
          rate,
          sessionsPerSecond,
          settings.sessionsPerCall());
    }
  }

  @Override
  public void disconnect() {
    dropLink(
        links.current().orElse(null),
        greeting,
        new AdapterConnectionException("[" + name() + "] disconnected"));
  }

  private void dropLink(
      LinkSlot.Link<EslFrame> l, CompletableFuture<EslFrame> hello, Throwable why) {
    if (l != null) {
      linkGenerations.remove(l);
      l.close();
      hello.completeExceptionally(asConnectionError(why));
    }
    replies.failAll(asConnectionError(why));
    jobs.failAll(asConnectionError(why));
  }

  private static AdapterConnectionException asConnectionError(Throwable why) {
    return why instanceof AdapterConnectionException ace
        ? ace
        : new AdapterConnectionException("event socket closed: " + why.getMessage(), why);
  }

  @Override
  public void close() {
    eventThread.shutdown();
  }

  /** Runs on the event thread, once the current link was released. */
  private void linkClosed(long generation, Throwable cause) {
    AdapterConnectionException error =
        new AdapterConnectionException(
            "event socket closed by the server" + (cause == null ? "" : ": " + cause.getMessage()),
            cause);
    greeting.completeExceptionally(error);
    replies.failAll(error);
    jobs.failAll(error);
    core.reportConnectionLost(generation, error); // a stale link's close changes nothing
  }

  @Override
  public void keepalive() throws Exception {
    Duration every = config().timeouts().keepalive();
    if (System.nanoTime() - lastEventNanos < every.toNanos()) {
      return; // a HEARTBEAT or any event proves the link is alive
    }
    Futures.await(api("status"), requestTimeout(), "FreeSWITCH api status");
  }

  @Override
  public Map<String, Object> healthDetails() {
    // The probe: a server that does not answer (or answers an error) fails the health check.
    String status = Futures.await(api("status"), requestTimeout(), "FreeSWITCH api status");
    if (!status.contains("is ready")) {
      throw new ProtocolException("FreeSWITCH is not ready: " + status.strip());
    }
    Map<String, Object> details = new LinkedHashMap<>();
    Matcher sessions = SESSIONS_PER_SECOND.matcher(status);
    if (sessions.find()) {
      details.put("sessionsPerSecondMax", Integer.parseInt(sessions.group(1)));
    }
    details.put("originateRate", originatePacer.perSecond());
    details.put(
        "lastEventAgoMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastEventNanos));
    details.put("pendingCommands", replies.size());
    details.put("pendingJobs", jobs.size());
    return details;
  }

  @Override
  public List<CallSnapshot> resync() throws Exception {
    String json =
        Futures.await(api("show channels as json"), requestTimeout(), "FreeSWITCH show channels");
    Map<String, String> callStates = new HashMap<>();
    JsonNode root = JSON.readTree(json);
    for (JsonNode row : root.path("rows")) {
      callStates.put(row.path("uuid").asText(), row.path("callstate").asText());
    }
    // show channels (the core db) lags the channels by 30-120 ms both ways: a call set up just
    // before the link came back can be missing from it, one just ended still listed. uuid_exists
    // does not lag, so it decides whether a call lives; the table gives only its call state.
    List<CallSnapshot> snapshots = new ArrayList<>();
    for (TrackedCall call : core.trackedCalls()) {
      Optional<String> uuid = call.serverId(UUID_KEY);
      if (uuid.isEmpty()) {
        continue;
      }
      String exists =
          Futures.await(
              api("uuid_exists " + uuid.get()), requestTimeout(), "FreeSWITCH uuid_exists");
      if (exists.strip().equals("true")) {
        String listed = callStates.get(uuid.get());
        snapshots.add(
            new CallSnapshot(
                call.callId(),
                listed == null ? call.state() : stateOf(listed),
                Map.of(UUID_KEY, uuid.get())));
      }
    }
    // A call given up here whose originate the server carried out late, while no link of this
    // adapter was subscribed to see its events. Core hangs up orphans only once connected, so the
    // channel is killed here; binding it counts and logs the orphan.
    for (TrackedCall gone : core.givenUpCalls()) {
      Optional<String> uuid = gone.serverId(UUID_KEY);
      if (uuid.isPresent()
          && Futures.await(
                  api("uuid_exists " + uuid.get()), requestTimeout(), "FreeSWITCH uuid_exists")
              .strip()
              .equals("true")) {
        Futures.await(
            api("uuid_kill " + uuid.get() + " NORMAL_CLEARING"),
            requestTimeout(),
            "FreeSWITCH uuid_kill");
        core.bindServerId(gone.callId(), UUID_KEY, uuid.get());
      }
    }
    return snapshots;
  }

  private static CallState stateOf(String callstate) {
    return switch (callstate) {
      case "ACTIVE", "UNHELD" -> CallState.CONNECTED;
      case "HELD" -> CallState.ON_HOLD;
      case "EARLY" -> CallState.EARLY_MEDIA;
      case "DOWN", "DIALING" -> CallState.DIALING;
      default -> CallState.RINGING;
    };
  }

  @Override
  public void checkWire(WireField field, String value) {
    WireField.Kind kind = field.kind();
    boolean quoted =
        kind == WireField.Kind.CALLER_ID_NAME
            || kind == WireField.Kind.VARIABLE
            || kind == WireField.Kind.HEADER;
    EslCommands.check(field.toString(), value, quoted);
  }

  // ---------------------------------------------------------------- frames and events

  /** Runs on the event thread, in wire order. */
  private void handleFrame(EslFrame frame) {
    try {
      switch (frame.contentType()) {
        case AUTH_REQUEST -> greeting.complete(frame);
        case RUDE_REJECTION ->
            greeting.completeExceptionally(
                new AdapterConnectionException(
                    "FreeSWITCH refused this client's address (text/rude-rejection); allow it with"
                        + " apply-inbound-acl in event_socket.conf.xml"));
        case COMMAND_REPLY, API_RESPONSE -> {
          if (!replies.completeNext(frame)) {
            log.debug("[{}] reply with no request waiting: {}", name(), frame.replyText());
          }
        }
        case EVENT_PLAIN, EVENT_JSON -> {
          lastEventNanos = System.nanoTime();
          onEvent(frame.event());
        }
        case DISCONNECT_NOTICE ->
            log.info(
                "[{}] FreeSWITCH announced a disconnect: {}", name(), frame.bodyText().strip());
        default -> log.debug("[{}] ignored ESL frame {}", name(), frame.contentType());
      }
    } catch (EslFormatException e) {
      log.warn("[{}] unreadable ESL event skipped: {}", name(), e.getMessage());
      core.reportError(null, "unreadable FreeSWITCH event skipped: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      log.warn("[{}] handling an ESL frame failed", name(), e);
      core.reportError(null, "handling a FreeSWITCH frame failed: " + e.getMessage(), e);
    }
  }

  private void onEvent(EslEvent event) {
    ChannelEvent ce = ChannelEventMapper.map(event);
    String uuid = ce.uniqueId();
    String callId =
        uuid == null
            ? null
            : core.findCallByServerId(UUID_KEY, uuid).map(TrackedCall::callId).orElse(null);
    Map<String, String> ids = uuid == null ? Map.of() : Map.of(UUID_KEY, uuid);
    String recorded =
        ce.kind() == ChannelEvent.Kind.HANGUP_COMPLETE && uuid != null
            ? recordLegs.remove(uuid)
            : null;
    if (recorded != null) {
      // The channel's last event: the call ends (if CHANNEL_HANGUP did not end it), then its record
      // takes FreeSWITCH's figures.
      if (callId != null) {
        legEnded(callId, uuid, ce.hangupCause(), ids);
      }
      mergeServerRecord(recorded, event);
      return;
    }
    if (callId == null && uuid != null && ce.kind() != ChannelEvent.Kind.JOB_DONE) {
      String marker = event.headerOrNull(MARKER_HEADER);
      Optional<String> own = core.callIdOfMarker(marker);
      if (ce.kind() == ChannelEvent.Kind.CREATED && abandonedConsults.remove(uuid)) {
        killQuietly(uuid); // the consultation call of a transfer given up, created late
        return;
      }
      if (own.isPresent() && core.findCall(own.get()).isEmpty()) {
        // A channel of a call that ended here (its originate timed out, its link was lost): the
        // server carried it out late. Binding it lets core hang it up; nothing else is reported.
        core.bindServerId(own.get(), UUID_KEY, uuid);
        return;
      }
      if (own.isPresent()) {
        return; // another channel of a live call of ours (e.g. a leg it bridged to)
      }
    }
    switch (ce.kind()) {
      case JOB_DONE -> {
        if (ce.jobUuid() != null) {
          jobs.complete(ce.jobUuid(), ce.jobResult() == null ? "" : ce.jobResult());
        }
      }
      case CREATED -> {
        if (callId != null) {
          HangupCause kill = pendingKills.remove(uuid);
          if (kill != null) {
            api("uuid_kill " + uuid + " " + causeName(kill));
          }
        } else if (uuid != null && placedElsewhere(ce, event)) {
          String id =
              core.reportIncomingCall(
                  nullToEmpty(ce.from()), nullToEmpty(ce.to()), CallState.RINGING, ids);
          core.bindServerId(id, UUID_KEY, uuid);
          recordLegs.put(uuid, id);
        }
      }
      case RINGING -> state(callId, CallState.RINGING, ids);
      case EARLY_MEDIA -> state(callId, CallState.EARLY_MEDIA, ids);
      case ANSWERED, UNHELD -> state(callId, CallState.CONNECTED, ids);
      case HELD -> state(callId, CallState.ON_HOLD, ids);
      case TRANSFERRED -> {
        // After uuid_transfer the leg leaves park for the target's dialplan and the call goes on
        // there: TRANSFERRING (set by core on the +OK) becomes CONNECTED again.
        Consultation under = uuid == null ? null : consultations.get(uuid);
        if (callId != null && (under == null || under.bridged)) {
          boolean transferring =
              core.findCallByServerId(UUID_KEY, uuid)
                  .map(c -> c.state() == CallState.TRANSFERRING)
                  .orElse(false);
          if (transferring) {
            transferredLegs.remove(uuid);
            core.reportCallState(callId, CallState.CONNECTED, null, ids);
          } else {
            transferredLegs.add(uuid);
          }
        }
      }
      case BRIDGED, UNBRIDGED -> {
        if (callId != null) {
          Map<String, String> fields = new LinkedHashMap<>(ids);
          if (ce.otherLegId() != null) {
            fields.put("Other-Leg-Unique-ID", ce.otherLegId());
          }
          core.reportServerEvent(callId, ce.eventName(), fields);
        }
      }
      case HANGUP, HANGUP_COMPLETE -> {
        if (callId != null) {
          legEnded(callId, uuid, ce.hangupCause(), ids);
        }
      }
      case DTMF -> {
        if (callId != null && ce.digit() != null) {
          core.reportDtmf(callId, ce.digit(), ids);
        }
      }
      case CUSTOM -> core.reportServerEvent(callId, ce.eventName(), ce.fields());
      case HEARTBEAT, OTHER -> {
        // liveness only, or no effect on calls
      }
    }
  }

  /**
   * Whether a new channel that is not ours starts a call another party placed: a call arriving from
   * outside, or the first leg of another ESL client's originate (a foreign marker, or none). The
   * second half of a loopback pair and the legs a channel's dialplan dials out are parts of a call
   * already seen.
   */
  private boolean placedElsewhere(ChannelEvent ce, EslEvent event) {
    if ("B".equals(event.headerOrNull("variable_loopback_leg"))) {
      return false;
    }
    if (ce.inbound()) {
      return true;
    }
    String marker = event.headerOrNull(MARKER_HEADER);
    if (core.isForeignMarker(marker)) {
      return true;
    }
    return "outbound".equals(event.headerOrNull("Call-Direction"))
        && event.headerOrNull("variable_originating_leg_uuid") == null
        && event.headerOrNull("Other-Leg-Unique-ID") == null;
  }

  /** The call's own channel hung up: the call ends, and what it had going on the server too. */
  private void legEnded(String callId, String uuid, String cause, Map<String, String> ids) {
    pendingKills.remove(uuid);
    transferredLegs.remove(uuid);
    loopbackLegs.remove(uuid);
    core.reportCallEnded(callId, causeOf(cause), ids);
    Consultation consult = consultations.remove(uuid);
    if (consult != null) {
      consult.abandon();
    }
  }

  /**
   * FreeSWITCH's own record of a call, the billing variables of its channel's {@code
   * CHANNEL_HANGUP_COMPLETE}: the durations (milliseconds, {@code mduration} and {@code billmsec};
   * the whole-second {@code duration} and {@code billsec} are differences of truncated epoch
   * seconds and can be a second off), the SIP status where the leg has one ({@code sip_term_status}
   * is only on the leg that received the final response or the BYE), and the variables of {@link
   * #RECORD_VARIABLES} as server ids.
   */
  private void mergeServerRecord(String callId, EslEvent event) {
    long total = millis(event, "variable_mduration", "variable_duration");
    long billable = millis(event, "variable_billmsec", "variable_billsec");
    if (total < 0 || billable < 0) {
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i < RECORD_VARIABLES.size(); i++) {
      String value = event.headerOrNull(RECORD_HEADERS.get(i));
      if (value != null && !value.isEmpty()) {
        fields.put(RECORD_VARIABLES.get(i), value);
      }
    }
    int sipStatus = parseIntOr(fields.get("sip_term_status"), 0);
    core.amendCallRecord(
        callId,
        r ->
            withSipStatus(
                r.withServerDurations(
                    Duration.ofMillis(total), Duration.ofMillis(Math.min(billable, total)), fields),
                sipStatus));
  }

  private static long millis(EslEvent event, String msHeader, String secondsHeader) {
    long ms = parseIntOr(event.headerOrNull(msHeader), -1);
    if (ms >= 0) {
      return ms;
    }
    long s = parseIntOr(event.headerOrNull(secondsHeader), -1);
    return s < 0 ? -1 : s * 1000;
  }

  private static int parseIntOr(String s, int fallback) {
    if (s == null || s.isEmpty() || s.length() > 9) {
      return fallback;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return fallback;
      }
    }
    return Integer.parseInt(s);
  }

  /** The record with the SIP status FreeSWITCH saw on the call's leg (none: unchanged). */
  private static org.sipadapter.CallRecord withSipStatus(org.sipadapter.CallRecord r, int sip) {
    if (sip < 100 || sip > 699 || sip == r.cause().sipStatus()) {
      return r;
    }
    HangupCause c = r.cause();
    return new org.sipadapter.CallRecord(
        r.callId(),
        r.adapterName(),
        r.adapterType(),
        r.direction(),
        r.from(),
        r.to(),
        r.createdAt(),
        r.answeredAt(),
        r.endedAt(),
        r.finalState(),
        new HangupCause(c.q850(), sip, c.name(), c.text()),
        r.disposition(),
        r.serverIds(),
        r.timeSource());
  }

  private void state(String callId, CallState state, Map<String, String> ids) {
    if (callId != null) {
      core.reportCallState(callId, state, null, ids);
    }
  }

  static HangupCause causeOf(String name) {
    if (name == null || name.isBlank()) {
      return HangupCause.NORMAL_CLEARING;
    }
    return HangupCause.fromName(name);
  }

  private static String causeName(HangupCause cause) {
    String n = cause == null ? "" : cause.name();
    return CAUSE_NAME.matcher(n).matches() ? n : "NORMAL_CLEARING";
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  // ---------------------------------------------------------------- requests

  private Duration requestTimeout() {
    return core.connectTarget()
        .map(ConnectTarget::requestTimeout)
        .orElse(config().timeouts().request());
  }

  /** Sends a command and completes with its {@code command/reply} or {@code api/response}. */
  private CompletableFuture<EslFrame> command(String line, String description) {
    return command(line, description, null);
  }

  private CompletableFuture<EslFrame> command(String line, String description, String jobUuid) {
    LinkSlot.Link<EslFrame> l = links.current().orElse(null);
    FramedConnection<EslFrame> c = l == null ? null : l.connection().orElse(null);
    if (c == null) {
      return CompletableFuture.failedFuture(
          new AdapterConnectionException("[" + name() + "] not connected to FreeSWITCH"));
    }
    if (log.isDebugEnabled()) {
      log.debug("[{}] >> {}", name(), description);
    }
    long start = System.nanoTime();
    // Replies arrive on the event thread. Code chained on them (the caller's, through the base
    // class's futures) may block on another request whose reply only the event thread delivers,
    // so a reply is handed to the worker pool. Failures are passed on at once: they come from the
    // timer or a closed link, never wait on this link, and a timeout must reach the caller before
    // the reconnect it triggers fails everything in flight.
    CompletableFuture<EslFrame> out = new CompletableFuture<>();
    replies
        .sendInOrder(description, requestTimeout(), () -> c.send(EslCommands.frame(line, jobUuid)))
        .whenComplete(
            (r, e) -> {
              core.recordRequestLatency(System.nanoTime() - start);
              if (e == null) {
                Schedulers.blocking().execute(() -> out.complete(r));
                return;
              }
              out.completeExceptionally(e);
              Throwable cause =
                  e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
              if (cause instanceof AdapterTimeoutException) {
                // Replies come in order: once one is missing, later replies would be matched to
                // the wrong requests. Only a new link puts the stream back in step.
                eventThread.execute(
                    () -> {
                      if (l.release()) {
                        log.warn(
                            "[{}] {} timed out; reconnecting to resynchronise",
                            name(),
                            description);
                        c.close();
                        Long generation = linkGenerations.remove(l);
                        linkClosed(generation != null ? generation : openingGeneration, cause);
                      }
                    });
              }
            });
    return out;
  }

  /** Runs {@code api <args>} and completes with the response body. */
  private CompletableFuture<String> api(String args) {
    String verb = args.indexOf(' ') < 0 ? args : args.substring(0, args.indexOf(' '));
    return command("api " + args, "api " + verb)
        .thenApply(
            frame -> {
              if (frame.contentType() != EslContentType.API_RESPONSE) {
                throw new ProtocolException(
                    "api "
                        + verb
                        + " answered with "
                        + frame.contentType()
                        + ": "
                        + frame.replyText());
              }
              return frame.bodyText();
            });
  }

  /** Runs an api command whose body is {@code +OK ...} on success; {@code -ERR} fails it. */
  private CompletableFuture<Void> apiOk(String args) {
    return api(args)
        .thenApply(
            body -> {
              String text = body.strip();
              if (text.startsWith("-ERR") || text.startsWith("-USAGE")) {
                throw new CallException("FreeSWITCH: " + text);
              }
              return null;
            });
  }

  private String uuidOf(TrackedCall call) {
    return call.serverId(UUID_KEY)
        .orElseThrow(
            () -> new CallException("call " + call.callId() + " has no FreeSWITCH channel yet"));
  }

  // ---------------------------------------------------------------- calls

  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    String uuid = UUID.randomUUID().toString();
    core.bindServerId(call.callId(), UUID_KEY, uuid);
    recordLegs.put(uuid, call.callId());
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("origination_uuid", uuid);
    vars.put(MARKER_VARIABLE, core.callMarker(call));
    vars.put("origination_caller_id_number", call.options().callerIdNumber().orElse(call.from()));
    call.options().callerIdName().ifPresent(n -> vars.put("origination_caller_id_name", n));
    Duration ring = call.options().timeout().orElse(config().timeouts().ring());
    // Core's ring timer ends the call on time. originate_timeout is only a backstop: FreeSWITCH
    // counts it in whole clock seconds and fires up to a second early, so it is rounded up and
    // given two seconds more: it fires at least a second after core's timer, never racing it.
    vars.put("originate_timeout", Long.toString(backstopSeconds(ring)));
    if (!call.options().earlyMedia()) {
      vars.put("ignore_early_media", "true");
    }
    call.options().headers().forEach((k, v) -> vars.put("sip_h_" + k, v));
    vars.putAll(call.options().variables());
    String dial = settings.dialString(call.to(), call.from());
    if (dial.startsWith("loopback/")) {
      loopbackLegs.add(uuid);
    }
    String destination =
        settings.application().startsWith("&")
            ? settings.application()
            : settings.application() + " " + settings.dialplan() + " " + settings.context();
    String args = EslCommands.originate(vars, dial, destination);
    String job = UUID.randomUUID().toString();
    CompletableFuture<String> result =
        jobs.register(
            job, "originate " + call.callId(), ring.plus(requestTimeout()).plusSeconds(5));
    result.whenComplete(
        (body, error) -> {
          if (body == null || !body.startsWith("+OK")) {
            loopbackLegs.remove(uuid); // no channel, so no hangup event will clear it
          }
          if (body != null && !body.startsWith("+OK")) {
            String cause = firstWordAfterErr(body);
            core.reportCallEnded(
                call.callId(), causeOf(cause).withText(originateFailureText(body)), Map.of());
          }
        });
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    Runnable send =
        () ->
            command("bgapi " + args, "bgapi originate", job)
                .whenComplete(
                    (reply, error) -> {
                      if (error != null) {
                        jobs.fail(job, error);
                        accepted.completeExceptionally(error);
                      } else if (!reply.isOk()) {
                        CallException e = new CallException("FreeSWITCH: " + reply.replyText());
                        jobs.fail(job, e);
                        accepted.completeExceptionally(e);
                      } else {
                        accepted.complete(null);
                      }
                    });
    long delay = originatePacer.reserveWithin(ring.toNanos());
    if (delay < 0) {
      // A call that could not be sent before its ring timeout ends would only be given up by
      // core's ring timer and then created on the server as an orphan: refused now instead.
      jobs.fail(
          job,
          new AdapterTimeoutException("originate of " + call.callId() + " refused by the pacer"));
      return CompletableFuture.failedFuture(
          new AdapterTimeoutException(
              "["
                  + name()
                  + "] the originate rate ("
                  + originatePacer.perSecond()
                  + "/s) is booked further ahead than the call's ring timeout ("
                  + ring.toMillis()
                  + " ms): call refused; place calls more slowly or raise"
                  + " options.originateRate (and FreeSWITCH's sessions-per-second)"));
    }
    if (delay == 0) {
      send.run();
      return accepted;
    }
    // Over the originate rate: the call waits in the adapter's queue, which counts as accepted
    // (a burst must not fail on the request timeout); a later refusal ends the call instead.
    accepted.whenComplete(
        (v, error) -> {
          if (error != null) {
            core.reportCallEnded(
                call.callId(),
                HangupCause.NORMAL_TEMPORARY_FAILURE.withText(String.valueOf(error.getMessage())),
                Map.of());
          }
        });
    // The shared timer only hands the send on: a socket write has no place on the timer thread.
    Schedulers.timer()
        .schedule(() -> Schedulers.blocking().execute(send), delay, TimeUnit.NANOSECONDS);
    return CompletableFuture.completedFuture(null);
  }

  /** The server's ring timeout for a ring time: whole seconds, rounded up, plus two. */
  static long backstopSeconds(Duration ring) {
    long millis = Math.max(1, ring.toMillis());
    return (millis + 999) / 1000 + 2;
  }

  /** The text of a failed originate, with a hint where FreeSWITCH's answer is cryptic. */
  static String originateFailureText(String body) {
    String text = "FreeSWITCH: " + body.strip();
    if (body.contains("DESTINATION_OUT_OF_ORDER")) {
      // What FreeSWITCH answers when an originate exceeds its sessions-per-second limit
      // ("Throttle Error!" in its log), as well as for a dead destination.
      text +=
          " (also FreeSWITCH's answer when originates exceed its sessions-per-second limit:"
              + " lower options.originateRate, or raise max-sessions-per-second in switch.conf.xml)";
    }
    return text;
  }

  private static String firstWordAfterErr(String body) {
    String t = body.strip();
    if (t.startsWith("-ERR ")) {
      t = t.substring(5).strip();
    }
    int sp = t.indexOf(' ');
    return sp < 0 ? t : t.substring(0, sp);
  }

  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    String uuid = uuidOf(call);
    return api("uuid_kill " + uuid + " " + causeName(cause))
        .thenApply(
            body -> {
              if (body.startsWith("-ERR")) {
                if (call.state() == CallState.DIALING) {
                  // The originate has not created the channel yet: kill it when it appears.
                  pendingKills.put(uuid, cause);
                  return null;
                }
                if (body.contains("No such channel")) {
                  // The channel ended on its own meanwhile; its hangup event may still be queued.
                  core.reportCallEnded(call.callId(), cause, Map.of(UUID_KEY, uuid));
                  return null;
                }
                throw new CallException("FreeSWITCH: " + body.strip());
              }
              return null;
            });
  }

  @Override
  public CompletableFuture<Void> answer(TrackedCall call) {
    return apiOk("uuid_answer " + uuidOf(call));
  }

  @Override
  public CompletableFuture<Void> reject(TrackedCall call, HangupCause cause) {
    return apiOk(
        "uuid_kill "
            + uuidOf(call)
            + " "
            + causeName(cause == null ? HangupCause.CALL_REJECTED : cause));
  }

  @Override
  public CompletableFuture<Void> transfer(TrackedCall call, String target) {
    String uuid = uuidOf(call);
    CompletableFuture<Void> accepted =
        apiOk(
            "uuid_transfer "
                + uuid
                + " "
                + target
                + " "
                + settings.dialplan()
                + " "
                + settings.context());
    // The leg's CHANNEL_UNPARK can be handled before core has moved the call to TRANSFERRING on
    // the +OK: the event marks the uuid, and this check after the reply reports it then.
    accepted.whenCompleteAsync(
        (v, e) -> {
          if (e == null && transferredLegs.remove(uuid)) {
            transferShown(call.callId(), uuid);
          }
        },
        eventThread);
    return accepted;
  }

  /** Once the server shows the transferred leg in the target's dialplan, the call goes on. */
  private void transferShown(String callId, String uuid) {
    core.findCallByServerId(UUID_KEY, uuid)
        .filter(c -> c.state() == CallState.TRANSFERRING)
        .ifPresent(
            c -> core.reportCallState(callId, CallState.CONNECTED, null, Map.of(UUID_KEY, uuid)));
  }

  /**
   * Attended transfer: a consultation call to {@code target} (an originate like {@code makeCall}'s,
   * through the same endpoint, parked when answered), then {@code uuid_bridge <call's channel>
   * <consultation channel>} once it answered, so that whoever is on the call talks to the target.
   * The future completes when FreeSWITCH took the consultation originate; the call is TRANSFERRING
   * until the bridge is up (CONNECTED again, the consultation channel under {@link
   * FreeSwitchAdapter#CONSULT_KEY}), or until the consultation fails (CONNECTED again, with an
   * {@code AdapterError} naming FreeSWITCH's cause). FreeSWITCH hangs up the survivor when either
   * bridged channel hangs up, so the call ends with the target; a call that ends first takes its
   * consultation call with it.
   */
  @Override
  public CompletableFuture<Void> attendedTransfer(TrackedCall call, String target) {
    String leg = uuidOf(call);
    Consultation consult = new Consultation(call.callId(), leg, UUID.randomUUID().toString());
    if (consultations.putIfAbsent(leg, consult) != null) {
      return CompletableFuture.failedFuture(
          new CallException(
              "call " + call.callId() + " already has an attended transfer under way"));
    }
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("origination_uuid", consult.channel);
    vars.put(MARKER_VARIABLE, core.callMarker(call)); // its events are the call's, not a new call
    vars.put("origination_caller_id_number", call.options().callerIdNumber().orElse(call.from()));
    Duration ring = config().timeouts().ring();
    vars.put("originate_timeout", Long.toString(backstopSeconds(ring)));
    vars.put("ignore_early_media", "true");
    String args = EslCommands.originate(vars, settings.dialString(target, call.from()), "&park()");
    String job = UUID.randomUUID().toString();
    jobs.register(
            job, "attended transfer " + call.callId(), ring.plus(requestTimeout()).plusSeconds(5))
        .whenComplete(consult::answered);
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    Runnable send =
        () ->
            command("bgapi " + args, "bgapi originate", job)
                .whenComplete(
                    (reply, error) -> {
                      Throwable refused =
                          error != null
                              ? error
                              : reply.isOk()
                                  ? null
                                  : new CallException("FreeSWITCH: " + reply.replyText());
                      if (refused == null) {
                        accepted.complete(null);
                        return;
                      }
                      consultations.remove(leg, consult); // its job's failure reports nothing
                      jobs.fail(job, refused);
                      if (!accepted.completeExceptionally(refused)) {
                        consult.failed(String.valueOf(refused.getMessage()), refused);
                      }
                    });
    long delay = originatePacer.reserve();
    if (delay == 0) {
      send.run();
      return accepted;
    }
    // Queued like a paced makeCall: accepted now; a later refusal is reported on the call.
    accepted.complete(null);
    Schedulers.timer()
        .schedule(() -> Schedulers.blocking().execute(send), delay, TimeUnit.NANOSECONDS);
    return accepted;
  }

  /** Kills a channel, ignoring the answer (it may have ended meanwhile). */
  private void killQuietly(String uuid) {
    api("uuid_kill " + uuid + " NORMAL_CLEARING")
        .whenComplete(
            (body, e) -> log.debug("[{}] uuid_kill {}: {}", name(), uuid, e == null ? body : e));
  }

  /** One attended transfer: the consultation channel, from its originate to the end of the call. */
  private final class Consultation {
    final String callId;
    final String leg;
    final String channel;
    private volatile boolean bridged;

    Consultation(String callId, String leg, String channel) {
      this.callId = callId;
      this.leg = leg;
      this.channel = channel;
    }

    /** The consultation originate's BACKGROUND_JOB (or its timeout). */
    void answered(String body, Throwable error) {
      boolean up = body != null && body.startsWith("+OK");
      // After a timeout FreeSWITCH may still carry the originate out.
      boolean timedOut =
          error instanceof AdapterTimeoutException
              || (error != null && error.getCause() instanceof AdapterTimeoutException);
      if (timedOut) {
        abandonedConsults.add(channel);
      }
      if (consultations.get(leg) != this) {
        // The call ended (or the originate was refused) meanwhile: nothing may stay on the server.
        if (up) {
          killQuietly(channel);
        }
        return;
      }
      if (!up) {
        consultations.remove(leg, this);
        failed(
            error != null ? String.valueOf(error.getMessage()) : "FreeSWITCH: " + body.strip(),
            error);
        return;
      }
      api("uuid_bridge " + leg + " " + channel)
          .whenComplete(
              (reply, e) -> {
                String text = reply == null ? "" : reply.strip();
                if (e == null && text.startsWith("+OK")) {
                  bridged = true;
                  core.bindServerId(callId, CONSULT_KEY, channel);
                  core.reportCallState(callId, CallState.CONNECTED, null, Map.of(UUID_KEY, leg));
                  if (consultations.get(leg) != this) {
                    killQuietly(channel); // the call ended while the bridge was set up
                  }
                  return;
                }
                consultations.remove(leg, this);
                killQuietly(channel);
                failed(e != null ? String.valueOf(e.getMessage()) : "FreeSWITCH: " + text, e);
              });
    }

    /** The transfer did not happen: the call goes on as it was, and listeners hear why. */
    void failed(String why, Throwable error) {
      core.reportError(callId, "attended transfer failed: " + why, error);
      core.findCall(callId)
          .filter(c -> c.state() == CallState.TRANSFERRING)
          .ifPresent(
              c -> core.reportCallState(callId, CallState.CONNECTED, null, Map.of(UUID_KEY, leg)));
    }

    /** The call's own channel ended: the consultation call must not outlive it. */
    void abandon() {
      if (bridged) {
        killQuietly(channel); // FreeSWITCH hangs up the survivor of a bridge; made sure of here
        return;
      }
      // Before the bridge: its channel may not exist yet (the answer to the kill says so).
      abandonedConsults.add(channel);
      api("uuid_kill " + channel + " NORMAL_CLEARING")
          .thenAccept(
              body -> {
                if (body.startsWith("+OK")) {
                  abandonedConsults.remove(channel);
                }
              });
    }
  }

  @Override
  public CompletableFuture<Void> hold(TrackedCall call) {
    String uuid = uuidOf(call);
    if (loopbackLegs.contains(uuid)) {
      // FreeSWITCH answers +OK and raises CHANNEL_HOLD, but a loopback channel never reaches the
      // HELD call state and "uuid_hold off" then fails: hold needs SIP endpoints.
      return CompletableFuture.failedFuture(
          new CallException(
              "FreeSWITCH cannot hold loopback channels (hold needs a SIP endpoint): call "
                  + call.callId()));
    }
    return apiOk("uuid_hold " + uuid);
  }

  @Override
  public CompletableFuture<Void> resume(TrackedCall call) {
    return apiOk("uuid_hold off " + uuidOf(call));
  }

  @Override
  public CompletableFuture<Void> startRecording(TrackedCall call, String fileName) {
    return apiOk("uuid_record " + uuidOf(call) + " start " + fileName);
  }

  @Override
  public CompletableFuture<Void> stopRecording(TrackedCall call) {
    return apiOk("uuid_record " + uuidOf(call) + " stop all");
  }

  @Override
  public CompletableFuture<Void> sendDtmf(TrackedCall call, String digits) {
    return apiOk("uuid_send_dtmf " + uuidOf(call) + " " + digits);
  }

  @Override
  public CompletableFuture<Void> conference(String room, List<TrackedCall> members) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (TrackedCall call : members) {
      all.add(apiOk("uuid_transfer " + uuidOf(call) + " conference:" + room + "@default inline"));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  @Override
  public CompletableFuture<Void> bridge(TrackedCall a, TrackedCall b) {
    return apiOk("uuid_bridge " + uuidOf(a) + " " + uuidOf(b));
  }

  /**
   * Lists a conference room as FreeSWITCH reports it ({@code conference <room> json_list}).
   *
   * @param room the room name, checked like every wire input
   * @return the JSON text, or a failed future with FreeSWITCH's error (e.g. no such room)
   */
  CompletableFuture<String> conferenceList(String room) {
    core.checkWire(WireField.ROOM, room);
    return api("conference " + room + " json_list")
        .thenApply(
            body -> {
              if (body.startsWith("-ERR") || !body.startsWith("[")) {
                throw new CallException("FreeSWITCH: " + body.strip());
              }
              return body;
            });
  }
}
