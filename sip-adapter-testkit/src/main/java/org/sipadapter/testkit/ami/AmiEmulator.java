package org.sipadapter.testkit.ami;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.sipadapter.testkit.emulator.EmulatorSession;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.emulator.FrameSplitter;
import org.sipadapter.testkit.emulator.SessionHandler;
import org.sipadapter.testkit.emulator.TcpEmulator;

/**
 * An Asterisk Manager Interface server on loopback that behaves like Asterisk 22 with Local
 * channels, as recorded in {@code org/sipadapter/testkit/fixtures/ami}: same banner, same replies,
 * same events with the same headers in the same order (ids and times differ).
 *
 * <p>It understands Login (plain and MD5 challenge), Challenge, Logoff, Ping, Events, Originate,
 * Hangup, Redirect, BlindTransfer, Atxfer, MixMonitor, StopMixMonitor, PlayDTMF, CoreShowChannels
 * and Status. What an originated call does is chosen per extension with {@link #outcome(String,
 * Outcome)}: answered, busy, not answered, or unknown extension. Calls stay up until hung up by an
 * action or by {@link #remoteHangup(String, int)}.
 *
 * <pre>{@code
 * try (AmiEmulator pbx = AmiEmulator.create().outcome("300", AmiEmulator.Outcome.BUSY).start()) {
 *   // connect an AMI client to pbx.host():pbx.port() as admin / amipass
 * }
 * }</pre>
 *
 * <p>Faults come from {@link TcpEmulator}: {@link #dropAll()}, {@link #stall()}, {@link
 * #injectGarbage()}, {@link #injectHugeFrame(int)} (a valid {@code UserEvent} with one huge value).
 * Thread-safe.
 */
public final class AmiEmulator extends TcpEmulator {

  /** What an originated call to an extension does. */
  public enum Outcome {
    /** Rings, is answered: OriginateResponse Success, Reason 4. */
    ANSWER,
    /** The far end is busy: OriginateResponse Failure, Reason 5, Hangup cause 17. */
    BUSY,
    /** Rings until the Originate timeout: OriginateResponse Failure, Reason 3, cause 19. */
    NO_ANSWER,
    /** The extension does not exist: OriginateResponse Failure, Reason 0, cause 0. */
    UNKNOWN_EXTENSION
  }

  /** The banner version of Asterisk 22. */
  public static final String DEFAULT_VERSION = "11.0.0";

  private final Set<AmiSession> sessions = new CopyOnWriteArraySet<>();
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong channelSequence = new AtomicLong();
  private final long epoch = System.currentTimeMillis() / 1000;
  private final ScheduledExecutorService timer;
  private final Object eventLock = new Object();

  private volatile String username = "admin";
  private volatile String secret = "amipass";
  private volatile String version = DEFAULT_VERSION;
  private volatile Outcome defaultOutcome = Outcome.ANSWER;
  private volatile Duration ringTime = Duration.ofMillis(20);
  private volatile Duration noAnswerTime = Duration.ofMillis(200);
  private volatile boolean atxferConfigured = true;
  private volatile String conferenceContext = "sdk-conf";
  private volatile String holdContext = "sdk-hold";

  private AmiEmulator() {
    super("ami", FrameSplitter.blankLineTerminated());
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "emulator-ami-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A new, not yet started emulator accepting {@code admin}/{@code amipass}.
   *
   * @return the emulator; call {@link #start()}
   */
  public static AmiEmulator create() {
    return new AmiEmulator();
  }

  @Override
  public AmiEmulator start() {
    super.start();
    return this;
  }

  /**
   * Sets the accepted AMI user.
   *
   * @param user the username
   * @param password the secret
   * @return this emulator
   */
  public AmiEmulator credentials(String user, String password) {
    this.username = Objects.requireNonNull(user, "user");
    this.secret = Objects.requireNonNull(password, "password");
    return this;
  }

  /**
   * Sets the version in the banner ({@code Asterisk Call Manager/<version>}).
   *
   * @param amiVersion for example {@code 5.0.0} for Asterisk 16
   * @return this emulator
   */
  public AmiEmulator version(String amiVersion) {
    this.version = Objects.requireNonNull(amiVersion, "amiVersion");
    return this;
  }

  /**
   * Chooses what calls to one extension do.
   *
   * @param exten the extension (the part before {@code @} of a Local channel, or after the
   *     technology's slash)
   * @param outcome what happens
   * @return this emulator
   */
  public AmiEmulator outcome(String exten, Outcome outcome) {
    outcomes.put(Objects.requireNonNull(exten, "exten"), Objects.requireNonNull(outcome));
    return this;
  }

  /**
   * Chooses what calls to extensions without their own {@link #outcome} do (default answer).
   *
   * @param outcome what happens
   * @return this emulator
   */
  public AmiEmulator defaultOutcome(Outcome outcome) {
    this.defaultOutcome = Objects.requireNonNull(outcome, "outcome");
    return this;
  }

  /**
   * Sets how long an answered call rings, and how long an unanswered one rings at most (the
   * Originate {@code Timeout} is used when shorter).
   *
   * @param ring ringing before answer
   * @param noAnswer ringing before giving up
   * @return this emulator
   */
  public AmiEmulator ringTimes(Duration ring, Duration noAnswer) {
    this.ringTime = Objects.requireNonNull(ring, "ring");
    this.noAnswerTime = Objects.requireNonNull(noAnswer, "noAnswer");
    return this;
  }

  /**
   * Whether features.conf defines an attended transfer code; without it Atxfer fails as in real
   * Asterisk.
   *
   * @param configured true to accept Atxfer
   * @return this emulator
   */
  public AmiEmulator atxferConfigured(boolean configured) {
    this.atxferConfigured = configured;
    return this;
  }

  /**
   * Sets the context whose extensions are ConfBridge rooms: a channel redirected there joins the
   * room named by the extension ({@code ConfbridgeJoin}), and {@code ConfbridgeList} lists it.
   *
   * @param context the context, {@code sdk-conf} by default
   * @return this emulator
   */
  public AmiEmulator conferenceContext(String context) {
    this.conferenceContext = Objects.requireNonNull(context, "context");
    return this;
  }

  /**
   * Sets the context that plays music on hold: a channel redirected there gets {@code
   * MusicOnHoldStart}, and {@code MusicOnHoldStop} when redirected elsewhere (as in {@code
   * 15-hold-music-on-hold.txt}).
   *
   * @param context the context, {@code sdk-hold} by default
   * @return this emulator
   */
  public AmiEmulator holdContext(String context) {
    this.holdContext = Objects.requireNonNull(context, "context");
    return this;
  }

  /**
   * The far end presses a key: {@code DTMFBegin} and {@code DTMFEnd} with {@code Direction:
   * Received} on the channel.
   *
   * @param channelOrUniqueid the channel name or Uniqueid
   * @param digit one DTMF digit
   * @return true when such a channel existed
   */
  public boolean receiveDtmf(String channelOrUniqueid, String digit) {
    Optional<Channel> channel = find(channelOrUniqueid);
    channel.ifPresent(
        c -> {
          synchronized (eventLock) {
            broadcast(
                channelEvent("DTMFBegin", c)
                    .add("Digit", digit)
                    .add("Direction", "Received")
                    .build());
            broadcast(
                channelEvent("DTMFEnd", c)
                    .add("Digit", digit)
                    .add("DurationMs", "120")
                    .add("Direction", "Received")
                    .build());
          }
        });
    return channel.isPresent();
  }

  /**
   * The far end's phone puts the call on hold or takes it off ({@code Hold} / {@code Unhold}).
   *
   * @param channelOrUniqueid the channel name or Uniqueid
   * @param held true for Hold
   * @return true when such a channel existed
   */
  public boolean phoneHold(String channelOrUniqueid, boolean held) {
    Optional<Channel> channel = find(channelOrUniqueid);
    channel.ifPresent(
        c -> {
          synchronized (eventLock) {
            AmiMessage.Builder b = channelEvent(held ? "Hold" : "Unhold", c);
            if (held) {
              b.add("MusicClass", "default");
            }
            broadcast(b.build());
          }
        });
    return channel.isPresent();
  }

  /**
   * The members of a ConfBridge room.
   *
   * @param room the room (an extension of the conference context)
   * @return channel names
   */
  public List<String> conferenceMembers(String room) {
    return sortedChannels().stream().filter(c -> room.equals(c.room)).map(c -> c.name).toList();
  }

  /**
   * The channels that exist now.
   *
   * @return channel names, for example {@code Local/100@test-00000001;1}
   */
  public List<String> channelNames() {
    return channels.values().stream().map(c -> c.name).sorted().toList();
  }

  /**
   * Ends a call from the far end: Hangup events for the channel and its Local partner.
   *
   * @param channelOrUniqueid the channel name or Uniqueid of either half
   * @param cause Q.850 cause, for example 16
   * @return true when such a channel existed
   */
  public boolean remoteHangup(String channelOrUniqueid, int cause) {
    Optional<Channel> channel = find(channelOrUniqueid);
    channel.ifPresent(c -> hangupCall(c, cause, false));
    return channel.isPresent();
  }

  /**
   * An incoming call: a new channel {@code PJSIP/<from>-n} ringing into {@code <to>}.
   *
   * @param from the caller number
   * @param to the called extension
   * @return the new channel's Uniqueid
   */
  public String incomingCall(String from, String to) {
    Channel c = newChannel("PJSIP/" + from + "-" + channelSeq(), null, "from-external", to);
    c.callerNum = from;
    c.callerName = from;
    c.state = 4;
    synchronized (eventLock) {
      broadcast(channelEvent("Newchannel", c).build());
    }
    return c.uniqueid;
  }

  /**
   * Sends an event to every logged-in session that has events on.
   *
   * @param event the event
   */
  public void pushEvent(AmiMessage event) {
    synchronized (eventLock) {
      broadcast(event);
    }
  }

  @Override
  protected SessionHandler newHandler(EmulatorSession session) {
    AmiSession s = new AmiSession();
    sessions.add(s);
    return s;
  }

  @Override
  protected byte[] garbage() {
    // What a broken proxy or a binary client on the port might produce: no colon, NUL, bad UTF-8.
    return new byte[] {
      (byte) 0xff, 0x00, 'g', 'a', 'r', 'b', 'a', 'g', 'e', ' ', 0x1b, '\r', '\n', '\r', '\n'
    };
  }

  @Override
  protected byte[] hugeFrame(int payloadBytes) {
    byte[] head =
        "Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: Huge\r\nData: "
            .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + payloadBytes + 4];
    System.arraycopy(head, 0, out, 0, head.length);
    java.util.Arrays.fill(out, head.length, head.length + payloadBytes, (byte) 'x');
    out[out.length - 4] = '\r';
    out[out.length - 3] = '\n';
    out[out.length - 2] = '\r';
    out[out.length - 1] = '\n';
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    super.close();
  }

  // ---------------------------------------------------------------- sessions

  /** One client connection: login state and event switch. */
  private final class AmiSession implements SessionHandler {
    private EmulatorSession session;
    private volatile boolean loggedIn;
    private volatile boolean events = true;
    private String challenge;

    @Override
    public void onConnect(EmulatorSession s) {
      this.session = s;
      s.send("Asterisk Call Manager/" + version + "\r\n");
    }

    @Override
    public void onClose(EmulatorSession s) {
      sessions.remove(this);
    }

    void sendEvent(AmiMessage event) {
      if (loggedIn && events && session != null) {
        session.send(event.toBytes());
      }
    }

    void reply(AmiMessage message) {
      session.send(message.toBytes());
    }

    @Override
    public void onFrame(EmulatorSession s, Frame frame) {
      AmiMessage request = AmiMessage.parse(frame.bytes());
      if (request.headers().isEmpty()) {
        return;
      }
      String action = request.get("Action", "");
      String name = action.toLowerCase(Locale.ROOT);
      if (!loggedIn && !name.equals("login") && !name.equals("challenge")) {
        reply(error(request, "Permission denied"));
        return;
      }
      switch (name) {
        case "login" -> login(request);
        case "challenge" -> challenge(request);
        case "logoff" -> {
          reply(response(request, "Goodbye").add("Message", "Thanks for all the fish.").build());
          session.close();
        }
        case "ping" ->
            reply(
                response(request, "Success")
                    .add("Ping", "Pong")
                    .add("Timestamp", String.format(Locale.ROOT, "%.6f", now()))
                    .build());
        case "events" -> {
          String mask = request.get("EventMask", "on");
          events = !mask.equalsIgnoreCase("off");
          reply(response(request, "Success").add("Events", events ? "On" : "Off").build());
        }
        case "originate" -> originate(this, request);
        case "hangup" -> hangupAction(this, request);
        case "redirect" -> redirect(this, request);
        case "blindtransfer" -> blindTransfer(this, request);
        case "atxfer" -> atxfer(this, request);
        case "mixmonitor" -> mixMonitor(this, request);
        case "stopmixmonitor" -> stopMixMonitor(this, request);
        case "playdtmf" -> playDtmf(this, request);
        case "coreshowchannels" -> coreShowChannels(this, request);
        case "status" -> status(this, request);
        case "confbridgelist" -> confbridgeList(this, request);
        default ->
            reply(
                error(
                    request,
                    "Invalid/unknown command: "
                        + action
                        + ". Use Action: ListCommands to show available commands."));
      }
    }

    private void challenge(AmiMessage request) {
      if (!request.get("AuthType", "").equalsIgnoreCase("MD5")) {
        reply(error(request, "Must specify AuthType"));
        return;
      }
      challenge = String.valueOf(100_000_000 + ThreadLocalRandom.current().nextInt(900_000_000));
      reply(response(request, "Success").add("Challenge", challenge).build());
    }

    private void login(AmiMessage request) {
      boolean userOk = username.equals(request.get("Username", null));
      boolean ok;
      if (request.get("AuthType", "").equalsIgnoreCase("MD5")) {
        ok =
            userOk
                && challenge != null
                && md5Hex(challenge + secret).equals(request.get("Key", ""));
      } else {
        ok = userOk && secret.equals(request.get("Secret", null));
      }
      if (!ok) {
        reply(error(request, "Authentication failed"));
        session.close();
        return;
      }
      loggedIn = true;
      events = !request.get("Events", "on").equalsIgnoreCase("off");
      reply(response(request, "Success").add("Message", "Authentication accepted").build());
      sendEvent(
          AmiMessage.builder()
              .add("Event", "FullyBooted")
              .add("Privilege", "system,all")
              .add("Uptime", "10")
              .add("LastReload", "10")
              .add("Status", "Fully Booted")
              .build());
    }
  }

  private static AmiMessage.Builder response(AmiMessage request, String response) {
    return AmiMessage.builder().add("Response", response).actionId(request);
  }

  private static AmiMessage error(AmiMessage request, String message) {
    return response(request, "Error").add("Message", message).build();
  }

  private static AmiMessage success(AmiMessage request, String message) {
    return response(request, "Success").add("Message", message).build();
  }

  private void broadcast(AmiMessage event) {
    for (AmiSession s : sessions) {
      s.sendEvent(event);
    }
  }

  // ---------------------------------------------------------------- channels

  /** One channel; mutable fields are guarded by {@link #eventLock}. */
  private static final class Channel {
    final String name;
    final String uniqueid;
    final String linkedid;
    String context;
    String exten;
    int state;
    String callerNum = "<unknown>";
    String callerName = "<unknown>";
    String application = "";
    String applicationData = "";
    Channel partner;
    String room;
    boolean onHold;
    final long createdNanos = System.nanoTime();

    Channel(String name, String uniqueid, String linkedid, String context, String exten) {
      this.name = name;
      this.uniqueid = uniqueid;
      this.linkedid = linkedid;
      this.context = context;
      this.exten = exten;
    }
  }

  private String channelSeq() {
    return String.format(Locale.ROOT, "%08x", channelSequence.getAndIncrement());
  }

  private String nextUniqueid() {
    return epoch + "." + sequence.getAndIncrement();
  }

  private double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  private Channel newChannel(String name, String linkedid, String context, String exten) {
    String uniqueid = nextUniqueid();
    return newChannel(name, uniqueid, linkedid == null ? uniqueid : linkedid, context, exten);
  }

  private Channel newChannel(
      String name, String uniqueid, String linkedid, String context, String exten) {
    Channel c = new Channel(name, uniqueid, linkedid, context, exten);
    channels.put(uniqueid, c);
    return c;
  }

  private Optional<Channel> find(String channelOrUniqueid) {
    Channel byId = channels.get(channelOrUniqueid);
    if (byId != null) {
      return Optional.of(byId);
    }
    return channels.values().stream().filter(c -> c.name.equals(channelOrUniqueid)).findFirst();
  }

  private static String stateDesc(int state) {
    return switch (state) {
      case 0 -> "Down";
      case 1 -> "Rsrvd";
      case 2 -> "OffHook";
      case 3 -> "Dialing";
      case 4 -> "Ring";
      case 5 -> "Ringing";
      case 6 -> "Up";
      case 7 -> "Busy";
      default -> "Unknown";
    };
  }

  private static AmiMessage.Builder snapshot(AmiMessage.Builder b, String prefix, Channel c) {
    return b.add(prefix + "Channel", c.name)
        .add(prefix + "ChannelState", String.valueOf(c.state))
        .add(prefix + "ChannelStateDesc", stateDesc(c.state))
        .add(prefix + "CallerIDNum", c.callerNum)
        .add(prefix + "CallerIDName", c.callerName)
        .add(prefix + "ConnectedLineNum", c.callerNum)
        .add(prefix + "ConnectedLineName", c.callerName)
        .add(prefix + "Language", "en")
        .add(prefix + "AccountCode", "")
        .add(prefix + "Context", c.context)
        .add(prefix + "Exten", c.exten)
        .add(prefix + "Priority", "1")
        .add(prefix + "Uniqueid", c.uniqueid)
        .add(prefix + "Linkedid", c.linkedid);
  }

  private static AmiMessage.Builder channelEvent(String event, Channel c) {
    return snapshot(AmiMessage.builder().add("Event", event).add("Privilege", "call,all"), "", c);
  }

  private static AmiMessage dialEnd(Channel dest, String status) {
    return snapshot(
            AmiMessage.builder().add("Event", "DialEnd").add("Privilege", "call,all"), "Dest", dest)
        .add("DialStatus", status)
        .build();
  }

  private static AmiMessage hangupEvent(Channel c, int cause) {
    return channelEvent("Hangup", c)
        .add("Cause", String.valueOf(cause))
        .add("Cause-txt", causeText(cause))
        .build();
  }

  private static String causeText(int cause) {
    return switch (cause) {
      case 16 -> "Normal Clearing";
      case 17 -> "User busy";
      case 19 -> "No user responding";
      case 21 -> "Call Rejected";
      case 1 -> "Unallocated (unassigned) number";
      default -> "Unknown";
    };
  }

  // ---------------------------------------------------------------- actions

  private void originate(AmiSession session, AmiMessage request) {
    Optional<String> channelHeader = request.get("Channel");
    if (channelHeader.isEmpty() || channelHeader.get().isBlank()) {
      session.reply(error(request, "Channel not specified"));
      return;
    }
    String requested = channelHeader.get();
    String target = requested;
    int slash = target.indexOf('/');
    String body = slash >= 0 ? target.substring(slash + 1) : target;
    if (body.endsWith("/n")) {
      body = body.substring(0, body.length() - 2);
    }
    int at = body.indexOf('@');
    String exten = at >= 0 ? body.substring(0, at) : body;
    String context = at >= 0 ? body.substring(at + 1) : "default";
    Outcome outcome = outcomes.getOrDefault(exten, defaultOutcome);
    boolean async = request.get("Async", "false").equalsIgnoreCase("true");
    long timeoutMs = parseLong(request.get("Timeout", "30000"), 30000);

    String base = "Local/" + exten + "@" + context + "-" + channelSeq();
    String id1 = request.get("ChannelId").orElseGet(this::nextUniqueid);
    String id2 = request.get("OtherChannelId").orElseGet(this::nextUniqueid);
    Channel one = newChannel(base + ";1", id1, id1, context, exten);
    Channel two = newChannel(base + ";2", id2, id1, context, exten);
    one.partner = two;
    two.partner = one;
    two.state = 4;
    String callerId = request.get("CallerID", "");
    if (!callerId.isEmpty()) {
      int lt = callerId.indexOf('<');
      int gt = callerId.indexOf('>');
      if (lt >= 0 && gt > lt) {
        one.callerNum = callerId.substring(lt + 1, gt);
        String n = callerId.substring(0, lt).trim().replace("\"", "");
        one.callerName = n.isEmpty() ? one.callerNum : n;
      } else {
        one.callerNum = callerId;
        one.callerName = callerId;
      }
      two.callerNum = one.callerNum;
      two.callerName = one.callerName;
    }
    if (request.get("Application").isPresent()) {
      one.application = request.get("Application", "");
      one.applicationData = request.get("Data", "");
    }

    if (async) {
      session.reply(success(request, "Originate successfully queued"));
    }
    synchronized (eventLock) {
      broadcast(channelEvent("Newchannel", one).build());
      broadcast(channelEvent("Newchannel", two).build());
      if (outcome == Outcome.UNKNOWN_EXTENSION) {
        broadcast(hangupEvent(two, 0));
        channels.remove(two.uniqueid);
        broadcast(originateResponse(request, requested, false, 0, "<unknown>", one));
        broadcast(hangupEvent(one, 0));
        channels.remove(one.uniqueid);
        if (!async) {
          session.reply(error(request, "Originate failed"));
        }
        return;
      }
      broadcast(
          snapshot(
                  AmiMessage.builder().add("Event", "DialBegin").add("Privilege", "call,all"),
                  "Dest",
                  one)
              .add("DialString", exten + "@" + context)
              .build());
      one.state = 5;
      broadcast(channelEvent("Newstate", one).build());
    }
    switch (outcome) {
      case ANSWER ->
          timer.schedule(
              () -> answer(session, request, async, one, two),
              ringTime.toMillis(),
              TimeUnit.MILLISECONDS);
      case BUSY ->
          timer.schedule(
              () -> fail(session, request, async, requested, one, two, "BUSY", 5, 17),
              ringTime.toMillis(),
              TimeUnit.MILLISECONDS);
      case NO_ANSWER ->
          timer.schedule(
              () -> fail(session, request, async, requested, one, two, "NOANSWER", 3, 19),
              Math.min(timeoutMs, noAnswerTime.toMillis()),
              TimeUnit.MILLISECONDS);
      default -> throw new IllegalStateException("unhandled outcome " + outcome);
    }
  }

  private AmiMessage originateResponse(
      AmiMessage request, String requested, boolean ok, int reason, String uniqueid, Channel one) {
    AmiMessage.Builder b =
        AmiMessage.builder()
            .add("Event", "OriginateResponse")
            .add("Privilege", "call,all")
            .actionId(request)
            .add("Response", ok ? "Success" : "Failure")
            .add("Channel", ok ? one.name : requested);
    if (request.get("Application").isPresent()) {
      b.add("Application", request.get("Application", "")).add("Data", request.get("Data", ""));
    } else {
      // Asterisk 22 echoes Context and Exten but not Priority here (04-originate-dial-bridge.txt).
      b.add("Context", request.get("Context", "")).add("Exten", request.get("Exten", ""));
    }
    return b.add("Reason", String.valueOf(reason))
        .add("Uniqueid", uniqueid)
        .add("CallerIDNum", one.callerNum)
        .add("CallerIDName", one.callerName)
        .build();
  }

  private void answer(
      AmiSession session, AmiMessage request, boolean async, Channel one, Channel two) {
    synchronized (eventLock) {
      if (!channels.containsKey(one.uniqueid)) {
        return;
      }
      two.state = 6;
      broadcast(channelEvent("Newstate", two).build());
      one.state = 6;
      broadcast(channelEvent("Newstate", one).build());
      broadcast(dialEnd(one, "ANSWER"));
      broadcast(originateResponse(request, one.name, true, 4, one.uniqueid, one));
      if (!async) {
        session.reply(success(request, "Originate successfully queued"));
      }
    }
  }

  private void fail(
      AmiSession session,
      AmiMessage request,
      boolean async,
      String requested,
      Channel one,
      Channel two,
      String dialStatus,
      int reason,
      int cause) {
    synchronized (eventLock) {
      if (!channels.containsKey(one.uniqueid)) {
        return;
      }
      broadcast(dialEnd(one, dialStatus));
      broadcast(channelEvent("HangupRequest", one).add("Cause", String.valueOf(cause)).build());
      broadcast(originateResponse(request, requested, false, reason, "<unknown>", one));
      broadcast(hangupEvent(one, cause));
      broadcast(hangupEvent(two, cause));
      channels.remove(one.uniqueid);
      channels.remove(two.uniqueid);
      if (!async) {
        session.reply(error(request, "Originate failed"));
      }
    }
  }

  private void hangupCall(Channel c, int cause, boolean requested) {
    synchronized (eventLock) {
      if (channels.remove(c.uniqueid) == null) {
        return;
      }
      if (requested) {
        broadcast(channelEvent("HangupRequest", c).add("Cause", String.valueOf(cause)).build());
      }
      broadcast(hangupEvent(c, cause));
      Channel partner = c.partner;
      if (partner != null && channels.remove(partner.uniqueid) != null) {
        broadcast(hangupEvent(partner, cause));
      }
    }
  }

  private void hangupAction(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "No such channel"));
      return;
    }
    session.reply(success(request, "Channel Hungup"));
    hangupCall(c.get(), (int) parseLong(request.get("Cause", "16"), 16), true);
  }

  private void redirect(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "Channel specified does not exist"));
      return;
    }
    session.reply(success(request, "Redirect successful"));
    synchronized (eventLock) {
      Channel ch = c.get();
      ch.context = request.get("Context", ch.context);
      ch.exten = request.get("Exten", ch.exten);
      if (ch.onHold) {
        ch.onHold = false;
        broadcast(channelEvent("MusicOnHoldStop", ch).build());
      }
      if (ch.room != null) {
        broadcast(conferenceEvent("ConfbridgeLeave", ch).build());
        ch.room = null;
      }
      broadcast(
          channelEvent("Newexten", ch)
              .add("Extension", ch.exten)
              .add("Application", "NoOp")
              .add("AppData", "")
              .build());
      if (ch.context.equals(holdContext)) {
        ch.onHold = true;
        broadcast(channelEvent("MusicOnHoldStart", ch).add("Class", "default").build());
      } else if (ch.context.equals(conferenceContext)) {
        ch.room = ch.exten;
        broadcast(conferenceEvent("ConfbridgeJoin", ch).add("Admin", "No").build());
      }
    }
  }

  private static AmiMessage.Builder conferenceEvent(String event, Channel c) {
    AmiMessage.Builder b =
        AmiMessage.builder()
            .add("Event", event)
            .add("Privilege", "call,all")
            .add("Conference", c.room)
            .add("BridgeUniqueid", "conf-" + c.room)
            .add("BridgeType", "base")
            .add("BridgeTechnology", "softmix")
            .add("BridgeCreator", "ConfBridge")
            .add("BridgeName", c.room)
            .add("BridgeNumChannels", "1")
            .add("BridgeVideoSourceMode", "none");
    return snapshot(b, "", c);
  }

  private void confbridgeList(AmiSession session, AmiMessage request) {
    String room = request.get("Conference", "");
    if (room.isEmpty()) {
      session.reply(error(request, "No Conference name provided."));
      return;
    }
    List<Channel> members = sortedChannels().stream().filter(c -> room.equals(c.room)).toList();
    if (members.isEmpty()) {
      session.reply(error(request, "No active conferences."));
      return;
    }
    session.reply(
        response(request, "Success")
            .add("EventList", "start")
            .add("Message", "Confbridge user list will follow")
            .build());
    for (Channel c : members) {
      AmiMessage.Builder b =
          AmiMessage.builder()
              .add("Event", "ConfbridgeList")
              .actionId(request)
              .add("Conference", room);
      snapshot(b, "", c)
          .add("Admin", "No")
          .add("MarkedUser", "No")
          .add("WaitMarked", "No")
          .add("EndMarked", "No")
          .add("Waiting", "No")
          .add("Muted", "No")
          .add("Talking", "Not monitored")
          .add("AnsweredTime", duration(c));
      session.reply(b.build());
    }
    session.reply(
        AmiMessage.builder()
            .add("Event", "ConfbridgeListComplete")
            .actionId(request)
            .add("EventList", "Complete")
            .add("ListItems", String.valueOf(members.size()))
            .build());
  }

  private void blindTransfer(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "No such channel"));
      return;
    }
    session.reply(success(request, "Transfer succeeded"));
  }

  private void atxfer(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "No such channel"));
    } else if (!atxferConfigured) {
      session.reply(error(request, "No attended transfer feature code found"));
    } else {
      session.reply(success(request, "Atxfer successfully queued"));
    }
  }

  private void mixMonitor(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "No such channel"));
      return;
    }
    String id = "0x" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    session.reply(response(request, "Success").add("MixMonitorID", id).build());
    synchronized (eventLock) {
      broadcast(channelEvent("MixMonitorStart", c.get()).build());
    }
  }

  private void stopMixMonitor(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "No such channel"));
      return;
    }
    session.reply(success(request, "Stopped monitoring channel"));
    synchronized (eventLock) {
      broadcast(channelEvent("MixMonitorStop", c.get()).build());
    }
  }

  private void playDtmf(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    String digit = request.get("Digit", "");
    if (c.isEmpty()) {
      session.reply(error(request, "Channel '" + request.get("Channel", "") + "' not found"));
      return;
    }
    if (digit.isEmpty()) {
      session.reply(error(request, "No digit specified"));
      return;
    }
    session.reply(success(request, "DTMF successfully queued"));
    synchronized (eventLock) {
      broadcast(
          channelEvent("DTMFBegin", c.get())
              .add("Digit", digit.substring(0, 1))
              .add("Direction", "Sent")
              .build());
      broadcast(
          channelEvent("DTMFEnd", c.get())
              .add("Digit", digit.substring(0, 1))
              .add("DurationMs", "250")
              .add("Direction", "Sent")
              .build());
    }
  }

  private void coreShowChannels(AmiSession session, AmiMessage request) {
    List<Channel> list = sortedChannels();
    session.reply(
        response(request, "Success")
            .add("EventList", "start")
            .add("Message", "Channels will follow")
            .build());
    for (Channel c : list) {
      AmiMessage.Builder b = AmiMessage.builder().add("Event", "CoreShowChannel").actionId(request);
      snapshot(b, "", c)
          .add("Application", c.application)
          .add("ApplicationData", c.applicationData)
          .add("Duration", duration(c))
          .add("BridgeId", "");
      session.reply(b.build());
    }
    session.reply(
        AmiMessage.builder()
            .add("Event", "CoreShowChannelsComplete")
            .actionId(request)
            .add("EventList", "Complete")
            .add("ListItems", String.valueOf(list.size()))
            .build());
  }

  private void status(AmiSession session, AmiMessage request) {
    List<Channel> list;
    Optional<String> wanted = request.get("Channel");
    if (wanted.isPresent() && !wanted.get().isEmpty()) {
      Optional<Channel> c = find(wanted.get());
      if (c.isEmpty()) {
        session.reply(error(request, "No such channel"));
        return;
      }
      list = List.of(c.get());
    } else {
      list = sortedChannels();
    }
    session.reply(
        response(request, "Success")
            .add("EventList", "start")
            .add("Message", "Channel status will follow")
            .build());
    for (Channel c : list) {
      AmiMessage.Builder b = AmiMessage.builder().add("Event", "Status").add("Privilege", "Call");
      snapshot(b, "", c)
          .add("Type", "Local")
          .add("DNID", "")
          .add("EffectiveConnectedLineNum", c.callerNum)
          .add("EffectiveConnectedLineName", c.callerName)
          .add("TimeToHangup", "0")
          .add("BridgeID", "")
          .add("Application", c.application)
          .add("Data", c.applicationData)
          .add("Nativeformats", "(ulaw)")
          .add("Readformat", "slin")
          .add("Readtrans", "")
          .add("Writeformat", "slin")
          .add("Writetrans", "")
          .add("Callgroup", "0")
          .add("Pickupgroup", "0")
          .add("Seconds", duration(c))
          .actionId(request);
      session.reply(b.build());
    }
    session.reply(
        AmiMessage.builder()
            .add("Event", "StatusComplete")
            .actionId(request)
            .add("EventList", "Complete")
            .add("ListItems", String.valueOf(list.size()))
            .add("Items", String.valueOf(list.size()))
            .build());
  }

  private List<Channel> sortedChannels() {
    List<Channel> list = new ArrayList<>(channels.values());
    list.sort((a, b) -> a.name.compareTo(b.name));
    return list;
  }

  private static String duration(Channel c) {
    long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - c.createdNanos);
    return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  private static long parseLong(String text, long fallback) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  static String md5Hex(String text) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 not available", e);
    }
  }
}
