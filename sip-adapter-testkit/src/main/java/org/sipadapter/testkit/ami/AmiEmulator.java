package org.sipadapter.testkit.ami;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
 * <p>It understands Login (plain and MD5 challenge; users with read and write classes, see {@link
 * #user}), Challenge, Logoff, Ping, Events, Originate, Hangup, Redirect, Bridge, BlindTransfer,
 * Atxfer, MixMonitor, StopMixMonitor, PlayDTMF, CoreShowChannels, CoreSettings, CoreStatus, Status,
 * ConfbridgeList and ConfbridgeListRooms. Answered calls end with {@code Cdr} events; {@link
 * #dialContext} and {@code Application: Dial} bridge a call to a second leg (with the transfer
 * feature), on which BlindTransfer and Atxfer behave as recorded in {@code
 * 23-blindtransfer-atxfer-bridged-call.txt}. What an originated call does is chosen per extension
 * with {@link #outcome(String, Outcome)}: answered, busy, not answered, or unknown extension. Calls
 * stay up until hung up by an action or by {@link #remoteHangup(String, int)}.
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

  /** The {@code AsteriskVersion} of {@code CoreSettings}, as in the recordings. */
  public static final String DEFAULT_ASTERISK_VERSION = "22.10.1";

  /** The {@code read=} of the recordings' {@code sdk} user (docs/asterisk.md before issue 13). */
  public static final String SDK_READ = "call,dtmf,system,user";

  /** The {@code write=} of the recordings' {@code sdk} user. */
  public static final String SDK_WRITE = "call,originate,system,command,user";

  private final Set<AmiSession> sessions = new CopyOnWriteArraySet<>();
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong channelSequence = new AtomicLong();
  private final long epoch = System.currentTimeMillis() / 1000;
  private final ScheduledExecutorService timer;
  private final Object eventLock = new Object();

  /** A manager user: secret and the classes of its {@code read=} and {@code write=}. */
  private record User(String secret, Set<String> read, Set<String> write) {}

  private final Map<String, User> users = new ConcurrentHashMap<>();
  private final Map<String, String[]> dialContexts = new ConcurrentHashMap<>();
  private final Map<String, String> newCallContexts = new ConcurrentHashMap<>();
  private final AtomicLong processedCalls = new AtomicLong();
  private volatile String version = DEFAULT_VERSION;
  private volatile String asteriskVersion = DEFAULT_ASTERISK_VERSION;
  private volatile boolean cdr = true;
  private volatile boolean originateResponseAfterHangup;
  private volatile Outcome defaultOutcome = Outcome.ANSWER;
  private volatile Duration ringTime = Duration.ofMillis(20);
  private volatile Duration noAnswerTime = Duration.ofMillis(200);
  private volatile boolean atxferConfigured = true;
  private volatile String conferenceContext = "sdk-conf";
  private volatile String holdContext = "sdk-hold";

  private AmiEmulator() {
    super("ami", FrameSplitter.blankLineTerminated());
    users.put("admin", new User("amipass", Set.of("all"), Set.of("all")));
    users.put("sdk", new User("sdkpass", classes(SDK_READ), classes(SDK_WRITE)));
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
    users.clear();
    users.put(
        Objects.requireNonNull(user, "user"),
        new User(Objects.requireNonNull(password, "password"), Set.of("all"), Set.of("all")));
    return this;
  }

  /**
   * Adds a manager user with the classes of its {@code read=} and {@code write=} lines. An action
   * its write classes do not cover is answered {@code Permission denied}; events its read classes
   * (and its Login {@code Events} mask) do not cover are not sent. By default there are {@code
   * admin}/{@code amipass} ({@code all}) and {@code sdk}/{@code sdkpass} ({@link #SDK_READ}, {@link
   * #SDK_WRITE}), as in the recordings.
   *
   * @param user the username
   * @param password the secret
   * @param read comma-separated classes, such as {@code call,dtmf}
   * @param write comma-separated classes
   * @return this emulator
   */
  public AmiEmulator user(String user, String password, String read, String write) {
    users.put(
        Objects.requireNonNull(user, "user"),
        new User(Objects.requireNonNull(password, "password"), classes(read), classes(write)));
    return this;
  }

  /**
   * Sets the release {@code CoreSettings} reports as {@code AsteriskVersion}.
   *
   * @param release for example {@code 22.10.1}
   * @return this emulator
   */
  public AmiEmulator asteriskVersion(String release) {
    this.asteriskVersion = Objects.requireNonNull(release, "release");
    return this;
  }

  /**
   * Whether answered calls end with {@code Cdr} events (cdr_manager on; the default): the {@code
   * ;2} half's record before its Hangup, the {@code ;1} half's after both, as in {@code
   * 28-cdr-events.txt}.
   *
   * @param enabled true to send them
   * @return this emulator
   */
  public AmiEmulator cdr(boolean enabled) {
    this.cdr = enabled;
    return this;
  }

  /**
   * For calls to an unknown extension, sends the {@code ;1} Hangup before the {@code
   * OriginateResponse} (runs 1 and 2 of {@code 19-originate-nonexistent-repeated.txt}) instead of
   * after it (runs 3 to 6, the default).
   *
   * @param after true for Hangup first
   * @return this emulator
   */
  public AmiEmulator originateResponseAfterHangup(boolean after) {
    this.originateResponseAfterHangup = after;
    return this;
  }

  /**
   * Makes a context dial on answer, as {@code exten => _X.,1,Dial(<tech>/${EXTEN},30,T)} does: a
   * call answered into it dials {@code destination} (with {@code {exten}} replaced), and once that
   * answers the two are bridged, the caller with the transfer feature (Dial option {@code T}).
   * Originates with {@code Application: Dial} do the same with their {@code Data}.
   *
   * @param context the context, such as {@code sdk-click}
   * @param destination the dial string, such as {@code Local/{exten}@sdk-targets}
   * @return this emulator
   */
  public AmiEmulator dialContext(String context, String destination) {
    dialContexts.put(
        Objects.requireNonNull(context, "context"),
        new String[] {Objects.requireNonNull(destination, "destination"), "T"});
    return this;
  }

  /**
   * Makes a context start a new call, as a dialplan {@code Originate(Local/<exten>@sdk-targets,
   * ...,acn)} does ({@code 20-originate-callerid-dialplan-new-call.txt}): a call answered into it
   * starts a new chain whose first channel has its own Uniqueid as Linkedid, first without caller
   * id, then with the caller's in a {@code NewCallerid}.
   *
   * @param context the context, such as {@code fixture-newcall}
   * @param exten the extension the new call rings
   * @return this emulator
   */
  public AmiEmulator newCallContext(String context, String exten) {
    newCallContexts.put(
        Objects.requireNonNull(context, "context"), Objects.requireNonNull(exten, "exten"));
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
   *     technology's slash), or {@code exten@context} for one context only (checked first)
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
   * An incoming call on a Local channel, as another AMI client's Originate or a dialplan {@code
   * Originate()} makes one: {@code Newchannel} of both halves with {@code CallerIDNum: <unknown>},
   * then a {@code NewCallerid} of each with the caller id ({@code
   * 20-originate-callerid-dialplan-new-call.txt}).
   *
   * @param from the caller id number
   * @param exten the called extension
   * @return the Uniqueid of the {@code ;1} half
   */
  public String incomingLocalCall(String from, String exten) {
    synchronized (eventLock) {
      Channel one = newLeg("Local/" + exten + "@from-internal", null);
      broadcast(channelEvent("Newchannel", one).build());
      broadcast(channelEvent("Newchannel", one.partner).build());
      for (Channel c : List.of(one, one.partner)) {
        c.callerNum = from;
        c.callerName = from;
        broadcast(
            channelEvent("NewCallerid", c)
                .add("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")
                .build());
      }
      return one.uniqueid;
    }
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
    private volatile User user;
    private volatile Set<String> mask = Set.of("all");
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
      if (loggedIn && events && session != null && mayRead(event)) {
        session.send(event.toBytes());
      }
    }

    /** Whether the user's read classes and the Login mask both cover the event's class. */
    private boolean mayRead(AmiMessage event) {
      String privilege = event.get("Privilege", "");
      if (privilege.isEmpty()) {
        return true;
      }
      String cls = privilege.substring(0, Math.max(0, privilege.indexOf(','))).trim();
      if (cls.isEmpty()) {
        cls = privilege;
      }
      return covers(user.read(), cls) && covers(mask, cls);
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
      if (loggedIn && !mayWrite(name)) {
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
        case "confbridgelistrooms" -> confbridgeListRooms(this, request);
        case "bridge" -> bridgeAction(this, request);
        case "coresettings" -> coreSettings(this, request);
        case "corestatus" -> coreStatus(this, request);
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

    /** The write classes an action needs (any one of them), as in Asterisk 22's registrations. */
    private boolean mayWrite(String action) {
      List<String> needed =
          switch (action) {
            case "login", "challenge", "logoff", "ping", "events" -> List.of();
            case "originate" -> List.of("originate");
            case "confbridgelist", "confbridgelistrooms" -> List.of("reporting");
            case "mixmonitor" -> List.of("system");
            case "stopmixmonitor" -> List.of("system", "call");
            case "coreshowchannels", "coresettings", "corestatus" -> List.of("system", "reporting");
            case "status" -> List.of("system", "call", "reporting");
            case "command" -> List.of("command");
            default -> List.of("call");
          };
      if (needed.isEmpty()) {
        return true;
      }
      for (String cls : needed) {
        if (covers(user.write(), cls)) {
          return true;
        }
      }
      return false;
    }

    private void login(AmiMessage request) {
      User candidate = users.get(request.get("Username", ""));
      boolean ok;
      if (candidate == null) {
        ok = false;
      } else if (request.get("AuthType", "").equalsIgnoreCase("MD5")) {
        ok =
            challenge != null
                && md5Hex(challenge + candidate.secret()).equals(request.get("Key", ""));
      } else {
        ok = candidate.secret().equals(request.get("Secret", null));
      }
      if (!ok) {
        reply(error(request, "Authentication failed"));
        session.close();
        return;
      }
      user = candidate;
      loggedIn = true;
      String eventMask = request.get("Events", "on");
      events = !eventMask.equalsIgnoreCase("off");
      mask = eventMask.equalsIgnoreCase("on") ? Set.of("all") : classes(eventMask);
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

  private static Set<String> classes(String list) {
    Set<String> out = new java.util.HashSet<>();
    for (String c : list.split(",")) {
      if (!c.isBlank()) {
        out.add(c.trim().toLowerCase(Locale.ROOT));
      }
    }
    return Set.copyOf(out);
  }

  private static boolean covers(Set<String> classes, String cls) {
    return classes.contains("all") || classes.contains(cls.toLowerCase(Locale.ROOT));
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

    /** The bridge the channel is in, and the other channel in it; null when not bridged. */
    String bridge;

    Channel peer;

    /** Dial option T: the atxfer/blindxfer feature codes work on this channel's bridge. */
    boolean transferFeature;

    /** During an attended transfer: the party on hold, joined to the target when this hangs up. */
    Channel transferee;

    /** Answered (Up) at some point: ends with a Cdr. */
    Instant answeredAt;

    final Instant createdAt = Instant.now();
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
    Outcome outcome =
        outcomes.getOrDefault(exten + "@" + context, outcomes.getOrDefault(exten, defaultOutcome));
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
        if (originateResponseAfterHangup) {
          broadcast(hangupEvent(one, 0));
          broadcast(originateResponse(request, requested, false, 0, one.uniqueid, one));
        } else {
          broadcast(originateResponse(request, requested, false, 0, one.uniqueid, one));
          broadcast(hangupEvent(one, 0));
        }
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
      one.answeredAt = Instant.now();
      two.answeredAt = one.answeredAt;
      broadcast(dialEnd(one, "ANSWER"));
      broadcast(originateResponse(request, one.name, true, 4, one.uniqueid, one));
      if (!async) {
        session.reply(success(request, "Originate successfully queued"));
      }
      afterAnswer(request, one);
    }
  }

  /** What the dialplan (or the Originate's application) does with a newly answered channel. */
  private void afterAnswer(AmiMessage request, Channel one) {
    String context = request.get("Context", "");
    String exten = request.get("Exten", "");
    if (request.get("Application", "").equalsIgnoreCase("Dial")) {
      String[] data = request.get("Data", "").split(",");
      dial(one, data[0], data.length > 2 && data[2].contains("T"));
    } else if (dialContexts.containsKey(context)) {
      String[] d = dialContexts.get(context);
      dial(one, d[0].replace("{exten}", exten), d[1].contains("T"));
    } else if (newCallContexts.containsKey(context)) {
      newCall(one, newCallContexts.get(context));
    } else if (context.equals(conferenceContext) && !exten.isEmpty()) {
      one.context = context;
      one.exten = exten;
      joinRoom(one, exten);
    }
  }

  /** {@code Dial(<destination>)} from {@code caller}, answered at once and bridged. */
  private void dial(Channel caller, String destination, boolean transferFeature) {
    Channel callee = newLeg(destination, caller.linkedid);
    broadcast(channelEvent("Newchannel", callee).build());
    if (callee.partner != null) {
      broadcast(channelEvent("Newchannel", callee.partner).build());
    }
    broadcast(
        snapshot(
                snapshot(
                    AmiMessage.builder().add("Event", "DialBegin").add("Privilege", "call,all"),
                    "",
                    caller),
                "Dest",
                callee)
            .add("DialString", destination)
            .build());
    answerLeg(callee);
    broadcast(
        snapshot(
                snapshot(
                    AmiMessage.builder().add("Event", "DialEnd").add("Privilege", "call,all"),
                    "",
                    caller),
                "Dest",
                callee)
            .add("DialStatus", "ANSWER")
            .build());
    caller.transferFeature = transferFeature;
    bridge(caller, callee);
  }

  /** A new chain started by the dialplan: its first channel is its own Linkedid. */
  private void newCall(Channel from, String exten) {
    Channel first = newLeg("Local/" + exten + "@sdk-targets", null);
    List<Channel> legs = first.partner == null ? List.of(first) : List.of(first, first.partner);
    for (Channel c : legs) {
      broadcast(channelEvent("Newchannel", c).build());
    }
    for (Channel c : legs) {
      c.callerNum = from.callerNum;
      c.callerName = from.callerName;
      broadcast(
          channelEvent("NewCallerid", c)
              .add("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")
              .build());
    }
    answerLeg(first);
  }

  /**
   * A channel (and for {@code Local/} its {@code ;2} half) for a dial string, with an epoch
   * Uniqueid, in the chain {@code linkedid} (its own when null).
   */
  private Channel newLeg(String destination, String linkedid) {
    int slash = destination.indexOf('/');
    String tech = slash < 0 ? "Local" : destination.substring(0, slash);
    String body = slash < 0 ? destination : destination.substring(slash + 1);
    int at = body.indexOf('@');
    String exten = at < 0 ? body : body.substring(0, at);
    String context = at < 0 ? "default" : body.substring(at + 1).replace("/n", "");
    if (tech.equalsIgnoreCase("Local")) {
      String base = "Local/" + exten + "@" + context + "-" + channelSeq();
      Channel one = newChannel(base + ";1", linkedid, context, exten);
      Channel two = newChannel(base + ";2", one.linkedid, context, exten);
      one.partner = two;
      two.partner = one;
      return one;
    }
    return newChannel(tech + "/" + exten + "-" + channelSeq(), linkedid, "from-phones", exten);
  }

  private void answerLeg(Channel c) {
    List<Channel> legs = c.partner == null ? List.of(c) : List.of(c.partner, c);
    for (Channel leg : legs) {
      leg.state = 6;
      leg.answeredAt = Instant.now();
      broadcast(channelEvent("Newstate", leg).build());
    }
  }

  // ---------------------------------------------------------------- bridges

  private static AmiMessage.Builder bridgeBlock(AmiMessage.Builder b, String id, int members) {
    return b.add("BridgeUniqueid", id)
        .add("BridgeType", "basic")
        .add("BridgeTechnology", "simple_bridge")
        .add("BridgeCreator", "<unknown>")
        .add("BridgeName", "<unknown>")
        .add("BridgeNumChannels", String.valueOf(members))
        .add("BridgeVideoSourceMode", "none");
  }

  private static AmiMessage bridgeEvent(String event, String id, int members) {
    return bridgeBlock(
            AmiMessage.builder().add("Event", event).add("Privilege", "call,all"), id, members)
        .build();
  }

  private static AmiMessage bridgeChannelEvent(String event, String id, int members, Channel c) {
    return snapshot(
            bridgeBlock(
                AmiMessage.builder().add("Event", event).add("Privilege", "call,all"), id, members),
            "",
            c)
        .build();
  }

  /** Puts two channels in a new basic bridge. */
  private void bridge(Channel a, Channel b) {
    String id = java.util.UUID.randomUUID().toString();
    broadcast(bridgeEvent("BridgeCreate", id, 0));
    broadcast(bridgeChannelEvent("BridgeEnter", id, 1, b));
    broadcast(bridgeChannelEvent("BridgeEnter", id, 2, a));
    a.bridge = id;
    b.bridge = id;
    a.peer = b;
    b.peer = a;
  }

  /**
   * Takes a channel and its peer out of their bridge and destroys it; returns the peer (null when
   * the channel was not bridged).
   */
  private Channel unbridge(Channel c) {
    Channel peer = c.peer;
    if (peer == null) {
      return null;
    }
    String id = c.bridge;
    broadcast(bridgeChannelEvent("BridgeLeave", id, 1, c));
    broadcast(bridgeChannelEvent("BridgeLeave", id, 0, peer));
    broadcast(bridgeEvent("BridgeDestroy", id, 0));
    c.peer = null;
    c.bridge = null;
    peer.peer = null;
    peer.bridge = null;
    return peer;
  }

  private void bridgeAction(AmiSession session, AmiMessage request) {
    Optional<Channel> a = find(request.get("Channel1", ""));
    Optional<Channel> b = find(request.get("Channel2", ""));
    if (a.isEmpty() || b.isEmpty()) {
      session.reply(
          error(
              request,
              "Channel1 does not exist: "
                  + (a.isEmpty() ? request.get("Channel1", "") : request.get("Channel2", ""))));
      return;
    }
    session.reply(success(request, "Channels have been bridged"));
    synchronized (eventLock) {
      for (Channel c : List.of(a.get(), b.get())) {
        Channel old = unbridge(c);
        if (old != null) {
          hangupLocked(old, 16, false);
        }
      }
      bridge(a.get(), b.get());
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
      hangupLocked(c, cause, requested);
    }
  }

  /**
   * Hangs up a channel and its Local partner, ends their bridge (the other side hangs up too, as
   * when a Dial ends), and completes an attended transfer its channel started.
   */
  private void hangupLocked(Channel c, int cause, boolean requested) {
    if (!channels.containsKey(c.uniqueid)) {
      return;
    }
    if (requested) {
      broadcast(channelEvent("HangupRequest", c).add("Cause", String.valueOf(cause)).build());
    }
    Channel transferee = c.transferee;
    Channel target = null;
    Channel peer;
    if (transferee != null) {
      // The transferer hangs up: the party on hold and the target are joined.
      c.transferee = null;
      broadcast(channelEvent("MusicOnHoldStop", transferee).build());
      target = c.peer;
      peer = null;
      if (target != null) {
        broadcast(bridgeChannelEvent("BridgeLeave", c.bridge, 1, c));
        target.peer = transferee;
        transferee.peer = target;
        broadcast(bridgeChannelEvent("BridgeEnter", target.bridge, 2, transferee));
        transferee.bridge = target.bridge;
        c.peer = null;
        c.bridge = null;
      }
    } else {
      peer = unbridge(c);
      if (peer == null && c.partner != null) {
        peer = unbridge(c.partner);
      }
    }
    Channel partner = c.partner;
    Channel two = partner != null && c.name.endsWith(";1") ? partner : null;
    if (two != null && cdr && two.answeredAt != null && channels.containsKey(two.uniqueid)) {
      broadcast(cdrEvent(two));
    }
    channels.remove(c.uniqueid);
    broadcast(hangupEvent(c, cause));
    if (partner != null && channels.remove(partner.uniqueid) != null) {
      broadcast(hangupEvent(partner, cause));
    }
    Channel one = c.name.endsWith(";1") || partner == null ? c : partner;
    if (cdr && one.answeredAt != null) {
      broadcast(cdrEvent(one));
    }
    processedCalls.incrementAndGet();
    if (peer != null) {
      hangupLocked(peer, 16, false);
    }
  }

  private static final DateTimeFormatter CDR_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** cdr_manager's record of an answered channel ({@code 28-cdr-events.txt}). */
  private static AmiMessage cdrEvent(Channel c) {
    Instant end = Instant.now();
    return AmiMessage.builder()
        .add("Event", "Cdr")
        .add("Privilege", "cdr,all")
        .add("AccountCode", "")
        .add("Source", c.callerNum.equals("<unknown>") ? "" : c.callerNum)
        .add("Destination", c.exten)
        .add("DestinationContext", c.context)
        .add("CallerID", "\"" + c.callerName + "\" <" + c.callerNum + ">")
        .add("Channel", c.name)
        .add("DestinationChannel", "")
        .add("LastApplication", c.application.isEmpty() ? "Wait" : c.application)
        .add("LastData", c.applicationData)
        .add("StartTime", CDR_TIME.format(c.createdAt))
        .add("AnswerTime", CDR_TIME.format(c.answeredAt))
        .add("EndTime", CDR_TIME.format(end))
        .add("Duration", String.valueOf(Duration.between(c.createdAt, end).toSeconds()))
        .add("BillableSeconds", String.valueOf(Duration.between(c.answeredAt, end).toSeconds()))
        .add("Disposition", "ANSWERED")
        .add("AMAFlags", "DOCUMENTATION")
        .add("UniqueID", c.uniqueid)
        .add("UserField", "")
        .build();
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
      // Leaving a Dial's bridge ends the other side.
      Channel peer = unbridge(ch);
      if (peer != null) {
        hangupLocked(peer, 16, false);
      }
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
        joinRoom(ch, ch.exten);
      } else if (dialContexts.containsKey(ch.context)) {
        String[] d = dialContexts.get(ch.context);
        dial(ch, d[0].replace("{exten}", ch.exten), d[1].contains("T"));
      }
    }
  }

  private void joinRoom(Channel ch, String room) {
    boolean first = sortedChannels().stream().noneMatch(c -> room.equals(c.room));
    ch.room = room;
    if (first) {
      broadcast(
          AmiMessage.builder()
              .add("Event", "ConfbridgeStart")
              .add("Privilege", "call,all")
              .add("Conference", room)
              .add("BridgeUniqueid", "conf-" + room)
              .add("BridgeType", "base")
              .add("BridgeTechnology", "softmix")
              .add("BridgeCreator", "ConfBridge")
              .add("BridgeName", room)
              .add("BridgeNumChannels", "0")
              .add("BridgeVideoSourceMode", "none")
              .build());
    }
    broadcast(conferenceEvent("ConfbridgeJoin", ch).add("Admin", "No").add("Muted", "No").build());
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
      boolean anyRoom = sortedChannels().stream().anyMatch(c -> c.room != null);
      // Asterisk 22 words it differently when other rooms exist.
      session.reply(
          error(request, anyRoom ? "No Conference by that name found." : "No active conferences."));
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
              .add("Conference", room)
              .add("Admin", "No")
              .add("MarkedUser", "No")
              .add("WaitMarked", "No")
              .add("EndMarked", "No")
              .add("EndMarkedAny", "No")
              .add("Waiting", "No")
              .add("Muted", "No")
              .add("Talking", "Not monitored")
              .add("AnsweredTime", String.valueOf(seconds(c)));
      snapshot(b, "", c);
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

  private void confbridgeListRooms(AmiSession session, AmiMessage request) {
    Map<String, Integer> rooms = new java.util.TreeMap<>();
    for (Channel c : sortedChannels()) {
      if (c.room != null) {
        rooms.merge(c.room, 1, Integer::sum);
      }
    }
    if (rooms.isEmpty()) {
      session.reply(error(request, "No active conferences."));
      return;
    }
    session.reply(
        response(request, "Success")
            .add("EventList", "start")
            .add("Message", "Confbridge conferences will follow")
            .build());
    rooms.forEach(
        (room, parties) ->
            session.reply(
                AmiMessage.builder()
                    .add("Event", "ConfbridgeListRooms")
                    .actionId(request)
                    .add("Conference", room)
                    .add("Parties", String.valueOf(parties))
                    .add("Marked", "0")
                    .add("Locked", "No")
                    .add("Muted", "No")
                    .build()));
    session.reply(
        AmiMessage.builder()
            .add("Event", "ConfbridgeListRoomsComplete")
            .actionId(request)
            .add("EventList", "Complete")
            .add("ListItems", String.valueOf(rooms.size()))
            .build());
  }

  /**
   * BlindTransfer: the parties bridged to the channel go to the target; Asterisk takes the
   * transferer off hold, reports the transfer and hangs the transferer up ({@code
   * 23-blindtransfer-atxfer-bridged-call.txt}). Without a bridge: "Transfer invalid".
   */
  private void blindTransfer(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "No such channel"));
      return;
    }
    Channel transferer = c.get();
    synchronized (eventLock) {
      Channel transferee = transferer.peer;
      if (transferee == null) {
        session.reply(error(request, "Transfer invalid"));
        return;
      }
      session.reply(success(request, "Transfer succeeded"));
      broadcast(channelEvent("Unhold", transferer).build());
      String context = request.get("Context", transferer.context);
      String exten = request.get("Exten", "");
      AmiMessage.Builder b =
          AmiMessage.builder()
              .add("Event", "BlindTransfer")
              .add("Privilege", "call,all")
              .add("Result", "Success");
      snapshot(snapshot(b, "Transferer", transferer), "Transferee", transferee);
      bridgeBlock(b, transferer.bridge, 2)
          .add("IsExternal", "No")
          .add("Context", context)
          .add("Extension", exten);
      broadcast(b.build());
      unbridge(transferer);
      transferee.context = context;
      transferee.exten = exten;
      broadcast(
          channelEvent("Newexten", transferee)
              .add("Extension", exten)
              .add("Application", "Answer")
              .add("AppData", "")
              .build());
      hangupLocked(transferer, 16, false);
    }
  }

  /**
   * Atxfer: Asterisk types the feature code ({@code *2}) and the target into the channel, which
   * shows as received DTMF. With the transfer feature on the channel's bridge (Dial option {@code
   * T}) the other party goes on hold and the transferer is bridged to a new call to the target;
   * when the transferer hangs up, the two others are joined. Without it nothing else happens.
   */
  private void atxfer(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "No such channel"));
      return;
    }
    if (!atxferConfigured) {
      session.reply(error(request, "No attended transfer feature code found"));
      return;
    }
    session.reply(success(request, "Atxfer successfully queued"));
    Channel transferer = c.get();
    String exten = request.get("Exten", "");
    String context = request.get("Context", transferer.context);
    synchronized (eventLock) {
      typed(transferer, "*2");
      Channel transferee = transferer.peer;
      if (transferee == null || !transferer.transferFeature) {
        typed(transferer, exten);
        return;
      }
      broadcast(channelEvent("Hold", transferer).build());
      broadcast(channelEvent("MusicOnHoldStart", transferee).add("Class", "default").build());
      typed(transferer, exten);
      String old = transferer.bridge;
      Channel target = newLeg("Local/" + exten + "@" + context, transferer.linkedid);
      broadcast(channelEvent("Newchannel", target).build());
      broadcast(channelEvent("Newchannel", target.partner).build());
      answerLeg(target);
      broadcast(bridgeChannelEvent("BridgeLeave", old, 1, transferer));
      transferee.peer = null;
      transferer.peer = null;
      transferer.transferee = transferee;
      bridge(transferer, target);
    }
  }

  /** DTMF that Asterisk feeds into a channel, as it reports it: received, duration 0. */
  private void typed(Channel c, String digits) {
    for (int i = 0; i < digits.length(); i++) {
      broadcast(
          channelEvent("DTMFEnd", c)
              .add("Digit", String.valueOf(digits.charAt(i)))
              .add("DurationMs", "0")
              .add("Direction", "Received")
              .build());
    }
  }

  private void coreSettings(AmiSession session, AmiMessage request) {
    session.reply(
        response(request, "Success")
            .add("AMIversion", version)
            .add("AsteriskVersion", asteriskVersion)
            .add("SystemName", "")
            .add("CoreMaxCalls", "0")
            .add("CoreMaxLoadAvg", "0.000000")
            .add("CoreRunUser", "")
            .add("CoreRunGroup", "")
            .add("CoreMaxFilehandles", "0")
            .add("CoreRealTimeEnabled", "No")
            .add("CoreCDRenabled", cdr ? "Yes" : "No")
            .add("CoreHTTPenabled", "No")
            .add("SoundsSearchCustomDir", "No")
            .build());
  }

  private void coreStatus(AmiSession session, AmiMessage request) {
    java.time.ZonedDateTime started =
        java.time.ZonedDateTime.ofInstant(Instant.ofEpochSecond(epoch), ZoneOffset.UTC);
    String date = started.toLocalDate().toString();
    String time = started.toLocalTime().withNano(0).toString();
    session.reply(
        response(request, "Success")
            .add("CoreStartupDate", date)
            .add("CoreStartupTime", time)
            .add("CoreReloadDate", date)
            .add("CoreReloadTime", time)
            .add("CoreCurrentCalls", String.valueOf(channels.size() / 2))
            .add("CoreProcessedCalls", String.valueOf(processedCalls.get()))
            .build());
  }

  private void mixMonitor(AmiSession session, AmiMessage request) {
    Optional<Channel> c = find(request.get("Channel", ""));
    if (c.isEmpty()) {
      session.reply(error(request, "No such channel"));
      return;
    }
    // Only the i(<variable>) option makes Asterisk 22 put the id in the reply (fixture 24).
    AmiMessage.Builder reply = response(request, "Success");
    if (request.get("Options", "").contains("i(")) {
      String id = "0x" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
      reply.add("MixMonitorID", id);
    }
    session.reply(reply.build());
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
    session.reply(response(request, "Success").build());
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

  private static long seconds(Channel c) {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - c.createdNanos);
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
