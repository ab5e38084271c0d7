package org.sipadapter.testkit.esl;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipadapter.testkit.emulator.EmulatorSession;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.emulator.FrameSplitter;
import org.sipadapter.testkit.emulator.SessionHandler;
import org.sipadapter.testkit.emulator.TcpEmulator;

/**
 * A FreeSWITCH event socket (inbound mode) on loopback, faithful to the recorded transcripts in
 * {@code org/sipadapter/testkit/fixtures/esl}: the {@code auth/request} greeting, {@code auth}
 * (good and bad), {@code event plain|json|xml} subscriptions, {@code api} and {@code bgapi} (with
 * {@code BACKGROUND_JOB}), {@code exit} and the disconnect notice.
 *
 * <p>Calls: {@code originate} plays the events FreeSWITCH sent for the same outcome (recorded event
 * frames replayed with fresh UUIDs, the requested number and caller id), chosen by the
 * destination's {@link Behavior} ({@link #route}); {@code uuid_kill}, {@code uuid_hold}, {@code
 * uuid_transfer} (to an extension, with the recorded events of a transfer, or into a conference),
 * {@code uuid_bridge}, {@code uuid_record}, {@code uuid_send_dtmf}, {@code uuid_answer}, {@code
 * uuid_exists}, {@code conference <room> json_list}, {@code show channels|calls as json} and {@code
 * status} answer as FreeSWITCH does. The server side can {@linkplain #placeInboundCall ring the
 * client}, {@linkplain #hangupFromRemote hang up}, {@linkplain #dtmfFromRemote send DTMF}, send a
 * {@linkplain #heartbeat() HEARTBEAT} or a {@linkplain #sendDisconnectNotice() disconnect notice}.
 * Faults come from {@link TcpEmulator} (drop, stall, garbage, huge frame); the garbage and the huge
 * frame are ESL-shaped here.
 *
 * <p>Filters ({@code filter ...}) are acknowledged but not applied. Events are sent in one global
 * order from a single emulator thread, so a client sees each call's events in order, after the
 * reply to the command that caused them.
 *
 * <p>Thread-safe. {@link #close()} stops the event thread and closes every socket.
 */
public class EslEmulator extends TcpEmulator {

  /** What a destination number does when originated to. */
  public enum Behavior {
    /** Rings, answers and stays up until hung up. */
    ANSWER,
    /** Answers, then the far end hangs up after {@link #remoteHangupAfter(Duration)}. */
    ANSWER_THEN_HANGUP,
    /** Fails with {@code USER_BUSY}. */
    BUSY,
    /** Rings until the originate timeout (at most {@link #noAnswerAfter(Duration)}), NO_ANSWER. */
    NO_ANSWER,
    /** Fails with {@code NO_ROUTE_DESTINATION}. */
    UNKNOWN
  }

  /** FreeSWITCH's default event socket password. */
  public static final String DEFAULT_PASSWORD = "ClueCon";

  private static final String RECORDED_CORE_UUID = "e6c59251-47fd-47fe-acd9-206484b555c5";

  /** The Core-UUID of the second recording (files 21-33). */
  private static final String RECORDED_CORE_UUID_2 = "3a5d8172-3e19-461d-bc80-ef899f667e04";

  /** The extension the recorded {@code uuid_transfer} went to (fixture 12). */
  private static final String RECORDED_TRANSFER_TARGET = "9104";

  private static final String DISCONNECT_TEXT =
      "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n";
  private static final String STATUS_TEXT =
      "UP 0 years, 0 days, 0 hours, 0 minutes, 12 seconds, 8 milliseconds, 873 microseconds\n"
          + "FreeSWITCH (Version 1.10.12-release  64bit) is ready\n"
          + "%d session(s) since startup\n"
          + "%d session(s) - peak 0, last 5min 0 \n"
          + "%d session(s) per Sec out of max %d, peak %d, last 5min %d \n"
          + "1000 session(s) max\n"
          + "min idle cpu 0.00/99.80\n"
          + "Current Stack Size/Max 240K/8192K\n";

  private static final class Scenes {
    static final EslScene ANSWER = EslScene.load("answer");
    static final EslScene REMOTE_HANGUP = EslScene.load("remote-hangup");
    static final EslScene KILL = EslScene.load("kill");
    static final EslScene BUSY = EslScene.load("busy");
    static final EslScene UNKNOWN = EslScene.load("unknown");
    static final EslScene HOLD = EslScene.load("hold");
    static final EslScene UNHOLD = EslScene.load("unhold");
    static final EslScene TRANSFER = EslScene.load("transfer");
  }

  private static final java.time.format.DateTimeFormatter LOCAL_DATE =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final java.time.format.DateTimeFormatter GMT_DATE =
      java.time.format.DateTimeFormatter.ofPattern(
          "EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.ROOT);

  private static java.time.ZonedDateTime now() {
    return java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
  }

  private final String password;
  private final String coreUuid = UUID.randomUUID().toString();
  private final Map<String, Behavior> routes = new ConcurrentHashMap<>();
  private final Map<String, EslCall> calls = new ConcurrentHashMap<>();
  private final Map<String, String> jobs = new ConcurrentHashMap<>(); // call uuid -> job uuid
  private final Map<String, List<String>> conferences = new ConcurrentHashMap<>();
  private final Map<String, List<String>> dtmfSent = new ConcurrentHashMap<>();
  private final List<String> apiCommands = new CopyOnWriteArrayList<>();
  private final AtomicLong sequence = new AtomicLong(1000);
  private final long startNanos = System.nanoTime();
  private final AtomicInteger sessionsSinceStart = new AtomicInteger();
  private final ScheduledExecutorService events;
  private volatile Behavior defaultBehavior = Behavior.ANSWER;
  private volatile Duration noAnswerAfter = Duration.ofSeconds(2);
  private volatile Duration remoteHangupAfter = Duration.ofMillis(200);
  private volatile Duration answerAfter = Duration.ZERO;
  private final Map<String, EslUser> users = new ConcurrentHashMap<>();

  /** The directory's users (for {@code user/<n>}): whether each has a registration. */
  private final Map<String, Boolean> directory = new ConcurrentHashMap<>();

  private volatile java.time.Clock clock = java.time.Clock.systemUTC();
  private volatile int sessionsPerSecond = 30;
  private volatile Duration throttledHang = Duration.ofMillis(60_600);
  private volatile Duration channelTableLag = Duration.ofMillis(60);
  private volatile Duration sipRemoteHangupAfter = Duration.ofSeconds(2);
  private final Object throttleLock = new Object();
  private long throttleSecond = -1;
  private int throttleAttempts;
  private int throttleLast;
  private int throttlePeak;

  /** Creates an emulator with the password {@value #DEFAULT_PASSWORD}. */
  public EslEmulator() {
    this(DEFAULT_PASSWORD);
  }

  /**
   * Creates an emulator; call {@link #start()} to listen.
   *
   * @param password the event socket password, not null
   */
  public EslEmulator(String password) {
    super("esl", FrameSplitter.headersWithContentLength());
    this.password = Objects.requireNonNull(password, "password");
    // A thawed FreeSWITCH runs the commands it read before the client left (a late originate).
    handleInputOfConnectionsClosedWhileStalled(true);
    this.events =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "emulator-esl-events");
              t.setDaemon(true);
              return t;
            });
    // The numbers of the recorded dialplan.
    routes.put("9100", Behavior.ANSWER);
    routes.put("9101", Behavior.ANSWER);
    routes.put("9102", Behavior.BUSY);
    routes.put("9103", Behavior.ANSWER_THEN_HANGUP);
    routes.put("9104", Behavior.ANSWER_THEN_HANGUP);
    routes.put("9105", Behavior.NO_ANSWER);
    routes.put("9196", Behavior.ANSWER);
    routes.put("99999", Behavior.UNKNOWN);
    // The stock directory: users 1000-1019, none registered until a phone registers.
    for (int n = 1000; n <= 1019; n++) {
      directory.put(Integer.toString(n), false);
    }
    // The directory user of files 21-33 (domain sdk).
    users.put(
        "esl-limited@sdk",
        new EslUser(
            "ClueCon",
            List.of("HEARTBEAT", "BACKGROUND_JOB"),
            List.of("status", "show", "originate", "uuid_kill")));
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EslEmulator.class);

  /** Tasks an api command queues while it runs; started only after its response is written. */
  private final ThreadLocal<List<Runnable>> afterReply = new ThreadLocal<>();

  /** Runs {@code task} on the event thread after the tasks already queued; failures are logged. */
  private void later(Runnable task) {
    List<Runnable> deferred = afterReply.get();
    if (deferred != null) {
      deferred.add(task); // FreeSWITCH answers an api command before the events it causes
      return;
    }
    laterBy(task, 0, TimeUnit.MILLISECONDS);
  }

  private void laterBy(Runnable task, long delay, TimeUnit unit) {
    try {
      events.schedule(
          () -> {
            try {
              task.run();
            } catch (RuntimeException | Error e) {
              LOG.warn("esl emulator: event task failed", e);
            }
          },
          delay,
          unit);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the emulator is closed: nothing more to send
    }
  }

  @Override
  public EslEmulator start() {
    super.start();
    return this;
  }

  @Override
  public synchronized EslEmulator start(int port) {
    super.start(port);
    return this;
  }

  /**
   * Sets what originating to {@code destination} does.
   *
   * @param destination the number as in the dial string's last part, not null
   * @param behavior not null
   * @return this emulator
   */
  public EslEmulator route(String destination, Behavior behavior) {
    routes.put(Objects.requireNonNull(destination), Objects.requireNonNull(behavior));
    return this;
  }

  /** Sets the behavior of numbers without a {@link #route}; {@link Behavior#ANSWER} by default. */
  public EslEmulator defaultBehavior(Behavior behavior) {
    this.defaultBehavior = Objects.requireNonNull(behavior);
    return this;
  }

  /** Sets how long a {@link Behavior#NO_ANSWER} call rings at most (2 s by default). */
  public EslEmulator noAnswerAfter(Duration d) {
    this.noAnswerAfter = Objects.requireNonNull(d);
    return this;
  }

  /** Sets when the far end of {@link Behavior#ANSWER_THEN_HANGUP} hangs up (200 ms by default). */
  public EslEmulator remoteHangupAfter(Duration d) {
    this.remoteHangupAfter = Objects.requireNonNull(d);
    return this;
  }

  /** Sets how long an answering destination rings before it answers (0 by default). */
  public EslEmulator answerAfter(Duration d) {
    this.answerAfter = Objects.requireNonNull(d);
    return this;
  }

  /**
   * Adds a directory user for {@code userauth <user>@<domain>:<password>}, with its {@code
   * esl-allowed-events} and {@code esl-allowed-api}. FreeSWITCH refuses a whole {@code event}
   * command that names one event not allowed, and answers a refused {@code api} with a {@code
   * command/reply -ERR permission denied}.
   *
   * @param userAtDomain such as {@code esl-limited@sdk}, not null
   * @param password the user's {@code esl-password}, not null
   * @param allowedEvents event names, or {@code all}
   * @param allowedApi api command names
   * @return this emulator
   */
  public EslEmulator user(
      String userAtDomain, String password, List<String> allowedEvents, List<String> allowedApi) {
    users.put(
        Objects.requireNonNull(userAtDomain),
        new EslUser(
            Objects.requireNonNull(password), List.copyOf(allowedEvents), List.copyOf(allowedApi)));
    return this;
  }

  /**
   * Registers a directory user, so that {@code user/<number>} reaches it: it then behaves as its
   * {@link #route} says. FreeSWITCH's {@code user/} endpoint reaches only registered users of its
   * directory: a user in the directory without a registration fails the originate with {@code
   * USER_NOT_REGISTERED}, a number not in the directory (a dialplan extension, say) with {@code
   * SUBSCRIBER_ABSENT}, both without any channel event. The stock directory holds 1000-1019.
   *
   * @param number the user, not null
   * @return this emulator
   */
  public EslEmulator registerUser(String number) {
    directory.put(Objects.requireNonNull(number), true);
    return this;
  }

  /**
   * Sets the clock whose whole seconds the session throttle ({@code sessions-per-second}) and the
   * originate timeouts count, as FreeSWITCH counts whole clock seconds.
   */
  public EslEmulator clock(java.time.Clock c) {
    this.clock = Objects.requireNonNull(c);
    return this;
  }

  /**
   * Sets {@code sessions-per-second} of {@code switch.conf.xml} (stock 30). A loopback or SIP
   * self-loop call creates two sessions; the session that would be the limit-th of one clock second
   * is refused: an originate whose first leg is refused fails at once with {@code
   * DESTINATION_OUT_OF_ORDER}, one whose second leg is refused leaves its first leg hanging for
   * {@link #throttledHang(Duration)} before {@code NO_ANSWER}, as recorded (file 21).
   */
  public EslEmulator sessionsPerSecond(int limit) {
    this.sessionsPerSecond = limit;
    return this;
  }

  /** Sets how long a throttled call's first leg hangs before NO_ANSWER (60.6 s recorded). */
  public EslEmulator throttledHang(Duration d) {
    this.throttledHang = Objects.requireNonNull(d);
    return this;
  }

  /**
   * Sets how far {@code show channels} (the core db) lags the channels, both ways: a new channel is
   * listed, and an ended one dropped, this long after the fact (30-120 ms recorded; 60 ms by
   * default). {@code uuid_exists} does not lag.
   */
  public EslEmulator channelTableLag(Duration d) {
    this.channelTableLag = Objects.requireNonNull(d);
    return this;
  }

  /** Brings {@code show channels} up to date now, as the core db is after its lag. */
  public void syncChannelTable() {
    channelTableSynced = System.nanoTime();
  }

  private volatile long channelTableSynced = Long.MIN_VALUE;

  /** Whether the core db has seen the call's channels, and not yet their end. */
  private boolean listed(EslCall c) {
    long now = System.nanoTime();
    long lag = channelTableLag.toNanos();
    long synced = channelTableSynced;
    boolean hasSynced = synced != Long.MIN_VALUE;
    boolean seen = now - c.createdNanos() >= lag || hasSynced && synced - c.createdNanos() >= 0;
    long end = c.endedNanos();
    boolean gone = end != 0 && (now - end >= lag || hasSynced && synced - end >= 0);
    return seen && !gone;
  }

  /** Returns the calls not yet ended. */
  public List<EslCall> activeCalls() {
    Set<EslCall> out = new LinkedHashSet<>();
    for (EslCall c : calls.values()) {
      if (c.phase() != EslCall.Phase.ENDED) {
        out.add(c);
      }
    }
    return new ArrayList<>(out);
  }

  /** Returns the call with this leg UUID (either leg), ended or not, or null. */
  public EslCall call(String uuid) {
    return calls.get(uuid);
  }

  /** Returns the DTMF digits clients sent to a leg with {@code uuid_send_dtmf}. */
  public List<String> dtmfSent(String uuid) {
    return List.copyOf(dtmfSent.getOrDefault(uuid, List.of()));
  }

  /** Returns every {@code api}/{@code bgapi} command line received, oldest first. */
  public List<String> apiCommands() {
    return List.copyOf(apiCommands);
  }

  /** Returns the members (leg UUIDs) of a conference room, empty when it does not exist. */
  public List<String> conferenceMembers(String room) {
    return List.copyOf(conferences.getOrDefault(room, List.of()));
  }

  @Override
  protected SessionHandler newHandler(EmulatorSession session) {
    sessionsSinceStart.incrementAndGet();
    return new EslSession();
  }

  @Override
  protected byte[] garbage() {
    return ("\u00ff\u00fe\u0000 not an event socket frame\n\n"
            + "Content-Type: api/response\nContent-Length: -5\n\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  protected byte[] hugeFrame(int payloadBytes) {
    EslEventTemplate ev = heartbeatEvent().with("Event-Name", "CUSTOM");
    ev = ev.with("Event-Subclass", "emulator::huge").with("Huge-Value", "x".repeat(payloadBytes));
    return ev.plainFrame();
  }

  @Override
  public void close() {
    events.shutdownNow();
    super.close();
  }

  // ---- server-side actions ----------------------------------------------------------------

  /**
   * Rings the client: a new inbound channel ({@code CHANNEL_CREATE} with {@code Call-Direction:
   * inbound}); answer it with {@code uuid_answer}, end it with {@code uuid_kill}.
   *
   * @param from the caller number, not null
   * @param to the dialled number, not null
   * @return the new channel's UUID
   */
  public String placeInboundCall(String from, String to) {
    String uuid = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();
    EslCall call = new EslCall(uuid, other, from, to, true);
    calls.put(uuid, call);
    later(
        () -> {
          // The recorded B leg is an inbound channel: it becomes the client's leg here.
          for (EslEventTemplate ev : Scenes.ANSWER.events) {
            if (ev.name().equals("CHANNEL_CREATE")
                && Scenes.ANSWER.legB.equals(ev.raw("Unique-ID"))) {
              emit(
                  rewrite(Scenes.ANSWER, ev, other, uuid, null, to)
                      .with("Caller-Caller-ID-Number", from)
                      .with("Caller-Destination-Number", to)
                      .with("Channel-Name", "sofia/internal/" + from + "@127.0.0.1")
                      .without("variable_loopback_leg")
                      .without("variable_is_loopback")
                      .without("variable_other_loopback_leg_uuid")
                      .without("variable_other_loopback_from_uuid"));
            }
          }
        });
    return uuid;
  }

  /**
   * The far end hangs up an answered or ringing call.
   *
   * @param uuid either leg, not null
   * @param cause a FreeSWITCH cause name such as {@code NORMAL_CLEARING}
   */
  public void hangupFromRemote(String uuid, String cause) {
    EslCall call = calls.get(uuid);
    if (call == null) {
      throw new IllegalArgumentException("no such call " + uuid);
    }
    later(() -> teardown(call, cause, true));
  }

  /**
   * The far end sends DTMF: one {@code DTMF} event per digit on the client's leg.
   *
   * @param uuid the client's leg, not null
   * @param digits the digits, not null
   */
  public void dtmfFromRemote(String uuid, String digits) {
    EslCall call = calls.get(uuid);
    if (call == null) {
      throw new IllegalArgumentException("no such call " + uuid);
    }
    later(
        () -> {
          for (char d : digits.toCharArray()) {
            emit(
                channelEvent(call, "DTMF")
                    .with("DTMF-Digit", String.valueOf(d))
                    .with("DTMF-Duration", "2000")
                    .with("DTMF-Source", "RTP"));
          }
        });
  }

  /** Sends a {@code HEARTBEAT} event to subscribed clients. */
  public void heartbeat() {
    later(
        () -> {
          emit(heartbeatEvent());
          // FreeSWITCH re-schedules the heartbeat task right after, with its own event.
          List<Map.Entry<String, String>> h =
              coreEventHeaders(
                  "RE_SCHEDULE", "switch_scheduler.c", "switch_scheduler_execute", "73");
          h.add(Map.entry("Task-ID", "1"));
          h.add(Map.entry("Task-Desc", "heartbeat"));
          h.add(Map.entry("Task-Group", "core"));
          h.add(Map.entry("Task-Runtime", Long.toString(System.currentTimeMillis() / 1000 + 20)));
          emit(new EslEventTemplate(h, null));
        });
  }

  /** Sends {@code text/disconnect-notice} to every client and closes the connections. */
  public void sendDisconnectNotice() {
    for (EmulatorSession s : sessions()) {
      sendNoticeAndClose(s);
    }
  }

  /**
   * Sends an event to every subscribed client, e.g. a {@code CUSTOM} event.
   *
   * @param event the event, not null
   */
  public void pushEvent(EslEventTemplate event) {
    later(() -> emit(event));
  }

  // ---- the session protocol ----------------------------------------------------------------

  private final class EslSession implements SessionHandler {
    private volatile boolean authenticated;
    private volatile String format = "plain";
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private volatile boolean all;
    private volatile EslUser user; // null: auth with the password, no limits
    private EmulatorSession session;
    // FreeSWITCH writes the events it queued while it handled commands only once its input is
    // processed (pipelined commands, a blocking api originate): held here until then.
    private final List<byte[]> held = new ArrayList<>();
    private boolean busy;

    @Override
    public void onConnect(EmulatorSession session) {
      this.session = session;
      session.send("Content-Type: auth/request\n\n");
    }

    synchronized void deliver(byte[] frame) {
      if (busy) {
        held.add(frame);
      } else {
        session.send(frame);
      }
    }

    private synchronized void busy() {
      busy = true;
    }

    @Override
    public synchronized void onInputDrained(EmulatorSession s) {
      busy = false;
      for (byte[] frame : held) {
        s.send(frame);
      }
      held.clear();
    }

    @Override
    public void onFrame(EmulatorSession session, Frame frame) {
      String text = frame.text();
      int nl = text.indexOf('\n');
      String line = (nl < 0 ? text : text.substring(0, nl)).strip();
      if (line.isEmpty()) {
        return; // a stray empty line
      }
      busy();
      String cmd = word(line, 0);
      String rest = after(line, cmd);
      if (!authenticated) {
        switch (cmd) {
          case "auth" -> {
            if (password.equals(rest)) {
              authenticated = true;
              reply(session, "+OK accepted");
            } else {
              reply(session, "-ERR invalid");
              sendNoticeAndClose(session);
            }
          }
          case "userauth" -> userauth(session, rest);
          case "exit" -> exit(session);
          default -> reply(session, "-ERR command not found");
        }
        return;
      }
      switch (cmd) {
        case "event" -> subscribe(session, rest);
        case "nixevent" -> {
          for (String n : words(rest)) {
            names.remove(n);
            if (n.equals("ALL")) {
              all = false;
            }
          }
          reply(session, "+OK events nixed");
        }
        case "noevents" -> {
          boolean listening = all || !names.isEmpty();
          all = false;
          names.clear();
          reply(
              session,
              listening ? "+OK no longer listening for events" : "-ERR not listening for events");
        }
        case "filter" -> {
          List<String> w = words(rest);
          if (!w.isEmpty() && w.get(0).equals("delete")) {
            reply(
                session,
                "+OK filter deleted. ["
                    + (w.size() > 1 ? w.get(1) : "")
                    + "]["
                    + (w.size() > 2 ? w.get(2) : "")
                    + "]");
          } else {
            int s = !w.isEmpty() && w.get(0).equals("add") ? 1 : 0;
            reply(
                session,
                "+OK filter added. ["
                    + (w.size() > s ? w.get(s) : "")
                    + "]=["
                    + (w.size() > s + 1 ? w.get(s + 1) : "")
                    + "]");
          }
        }
        case "divert_events" -> reply(session, "-ERR not controlling a session.");
        case "linger", "nolinger", "myevents" -> reply(session, "-ERR not controlling a session");
        case "log" -> reply(session, "+OK log level " + (rest.isEmpty() ? "debug" : rest) + " [6]");
        case "nolog" -> reply(session, "+OK no longer logging");
        case "exit" -> exit(session);
        case "api" -> {
          if (!apiAllowed(rest)) {
            reply(session, "-ERR permission denied"); // a command/reply, not an api/response
            return;
          }
          apiCommands.add(rest);
          List<Runnable> deferred = new ArrayList<>();
          afterReply.set(deferred);
          String result;
          java.util.concurrent.CompletableFuture<String> sync =
              new java.util.concurrent.CompletableFuture<>();
          try {
            result = api(rest, null, sync);
          } finally {
            afterReply.remove();
          }
          if (result == null) {
            result = awaitSyncAnswer(sync); // api originate blocks the socket until it is decided
          }
          if (result != null) {
            apiResponse(session, result);
          }
          String command = word(rest, 0);
          later(() -> emit(apiEvent(command, after(rest, command))));
          deferred.forEach(EslEmulator.this::later);
        }
        case "bgapi" -> {
          if (!apiAllowed(rest)) {
            reply(session, "-ERR permission denied");
            return;
          }
          apiCommands.add(rest);
          String job = frame.header("Job-UUID").orElse(UUID.randomUUID().toString());
          session.send(
              "Content-Type: command/reply\nReply-Text: +OK Job-UUID: "
                  + job
                  + "\nJob-UUID: "
                  + job
                  + "\n\n");
          String command = word(rest, 0);
          later(() -> emit(apiEvent(command, after(rest, command))));
          String result = api(rest, job, null);
          if (result != null) {
            later(() -> emit(backgroundJob(job, command, after(rest, command), result)));
          }
        }
        case "sendmsg" -> sendmsg(session, rest, frame);
        default -> reply(session, "-ERR command not found");
      }
    }

    /**
     * {@code sendmsg <uuid>} with {@code call-command: execute} (an application on the channel,
     * after what it runs now: CHANNEL_EXECUTE) or {@code call-command: hangup} (the running
     * application's CHANNEL_EXECUTE_COMPLETE, then the hangup), as in file 15; both answer {@code
     * +OK}. A loopback call's A leg only, the one the originate names.
     */
    private void sendmsg(EmulatorSession session, String rest, Frame frame) {
      EslCall call = rest.isEmpty() ? null : live(rest);
      if (call == null || !call.uuid().equals(rest)) {
        reply(session, "-ERR invalid session id [" + rest + "]");
        return;
      }
      String command = frame.header("call-command").orElse("");
      switch (command) {
        case "execute" -> {
          String app = frame.header("execute-app-name").orElse("");
          String arg = frame.header("execute-app-arg").orElse("");
          call.ids().put("executing-app", app);
          call.ids().put("executing-arg", arg);
          later(() -> playExecute("lo-execute", call, app, arg));
          reply(session, "+OK");
        }
        case "hangup" -> {
          String cause = frame.header("hangup-cause").orElse("NORMAL_CLEARING");
          call.dying(true);
          reply(session, "+OK");
          later(
              () -> {
                String app = call.ids().remove("executing-app");
                String arg = call.ids().remove("executing-arg");
                if (app != null) {
                  playExecute("lo-execute-complete", call, app, arg);
                }
                kill(call, call.uuid(), cause);
              });
        }
        default -> reply(session, "-ERR invalid command");
      }
    }

    private void userauth(EmulatorSession session, String rest) {
      // userauth <user>@<domain>:<password>
      int colon = rest.indexOf(':');
      EslUser u = colon < 0 ? null : users.get(rest.substring(0, colon));
      if (u == null || !u.password().equals(rest.substring(colon + 1))) {
        reply(session, "-ERR invalid");
        sendNoticeAndClose(session);
        return;
      }
      authenticated = true;
      user = u;
      session.send(
          "Content-Type: command/reply\nReply-Text: +OK accepted\nAllowed-Events: "
              + String.join(",", u.allowedEvents())
              + "\nAllowed-API: "
              + String.join(",", u.allowedApi())
              + "\nAllowed-LOG: true\n\n");
    }

    private boolean apiAllowed(String line) {
      EslUser u = user;
      return u == null || u.allowedApi().contains(word(line, 0));
    }

    private void subscribe(EmulatorSession session, String rest) {
      List<String> w = words(rest);
      EslUser u = user;
      if (u != null) {
        for (String n : w.subList(Math.min(1, w.size()), w.size())) {
          if (!u.allowedEvents().contains(n) && !u.allowedEvents().contains("all")) {
            reply(session, "-ERR permission denied"); // one name refused rejects the command
            return;
          }
        }
      }
      if (!w.isEmpty()) {
        String f = w.get(0);
        if (f.equals("plain") || f.equals("json") || f.equals("xml")) {
          format = f;
        }
        boolean custom = false;
        for (String n : w.subList(1, w.size())) {
          if (n.equals("ALL")) {
            all = true;
          } else if (n.equals("CUSTOM")) {
            custom = true;
            names.add(n);
          } else if (custom && n.contains("::")) {
            names.add("CUSTOM " + n);
          } else {
            names.add(n);
          }
        }
      }
      reply(session, "+OK event listener enabled " + format);
    }

    boolean wants(EslEventTemplate ev) {
      if (!authenticated) {
        return false;
      }
      if (all) {
        return true;
      }
      String name = ev.name();
      if (name.equals("CUSTOM")) {
        String sub = ev.value("Event-Subclass");
        return names.contains("CUSTOM " + sub) || names.contains("ALL");
      }
      return names.contains(name);
    }

    /** Whether a recording made with {@code scene}'s subscription saw all this client wants. */
    boolean coveredBy(EslScene scene) {
      return scene.covers(names, all);
    }

    byte[] render(EslEventTemplate ev) {
      return switch (format) {
        case "json" -> ev.jsonFrame();
        case "xml" -> xmlFrame(ev);
        default -> ev.plainFrame();
      };
    }
  }

  /**
   * An event socket user of the directory ({@code userauth user@domain:password}), with the {@code
   * esl-allowed-events} and {@code esl-allowed-api} parameters of its entry.
   *
   * @param password the {@code esl-password}
   * @param allowedEvents event names, or {@code all}
   * @param allowedApi api command names
   */
  private record EslUser(String password, List<String> allowedEvents, List<String> allowedApi) {}

  private static String awaitSyncAnswer(java.util.concurrent.CompletableFuture<String> sync) {
    try {
      return sync.get(10, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    }
  }

  private void exit(EmulatorSession session) {
    reply(session, "+OK bye");
    sendNoticeAndClose(session);
  }

  private static void reply(EmulatorSession session, String text) {
    session.send("Content-Type: command/reply\nReply-Text: " + text + "\n\n");
  }

  private static void apiResponse(EmulatorSession session, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    session.send(
        EslEventTemplate.concat(
            ("Content-Type: api/response\nContent-Length: " + b.length + "\n\n")
                .getBytes(StandardCharsets.US_ASCII),
            b));
  }

  private static void sendNoticeAndClose(EmulatorSession session) {
    session.send(
        "Content-Type: text/disconnect-notice\nContent-Length: "
            + DISCONNECT_TEXT.length()
            + "\n\n"
            + DISCONNECT_TEXT);
    session.close();
  }

  private void emit(EslEventTemplate event) {
    EslEventTemplate ev =
        event
            .with("Event-Sequence", Long.toString(sequence.incrementAndGet()))
            .with(
                "Event-Date-Timestamp",
                Long.toString(
                    System.currentTimeMillis() * 1000L + (System.nanoTime() / 1000) % 1000));
    for (EmulatorSession s : sessions()) {
      if (s.handler() instanceof EslSession es && es.wants(ev)) {
        es.deliver(es.render(ev));
      }
    }
  }

  private EslEventTemplate stamped(EslEventTemplate event) {
    return event
        .with("Event-Sequence", Long.toString(sequence.incrementAndGet()))
        .with(
            "Event-Date-Timestamp",
            Long.toString(System.currentTimeMillis() * 1000L + (System.nanoTime() / 1000) % 1000));
  }

  // ---- api commands ------------------------------------------------------------------------

  /**
   * Runs an api command. Returns the response body, or null when the answer is sent later (a
   * synchronous originate answers when the call is answered or fails).
   */
  private String api(String line, String job, java.util.concurrent.CompletableFuture<String> sync) {
    String cmd = word(line, 0);
    String args = after(line, cmd);
    List<String> a = words(args);
    switch (cmd) {
      case "status":
        {
          int n = liveSessions();
          int perSec;
          int peak;
          synchronized (throttleLock) {
            perSec = clock.millis() / 1000 == throttleSecond ? throttleAttempts : 0;
            peak = throttlePeak;
          }
          return String.format(
              STATUS_TEXT, sessionsSinceStart.get(), n, perSec, sessionsPerSecond, peak, peak);
        }
      case "hupall":
        {
          String cause = a.isEmpty() ? "MANAGER_REQUEST" : a.get(0);
          Set<EslCall> live = new LinkedHashSet<>();
          for (EslCall c : calls.values()) {
            if (live(c.uuid()) != null) {
              live.add(c);
            }
          }
          for (EslCall c : live) {
            c.dying(true);
            later(() -> kill(c, c.uuid(), cause));
          }
          return "+OK hangup all channels with cause " + cause + "\n";
        }
      case "version":
        return "FreeSWITCH Version 1.10.12-release~64bit (-release 64bit)\n";
      case "originate":
        return originate(args, job, sync);
      case "uuid_exists":
        return a.isEmpty() ? "false" : Boolean.toString(live(a.get(0)) != null);
      case "uuid_kill":
        {
          EslCall call = a.isEmpty() ? null : live(a.get(0));
          if (call == null) {
            return "-ERR No such channel!\n";
          }
          String cause = a.size() > 1 ? a.get(1) : "NORMAL_CLEARING";
          String leg = a.get(0);
          call.dying(true); // uuid_exists says false at once; the events follow the reply
          later(() -> kill(call, leg, cause));
          return "+OK\n";
        }
      case "uuid_answer":
        {
          EslCall call = a.isEmpty() ? null : live(a.get(0));
          if (call == null) {
            return "-ERR No such channel!\n";
          }
          later(
              () -> {
                if (call.phase() == EslCall.Phase.RINGING) {
                  call.phase(EslCall.Phase.ANSWERED);
                  emit(channelEvent(call, "CHANNEL_ANSWER"));
                }
              });
          return "+OK\n";
        }
      case "uuid_hold":
        {
          boolean off = !a.isEmpty() && a.get(0).equals("off");
          boolean toggle = !a.isEmpty() && a.get(0).equals("toggle");
          int at = off || toggle ? 1 : 0;
          EslCall call = a.size() > at ? live(a.get(at)) : null;
          if (call == null) {
            return "-ERR No such channel!\n";
          }
          if (call.phase() == EslCall.Phase.RINGING || call.phase() == EslCall.Phase.EARLY) {
            return "-ERR Operation failed\n";
          }
          if (!call.endpoint().equals("classic")) {
            return recordedHold(call, toggle ? call.phase() != EslCall.Phase.HELD : !off);
          }
          boolean hold = toggle ? call.phase() != EslCall.Phase.HELD : !off;
          later(
              () -> {
                if (call.phase() == EslCall.Phase.ENDED) {
                  return;
                }
                call.phase(hold ? EslCall.Phase.HELD : EslCall.Phase.ANSWERED);
                play(hold ? Scenes.HOLD : Scenes.UNHOLD, call, null, null);
              });
          return "+OK Success\n";
        }
      case "uuid_transfer":
        {
          EslCall call = a.isEmpty() ? null : live(a.get(0));
          if (call == null) {
            return "-ERR No such channel!\n";
          }
          int at = a.size() > 1 && a.get(1).startsWith("-") ? 2 : 1;
          String target = a.size() > at ? a.get(at) : "";
          if (target.isEmpty()) {
            return "-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n";
          }
          if (target.startsWith("'att_xfer:") || target.startsWith("att_xfer:")) {
            String dial = target.replace("'", "").substring("att_xfer:".length());
            later(() -> attendedTransfer(call, dial));
          } else if (!call.endpoint().equals("classic")
              && !target.startsWith("conference:")
              && !target.startsWith("'conference:")) {
            String context = a.size() > at + 2 ? a.get(at + 2) : "default";
            later(() -> recordedTransfer(call, target, context));
          } else if (target.startsWith("conference:") || target.startsWith("'conference:")) {
            String room = target.replace("'", "").substring("conference:".length());
            int atSign = room.indexOf('@');
            String name = atSign < 0 ? room : room.substring(0, atSign);
            joinConference(call, name);
          } else {
            String transferred = a.get(0);
            Behavior then = routes.getOrDefault(target, defaultBehavior);
            later(() -> transfer(call, transferred, target, then));
          }
          return "+OK\n";
        }
      case "uuid_bridge":
        {
          EslCall one = a.isEmpty() ? null : live(a.get(0));
          EslCall two = a.size() > 1 ? live(a.get(1)) : null;
          if (one == null || two == null) {
            return "-ERR Invalid uuid\n";
          }
          String u1 = a.get(0);
          String u2 = a.get(1);
          if (!one.endpoint().equals("classic") && !two.endpoint().equals("classic")) {
            later(() -> recordedBridge(one, two, u1));
            return "+OK " + u2 + "\n";
          }
          // As recorded (file 27): the answer names the second channel, and one CHANNEL_BRIDGE
          // comes, on the first.
          one.bridgedTo(two);
          two.bridgedTo(one);
          one.bridgeFirstLeg(u1);
          two.bridgeFirstLeg(u1);
          later(
              () ->
                  emit(
                      channelEvent(one, "CHANNEL_BRIDGE")
                          .with("Bridge-A-Unique-ID", u1)
                          .with("Bridge-B-Unique-ID", u2)
                          .with("Other-Leg-Unique-ID", u2)));
          return "+OK " + u2 + "\n";
        }
      case "uuid_record":
        {
          EslCall call = a.isEmpty() ? null : live(a.get(0));
          if (call == null) {
            return "-ERR No such channel!\n";
          }
          if (a.size() < 3 || !(a.get(1).equals("start") || a.get(1).equals("stop"))) {
            return "-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>]\n";
          }
          String name = a.get(1).equals("start") ? "RECORD_START" : "RECORD_STOP";
          String path = a.get(2);
          later(() -> emit(channelEvent(call, name).with("Record-File-Path", path)));
          return "+OK Success\n";
        }
      case "uuid_send_dtmf":
        {
          EslCall call = a.isEmpty() ? null : live(a.get(0));
          if (call == null) {
            return "-ERR No such channel!\n";
          }
          if (a.size() < 2) {
            return "-USAGE: <uuid> <dtmf_data>\n";
          }
          dtmfSent.computeIfAbsent(a.get(0), k -> new CopyOnWriteArrayList<>()).add(a.get(1));
          return "+OK Success\n";
        }
      case "conference":
        {
          if (a.size() >= 2 && a.get(1).equals("json_list")) {
            List<String> members = conferences.get(a.get(0));
            if (members == null || members.isEmpty()) {
              return "-ERR Conference " + a.get(0) + " not found\n";
            }
            return conferenceJson(a.get(0), members);
          }
          if (a.size() >= 1 && a.get(0).equals("json_list")) {
            StringBuilder sb = new StringBuilder("[");
            for (Map.Entry<String, List<String>> e : conferences.entrySet()) {
              if (sb.length() > 1) {
                sb.append(',');
              }
              String one = conferenceJson(e.getKey(), e.getValue());
              sb.append(one, 1, one.length() - 1);
            }
            return sb.append(']').toString();
          }
          return "-ERR Conference command not supported by the emulator\n";
        }
      case "show":
        if (args.equals("channels as json") || args.equals("calls as json")) {
          return channelsJson();
        }
        if (args.equals("channels") || args.equals("calls")) {
          return channelsCsv();
        }
        if (args.equals("channels count") || args.equals("calls count")) {
          return "\n" + channelRows().size() + " total.\n";
        }
        return "-ERR show " + args + " is not supported by the emulator\n";
      default:
        return "-ERR " + cmd + " Command not found!\n";
    }
  }

  private EslCall live(String uuid) {
    EslCall c = calls.get(uuid);
    return c == null || c.phase() == EslCall.Phase.ENDED || c.dying() ? null : c;
  }

  private String originate(
      String args, String job, java.util.concurrent.CompletableFuture<String> sync) {
    Map<String, String> vars = new HashMap<>();
    int p = 0;
    String s = args.strip();
    if (s.isEmpty()) {
      return "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>]"
          + " [<cid_name>] [<cid_num>] [<timeout_sec>]\n";
    }
    // <ultra-global>, {global} and [leg] variable blocks, in that order, before the endpoint.
    while (p < s.length() && (s.charAt(p) == '<' || s.charAt(p) == '{' || s.charAt(p) == '[')) {
      char close = s.charAt(p) == '<' ? '>' : s.charAt(p) == '{' ? '}' : ']';
      int end = s.indexOf(close, p);
      if (end < 0) {
        return "-ERR INVALID_URL\n";
      }
      for (String kv : s.substring(p + 1, end).split(",")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          vars.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      p = end + 1;
    }
    int space = s.indexOf(' ', p);
    String endpoint = space < 0 ? s.substring(p) : s.substring(p, space);
    List<String> tail = words(space < 0 ? "" : s.substring(space + 1));
    String dest = endpoint.substring(endpoint.lastIndexOf('/') + 1);
    int atSign = dest.indexOf('@');
    if (atSign >= 0) {
      dest = dest.substring(0, atSign);
    }
    String tech = endpoint.contains("/") ? endpoint.substring(0, endpoint.indexOf('/')) : "";
    if (!List.of("loopback", "sofia", "user", "verto.rtc", "group").contains(tech)) {
      return "-ERR CHAN_NOT_IMPLEMENTED\n";
    }
    String[] parts = endpoint.split("/");
    String context = "default";
    if (tech.equals("loopback") && parts.length >= 3) {
      dest = parts[1]; // loopback/<exten>/<context>
      context = parts[2];
    }
    String kind = "classic";
    if (tech.equals("loopback") && context.equals("sdk") && RECORDED.containsKey(dest)) {
      kind = "loopback";
    } else if (endpoint.startsWith("sofia/internal/")
        && endpoint.endsWith("@127.0.0.1:5082")
        && RECORDED.containsKey(dest)) {
      kind = "sip"; // the recorded SIP self-loop: profile internal calls profile external
    }
    String uuidA = vars.getOrDefault("origination_uuid", UUID.randomUUID().toString());
    if (calls.containsKey(uuidA)) {
      return "-ERR DUPLICATE_UUID\n";
    }
    String from =
        vars.getOrDefault(
            "origination_caller_id_number", tail.size() > 4 ? tail.get(4) : "0000000000");
    long timeoutMs = noAnswerAfter.toMillis();
    String t = vars.getOrDefault("originate_timeout", tail.size() > 5 ? tail.get(5) : null);
    if (t != null && t.matches("\\d+")) {
      timeoutMs = Math.min(timeoutMs, Long.parseLong(t) * 1000);
    }
    if (tech.equals("user") && !Boolean.TRUE.equals(directory.get(dest))) {
      // user/ resolves through the directory before any session exists.
      return refused(
          directory.containsKey(dest) ? "USER_NOT_REGISTERED" : "SUBSCRIBER_ABSENT",
          job,
          args,
          sync);
    }
    int legs = throttle(tech.equals("loopback") || kind.equals("sip") ? 2 : 1);
    if (legs == 0) {
      // Throttle Error: no session, no event; the job (or the api) answers at once.
      return refused("DESTINATION_OUT_OF_ORDER", job, args, sync);
    }
    EslCall call = new EslCall(uuidA, UUID.randomUUID().toString(), from, dest, false, kind);
    call.callerName(vars.get("origination_caller_id_name"));
    vars.forEach(call::variable);
    calls.put(call.uuid(), call);
    calls.put(call.otherUuid(), call);
    if (job != null) {
      jobs.put(call.uuid(), job);
    }
    if (!kind.equals("classic")) {
      boolean ignoreEarly = "true".equals(vars.get("ignore_early_media"));
      long timeoutSec = t != null && t.matches("\\d+") ? Long.parseLong(t) : 60;
      boolean oneLeg = legs == 1;
      long receivedMillis = clock.millis(); // FreeSWITCH counts the timeout from here
      long receivedNanos = System.nanoTime();
      laterBy(
          () ->
              startRecorded(
                  call, job, sync, ignoreEarly, timeoutSec, oneLeg, receivedMillis, receivedNanos),
          0,
          TimeUnit.MILLISECONDS);
      return null;
    }
    Behavior behavior = routes.getOrDefault(dest, defaultBehavior);
    boolean ringFirst = !tech.equals("loopback");
    long ringMs = timeoutMs;
    // Not deferred past the reply: a synchronous originate's reply waits for this.
    laterBy(
        () -> startCall(call, behavior, job, ringFirst, ringMs, sync), 0, TimeUnit.MILLISECONDS);
    return null; // answered by startCall: in the scene (bgapi) or as the api response
  }

  /** An originate that failed before any session: the job (or the api) answers at once. */
  private String refused(
      String cause, String job, String args, java.util.concurrent.CompletableFuture<String> sync) {
    String answer = "-ERR " + cause + "\n";
    if (sync != null) {
      return answer;
    }
    later(() -> emit(backgroundJob(job, "originate", args, answer)));
    return null;
  }

  private void startCall(
      EslCall call,
      Behavior behavior,
      String job,
      boolean ringFirst,
      long ringMs,
      java.util.concurrent.CompletableFuture<String> sync) {
    switch (behavior) {
      case ANSWER, ANSWER_THEN_HANGUP -> {
        List<EslEventTemplate> setup = Scenes.ANSWER.events;
        int answerAt = indexOf(setup, "CHANNEL_ANSWER", 0);
        playRange(Scenes.ANSWER, call, job, null, 0, answerAt, ringFirst);
        Runnable answer =
            () -> {
              if (call.phase() != EslCall.Phase.RINGING) {
                return;
              }
              call.phase(EslCall.Phase.ANSWERED);
              playRange(Scenes.ANSWER, call, job, null, answerAt, parkedEnd(), false);
              if (sync != null) {
                sync.complete("+OK " + call.uuid() + "\n");
              }
              if (behavior == Behavior.ANSWER_THEN_HANGUP) {
                laterBy(
                    () -> teardown(call, "NORMAL_CLEARING", true),
                    remoteHangupAfter.toMillis(),
                    TimeUnit.MILLISECONDS);
              }
            };
        if (answerAfter.isZero()) {
          answer.run();
        } else {
          laterBy(answer, answerAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
      case BUSY, UNKNOWN -> {
        EslScene scene = behavior == Behavior.BUSY ? Scenes.BUSY : Scenes.UNKNOWN;
        String cause = behavior == Behavior.BUSY ? "USER_BUSY" : "NO_ROUTE_DESTINATION";
        call.ended(cause);
        play(scene, call, job, null);
        if (sync != null) {
          sync.complete("-ERR " + cause + "\n");
        }
      }
      case NO_ANSWER -> {
        int hangupAt = indexOf(Scenes.BUSY.events, "CHANNEL_HANGUP", 0);
        playRange(Scenes.BUSY, call, job, null, 0, hangupAt, ringFirst);
        laterBy(
            () -> {
              if (call.phase() != EslCall.Phase.RINGING) {
                return;
              }
              call.ended("NO_ANSWER");
              playRange(
                  Scenes.BUSY, call, job, "NO_ANSWER", hangupAt, Scenes.BUSY.events.size(), false);
              if (sync != null) {
                sync.complete("-ERR NO_ANSWER\n");
              }
            },
            ringMs,
            TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Ends a call: the recorded hangup of an answered call, or of a ringing one, with a cause. */
  private void teardown(EslCall call, String cause, boolean remote) {
    EslCall.Phase phase = call.phase();
    if (phase == EslCall.Phase.ENDED) {
      return;
    }
    call.ended(cause);
    String job = jobs.remove(call.uuid());
    leaveConference(call);
    EslCall partner = call.bridgedTo();
    if (partner != null) {
      // The other channel of a uuid_bridge hangs up once its partner left (file 27), and the
      // first channel of the bridge reports the unbridge.
      call.bridgedTo(null);
      partner.bridgedTo(null);
      EslCall first = call.uuid().equals(call.bridgeFirstLeg()) ? call : partner;
      later(
          () -> {
            emit(channelEvent(first, "CHANNEL_UNBRIDGE"));
            teardown(partner, "NORMAL_CLEARING", false);
          });
    }
    if (phase == EslCall.Phase.RINGING) {
      int hangupAt = indexOf(Scenes.BUSY.events, "CHANNEL_HANGUP", 0);
      playRange(Scenes.BUSY, call, job, cause, hangupAt, Scenes.BUSY.events.size(), false);
    } else if (remote && !call.inbound()) {
      // The far end's dialplan finishes first (its sleep completes, it runs hangup), as recorded.
      playRange(Scenes.ANSWER, call, null, cause, parkedEnd(), Scenes.ANSWER.events.size(), false);
      play(Scenes.REMOTE_HANGUP, call, null, cause);
    } else {
      // The applications the legs run (park, the extension's sleep) complete between the
      // hangup and its completion (file 15).
      int completeAt = indexOf(Scenes.KILL.events, "CHANNEL_HANGUP_COMPLETE", 0);
      playRange(Scenes.KILL, call, null, cause, 0, completeAt, false);
      playRecorded("lo-kill-executes", call, null, cause, null);
      playRange(Scenes.KILL, call, null, cause, completeAt, Scenes.KILL.events.size(), false);
    }
  }

  /**
   * A leg leaves park for a dialplan extension: the events of the recorded transfer (fixture 12, to
   * an extension that answers, sets a variable, sleeps and hangs up). Only an {@link
   * Behavior#ANSWER_THEN_HANGUP} extension runs that far (its hangup after {@link
   * #remoteHangupAfter}); any other extension is taken to keep the call up, so only the {@code
   * CHANNEL_UNPARK} is sent, as the emulator does not run a dialplan.
   */
  private void transfer(EslCall call, String transferred, String target, Behavior then) {
    if (call.phase() == EslCall.Phase.ENDED) {
      return;
    }
    String other = transferred.equals(call.uuid()) ? call.otherUuid() : call.uuid();
    List<EslEventTemplate> recorded = Scenes.TRANSFER.events;
    int hangupAt = indexOf(recorded, "CHANNEL_HANGUP", 0);
    boolean hangsUp = then == Behavior.ANSWER_THEN_HANGUP;
    playTransfer(call, transferred, other, target, 0, hangsUp ? hangupAt : 1);
    if (!hangsUp) {
      return;
    }
    laterBy(
        () -> {
          if (call.phase() == EslCall.Phase.ENDED) {
            return; // killed meanwhile
          }
          call.ended("NORMAL_CLEARING");
          jobs.remove(call.uuid());
          leaveConference(call);
          playTransfer(call, transferred, other, target, hangupAt, recorded.size());
        },
        remoteHangupAfter.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void playTransfer(
      EslCall call, String transferred, String other, String target, int from, int to) {
    EslScene scene = Scenes.TRANSFER;
    String recordedXfer = "%3A" + RECORDED_TRANSFER_TARGET + "/";
    String xfer = "%3A" + UrlCoding.encode(target) + "/";
    for (int i = from; i < to; i++) {
      EslEventTemplate out =
          rewrite(scene, scene.events.get(i), transferred, other, null, call.to())
              .map(
                  (name, raw) ->
                      raw.equals(RECORDED_TRANSFER_TARGET)
                          ? UrlCoding.encode(target)
                          : raw.replace(recordedXfer, xfer));
      if (call.uuid().equals(out.raw("Unique-ID"))) {
        out = out.with("Caller-Caller-ID-Number", call.from());
      }
      emit(out);
    }
  }

  private void joinConference(EslCall call, String room) {
    List<String> members = conferences.computeIfAbsent(room, k -> new CopyOnWriteArrayList<>());
    members.add(call.uuid());
    call.conference(room);
    int memberId = members.size();
    later(
        () ->
            emit(
                channelEvent(call, "CUSTOM")
                    .with("Event-Subclass", "conference::maintenance")
                    .with("Conference-Name", room)
                    .with("Conference-Size", Integer.toString(members.size()))
                    .with("Member-ID", Integer.toString(memberId))
                    .with("Action", "add-member")));
  }

  private void leaveConference(EslCall call) {
    String room = call.conference();
    if (room == null) {
      return;
    }
    List<String> members = conferences.get(room);
    if (members != null) {
      members.remove(call.uuid());
      if (members.isEmpty()) {
        conferences.remove(room);
      }
    }
    emit(
        channelEvent(call, "CUSTOM")
            .with("Event-Subclass", "conference::maintenance")
            .with("Conference-Name", room)
            .with("Action", "del-member"));
  }

  // ---- the recorded calls of files 21-33 -----------------------------------------------------

  /** What the extensions of the recorded dialplan (context {@code sdk}) do. */
  private enum Recorded {
    /** {@code 100}: answer, sleep 1 h; {@code 300}: answer, park. */
    ANSWER,
    /** {@code 184}: pre_answer and an endless tone; never answers. */
    EARLY,
    /** {@code 200}: answer, sleep 2 s, hangup. */
    HANGUP_AFTER,
    /** {@code 408}: ring_ready, sleep 120 s. */
    RING,
    /** {@code 486}: hangup USER_BUSY. */
    BUSY,
    /** {@code 3000}: answer, conference 3000@default. */
    CONFERENCE
  }

  private static final Map<String, Recorded> RECORDED =
      Map.of(
          "100", Recorded.ANSWER,
          "300", Recorded.ANSWER,
          "184", Recorded.EARLY,
          "200", Recorded.HANGUP_AFTER,
          "408", Recorded.RING,
          "486", Recorded.BUSY,
          "3000", Recorded.CONFERENCE);

  /** The segments cut from files 21-33, by name; each with the variants recorded. */
  private static final class Segments {
    static final Map<String, List<EslScene>> BY_NAME = load();

    private static Map<String, List<EslScene>> load() {
      Map<String, List<EslScene>> out = new HashMap<>();
      for (String file :
          List.of(
              "lo-answer",
              "lo-transfer",
              "lo-transferred-kill",
              "lo-kill",
              "lo-kill.2",
              "lo-execute",
              "lo-execute-complete",
              "lo-kill-executes",
              "lo-hold",
              "lo-early",
              "lo-early-kill",
              "lo-early-timeout",
              "lo-ring",
              "lo-ring-timeout",
              "lo-consult-answer",
              "lo-throttled",
              "lo-throttled-timeout",
              "conf-first",
              "conf-second",
              "conf-leave",
              "conf-leave-last",
              "sip-answer",
              "sip-hold",
              "sip-unhold",
              "sip-kill",
              "sip-kill.2",
              "sip-remote-hangup",
              "sip-busy",
              "sip-bridge",
              "sip-bridged-kill",
              "sip-att-xfer-failed",
              "sip-att-xfer",
              "sip-att-xfer-consult-gone")) {
        int dot = file.indexOf('.');
        String name = dot < 0 ? file : file.substring(0, dot);
        out.computeIfAbsent(name, k -> new ArrayList<>()).add(EslScene.load(file));
      }
      return out;
    }
  }

  private static final Pattern UUID_IN_VALUE =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /**
   * Counts one clock second's session attempts; returns how many of {@code wanted} were granted.
   */
  private int throttle(int wanted) {
    synchronized (throttleLock) {
      long second = clock.millis() / 1000;
      if (second != throttleSecond) {
        throttleLast = throttleSecond == second - 1 ? throttleAttempts : 0;
        throttleSecond = second;
        throttleAttempts = 0;
      }
      int granted = 0;
      for (int i = 0; i < wanted; i++) {
        throttleAttempts++;
        throttlePeak = Math.max(throttlePeak, throttleAttempts);
        if (throttleAttempts >= sessionsPerSecond) {
          // the rest of this originate's legs are refused too, but each attempt counts
          for (int j = i + 1; j < wanted; j++) {
            throttleAttempts++;
          }
          throttlePeak = Math.max(throttlePeak, throttleAttempts);
          break;
        }
        granted++;
      }
      return granted;
    }
  }

  private int liveSessions() {
    Set<EslCall> live = new LinkedHashSet<>();
    for (EslCall c : calls.values()) {
      if (c.phase() != EslCall.Phase.ENDED) {
        live.add(c);
      }
    }
    int n = 0;
    for (EslCall c : live) {
      n += c.consulting() ? 4 : c.ids().containsKey("b") ? 2 : 1;
    }
    return n;
  }

  private void startRecorded(
      EslCall call,
      String job,
      java.util.concurrent.CompletableFuture<String> sync,
      boolean ignoreEarly,
      long timeoutSec,
      boolean oneLeg,
      long receivedMillis,
      long receivedNanos) {
    boolean sip = call.endpoint().equals("sip");
    Recorded what = RECORDED.get(call.to());
    if (oneLeg) {
      // The second leg was throttled: the first hangs until the originate gives up.
      call.ids().remove("b");
      playRecorded("lo-throttled", call, null, null, sync);
      laterBy(
          () -> endRecorded(call, "lo-throttled-timeout", job, "NO_ANSWER", sync),
          throttledHang.toMillis(),
          TimeUnit.MILLISECONDS);
      return;
    }
    switch (what) {
      case ANSWER, HANGUP_AFTER -> {
        call.phase(EslCall.Phase.ANSWERED);
        // 300 parks its B leg (file 27), 100 sleeps (file 24)
        String setup =
            sip ? "sip-answer" : call.to().equals("300") ? "lo-consult-answer" : "lo-answer";
        playRecorded(setup, call, job, null, sync);
        if (what == Recorded.HANGUP_AFTER) {
          laterBy(
              () -> {
                if (call.phase() != EslCall.Phase.ENDED && !call.dying()) {
                  endRecorded(call, "sip-remote-hangup", null, null, null);
                }
              },
              sipRemoteHangupAfter.toMillis(),
              TimeUnit.MILLISECONDS);
        }
      }
      case EARLY, RING -> {
        call.phase(what == Recorded.EARLY ? EslCall.Phase.EARLY : EslCall.Phase.RINGING);
        String setup = what == Recorded.EARLY ? "lo-early" : "lo-ring";
        if (what == Recorded.EARLY && !ignoreEarly) {
          // Without ignore_early_media the originate succeeds at early media.
          playRecorded(setup, call, job, null, sync);
          return;
        }
        playRecorded(setup, call, null, null, null);
        // originate_timeout counts whole clock seconds: it fires just after the second
        // (start second + timeout), so up to a second early.
        long fireAt = (receivedMillis / 1000 + timeoutSec) * 1000 + 17;
        long now =
            receivedMillis + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - receivedNanos);
        String timeout = what == Recorded.EARLY ? "lo-early-timeout" : "lo-ring-timeout";
        laterBy(
            () -> {
              if (call.phase() != EslCall.Phase.ENDED && !call.dying()) {
                endRecorded(call, timeout, job, "NO_ANSWER", sync);
              }
            },
            Math.max(0, fireAt - now),
            TimeUnit.MILLISECONDS);
      }
      case BUSY -> endRecorded(call, "sip-busy", job, "USER_BUSY", sync);
      case CONFERENCE -> {
        call.phase(EslCall.Phase.ANSWERED);
        String room = call.to();
        List<String> members = conferences.computeIfAbsent(room, k -> new CopyOnWriteArrayList<>());
        String segment = members.isEmpty() ? "conf-first" : "conf-second";
        members.add(0, call.otherUuid()); // listed newest first, by the loopback B leg
        call.conference(room);
        playRecorded(segment, call, job, null, sync);
      }
    }
  }

  /** Plays a segment that ends the call (or both calls of a bridge) and marks it ended. */
  private void endRecorded(
      EslCall call,
      String segment,
      String job,
      String cause,
      java.util.concurrent.CompletableFuture<String> sync) {
    if (call.phase() == EslCall.Phase.ENDED) {
      return;
    }
    call.ended(cause == null ? "NORMAL_CLEARING" : cause);
    jobs.remove(call.uuid());
    playRecorded(segment, call, job, cause, sync);
  }

  /** {@code uuid_kill} (or hupall) of one leg of a call. */
  private void kill(EslCall call, String leg, String cause) {
    if (call.phase() == EslCall.Phase.ENDED) {
      return;
    }
    if (call.endpoint().equals("classic")) {
      teardown(call, cause, false);
      return;
    }
    EslCall partner = call.bridgedTo();
    if (call.consulting()) {
      String segment =
          leg.equals(call.ids().get("d")) ? "sip-att-xfer-consult-gone" : "sip-bridged-kill";
      endRecorded(call, segment, null, cause, null);
    } else if (partner != null) {
      EslCall first = partner.ids().containsKey("c") ? partner : call;
      partner.ended(cause);
      call.ended(cause);
      first.ids().put("c", first == call ? partner.uuid() : call.uuid());
      playRecorded("sip-bridged-kill", first, null, cause, null);
    } else if (call.conference() != null) {
      List<String> members = conferences.getOrDefault(call.conference(), List.of());
      members.remove(call.otherUuid());
      if (members.isEmpty()) {
        conferences.remove(call.conference());
        endRecorded(call, "conf-leave-last", null, cause, null);
      } else {
        call.ids().put("c", members.get(0));
        endRecorded(call, "conf-leave", null, cause, null);
      }
    } else if (call.phase() == EslCall.Phase.EARLY || call.phase() == EslCall.Phase.RINGING) {
      endRecorded(call, "lo-early-kill", null, cause, null);
    } else if (call.endpoint().equals("sip")) {
      endRecorded(call, "sip-kill", null, cause, null);
    } else {
      endRecorded(call, call.transferred() ? "lo-transferred-kill" : "lo-kill", null, cause, null);
    }
  }

  private String recordedHold(EslCall call, boolean hold) {
    if (call.endpoint().equals("loopback")) {
      // A loopback channel takes the hold (one CHANNEL_HOLD, no HELD call state) and cannot be
      // taken off it: "Call is not on hold. No need to unhold." (file 25).
      if (!hold) {
        return "-ERR Operation failed\n";
      }
      later(() -> playRecorded("lo-hold", call, null, null, null));
      return "+OK Success\n";
    }
    if (hold == (call.phase() == EslCall.Phase.HELD)) {
      return "-ERR Operation failed\n";
    }
    call.phase(hold ? EslCall.Phase.HELD : EslCall.Phase.ANSWERED);
    later(() -> playRecorded(hold ? "sip-hold" : "sip-unhold", call, null, null, null));
    return "+OK Success\n";
  }

  /** {@code uuid_transfer <uuid> <exten> XML <context>}: the leg leaves park for the extension. */
  private void recordedTransfer(EslCall call, String target, String context) {
    if (call.phase() == EslCall.Phase.ENDED) {
      return;
    }
    call.transferred(true);
    call.ids().put("transfer-target", target);
    call.ids().put("transfer-context", context);
    playRecorded("lo-transfer", call, null, null, null);
  }

  /**
   * {@code uuid_transfer <uuid> 'att_xfer:<dial string>' inline}: a consult call to the dial
   * string, bridged to the transferred leg when it answers. A loopback dial string needs its
   * dialplan ({@code /XML}): without it the consult legs fail at once with DESTINATION_OUT_OF_ORDER
   * and the inline dialplan ends, hanging up the call (file 28). When the consult call ends, so
   * does the call (file 29).
   */
  private void attendedTransfer(EslCall call, String dial) {
    if (call.phase() == EslCall.Phase.ENDED) {
      return;
    }
    String c = UUID.randomUUID().toString();
    String d = UUID.randomUUID().toString();
    call.ids().put("c", c);
    call.ids().put("d", d);
    if (dial.startsWith("loopback/") && !dial.endsWith("/XML")) {
      endRecorded(call, "sip-att-xfer-failed", null, null, null);
      return;
    }
    call.consulting(true);
    calls.put(c, call);
    calls.put(d, call);
    playRecorded("sip-att-xfer", call, null, null, null);
  }

  /**
   * {@code uuid_bridge <leg of one call> <leg of another>} (file 27, where the first argument was
   * the far leg of a SIP call, the second the parked A leg of a loopback call). A bridge whose
   * first argument is the call's originated leg plays the same recording with that leg in the first
   * argument's place (its far leg in the originated leg's): the bridge, its one CHANNEL_BRIDGE on
   * the first argument and the hangup of all four channels when one call ends are as recorded; the
   * channel names in those events stay the recorded ones.
   */
  private void recordedBridge(EslCall one, EslCall two, String first) {
    if (one.phase() == EslCall.Phase.ENDED || two.phase() == EslCall.Phase.ENDED) {
      return;
    }
    if (first.equals(one.uuid())) {
      one.ids().put("a", one.otherUuid());
      one.ids().put("b", one.uuid());
    }
    one.bridgedTo(two);
    two.bridgedTo(one);
    one.ids().put("c", two.uuid());
    one.ids().put("d", two.otherUuid());
    playRecorded("sip-bridge", one, null, null, null);
  }

  /**
   * Plays a recorded segment to every client, each getting the variant recorded with a subscription
   * that covers its own (else the first), with the call's ids. A {@code BACKGROUND_JOB} in the
   * segment is the originate's answer: sent with the job of a bgapi, or handed to a synchronous api
   * originate (once) instead.
   */
  private void playExecute(String segment, EslCall call, String app, String arg) {
    playRecorded(
        segment,
        call,
        null,
        null,
        null,
        ev -> ev.with("Application", app).with("Application-Data", arg));
  }

  private void playRecorded(
      String segment,
      EslCall call,
      String job,
      String cause,
      java.util.concurrent.CompletableFuture<String> sync) {
    playRecorded(segment, call, job, cause, sync, ev -> ev);
  }

  private void playRecorded(
      String segment,
      EslCall call,
      String job,
      String cause,
      java.util.concurrent.CompletableFuture<String> sync,
      java.util.function.UnaryOperator<EslEventTemplate> tweak) {
    List<EslScene> variants = Segments.BY_NAME.get(segment);
    if (variants == null) {
      throw new IllegalStateException("no recorded segment " + segment);
    }
    String answer = null;
    for (EmulatorSession s : sessions()) {
      if (!(s.handler() instanceof EslSession es)) {
        continue;
      }
      EslScene scene = variants.get(0);
      for (EslScene v : variants) {
        if (es.coveredBy(v)) {
          scene = v;
          break;
        }
      }
      for (EslEventTemplate ev : scene.events) {
        String leg = ev.raw("Unique-ID");
        if (leg != null && "b".equals(scene.roles.get(leg)) && !call.ids().containsKey("b")) {
          continue; // a call whose second leg was never created (throttled) has no events of it
        }
        boolean isJob = ev.name().equals("BACKGROUND_JOB");
        if (isJob && job == null) {
          if (sync != null) {
            answer = rewriteRecorded(scene, ev, call, job, cause).body();
          }
          continue;
        }
        EslEventTemplate out = tweak.apply(rewriteRecorded(scene, ev, call, job, cause));
        if (es.wants(out)) {
          es.deliver(es.render(stamped(out)));
        }
      }
    }
    if (sync != null) {
      if (answer == null) {
        // no client session saw the segment: the answer is the recorded one
        for (EslEventTemplate ev : variants.get(0).events) {
          if (ev.name().equals("BACKGROUND_JOB")) {
            answer = rewriteRecorded(variants.get(0), ev, call, null, cause).body();
          }
        }
      }
      if (answer != null) {
        sync.complete(answer);
      }
    }
  }

  private EslEventTemplate rewriteRecorded(
      EslScene scene, EslEventTemplate ev, EslCall call, String job, String cause) {
    String recordedCause = recordedCause(scene);
    String dest = scene.dest;
    String to = UrlCoding.encode(call.to());
    String target = call.ids().get("transfer-target");
    String context = call.ids().get("transfer-context");
    EslEventTemplate out =
        ev.map(
            (name, raw) -> {
              Matcher m = UUID_IN_VALUE.matcher(raw);
              StringBuilder sb = new StringBuilder();
              while (m.find()) {
                String recorded = m.group();
                String role = scene.roles.get(recorded);
                String now;
                if (role != null && role.equals("job")) {
                  now = job == null ? recorded : job;
                } else if (role != null && call.ids().containsKey(role)) {
                  now = call.ids().get(role);
                } else if (recorded.equals(RECORDED_CORE_UUID_2)) {
                  now = coreUuid;
                } else {
                  now = call.ids().computeIfAbsent(recorded, k -> UUID.randomUUID().toString());
                }
                m.appendReplacement(sb, now);
              }
              m.appendTail(sb);
              String v = sb.toString();
              if (dest != null && !dest.equals(to)) {
                if (v.equals(dest)) {
                  v = to;
                }
                v =
                    v.replace("loopback/" + dest + "-", "loopback/" + to + "-")
                        .replace("loopback/" + dest + "/", "loopback/" + to + "/")
                        .replace("/" + dest + "@", "/" + to + "@");
              }
              if (target != null && scene.name.equals("lo-transfer")) {
                v =
                    v.replace(
                        "bl_xfer%3A300/sdk/XML",
                        "bl_xfer%3A"
                            + UrlCoding.encode(target)
                            + "/"
                            + UrlCoding.encode(context)
                            + "/XML");
                if (name.equals("Caller-Destination-Number") && v.equals("300")) {
                  v = UrlCoding.encode(target);
                }
              }
              if (cause != null
                  && recordedCause != null
                  && !cause.equals(recordedCause)
                  && (name.equals("Hangup-Cause")
                      || name.equals("variable_hangup_cause")
                      || name.equals("_body")
                      || name.equals("variable_originate_disposition")
                      || name.equals("variable_endpoint_disposition"))) {
                v = v.replace(recordedCause, cause);
              }
              if (!call.from().equals("0000000000")
                  && (name.equals("Caller-Caller-ID-Number")
                      || name.equals("Caller-Orig-Caller-ID-Number")
                      || name.equals("Caller-ANI"))
                  && v.equals("0000000000")) {
                v = UrlCoding.encode(call.from());
              }
              return v;
            });
    if (ev.body() != null) {
      String body = ev.body();
      Matcher m = UUID_IN_VALUE.matcher(body);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String role = scene.roles.get(m.group());
        m.appendReplacement(
            sb, role != null && call.ids().containsKey(role) ? call.ids().get(role) : m.group());
      }
      m.appendTail(sb);
      body = sb.toString();
      if (cause != null && recordedCause != null && !cause.equals(recordedCause)) {
        body = body.replace(recordedCause, cause);
      }
      out = out.withBody(body);
    }
    if (call.uuid().equals(out.raw("Unique-ID"))) {
      for (Map.Entry<String, String> var : call.variables().entrySet()) {
        if (out.raw("variable_" + var.getKey()) == null) {
          out = out.with("variable_" + var.getKey(), var.getValue());
        }
      }
    }
    return withCallTimes(out, call);
  }

  /**
   * FreeSWITCH's timing of a channel on its {@code CHANNEL_HANGUP_COMPLETE}, from the emulated
   * call's own times instead of the recording's: the channel times, the epochs, and the durations
   * as FreeSWITCH computes them, each unit on its own (whole seconds are differences of truncated
   * epoch seconds, so {@code billsec} can be a second more than {@code billmsec / 1000}). A leg the
   * recording shows unanswered stays unanswered.
   */
  private EslEventTemplate withCallTimes(EslEventTemplate ev, EslCall call) {
    if (!ev.name().equals("CHANNEL_HANGUP_COMPLETE") || ev.raw("variable_start_uepoch") == null) {
      return ev;
    }
    long start = call.createdMicros();
    boolean answered = !"0".equals(ev.raw("variable_answer_uepoch"));
    long answer = answered ? Math.max(start, call.answeredMicros()) : 0;
    long ended = call.endedMicros() != 0 ? call.endedMicros() : EslCall.nowMicros();
    long end = Math.max(ended, Math.max(start, answer));
    Map<String, String> v = new HashMap<>();
    v.put("Caller-Channel-Created-Time", Long.toString(start));
    v.put("Caller-Channel-Answered-Time", Long.toString(answer));
    v.put("Caller-Channel-Hangup-Time", Long.toString(end));
    for (String p : List.of("variable_start", "variable_profile_start")) {
      v.put(p + "_epoch", Long.toString(start / 1_000_000));
      v.put(p + "_uepoch", Long.toString(start));
    }
    v.put("variable_answer_epoch", Long.toString(answer / 1_000_000));
    v.put("variable_answer_uepoch", Long.toString(answer));
    v.put("variable_end_epoch", Long.toString(end / 1_000_000));
    v.put("variable_end_uepoch", Long.toString(end));
    putUnits(v, "duration", "mduration", "uduration", start, end, true);
    putUnits(v, "billsec", "billmsec", "billusec", answer, end, answered);
    putUnits(v, "flow_billsec", "flow_billmsec", "flow_billusec", start, end, answered);
    putUnits(v, "answersec", "answermsec", "answerusec", start, answer, answered);
    putUnits(v, "waitsec", "waitmsec", "waitusec", start, answer, answered);
    v.put("variable_start_stamp", stamp(start));
    v.put("variable_answer_stamp", stamp(answer));
    v.put("variable_end_stamp", stamp(end));
    return ev.map(
        (name, raw) -> {
          String now = v.get(name);
          if (now == null || raw.equals("0") && name.startsWith("Caller-Channel-")) {
            return raw; // a time the recording does not have stays unset
          }
          return now;
        });
  }

  private static void putUnits(
      Map<String, String> v,
      String seconds,
      String millis,
      String micros,
      long from,
      long to,
      boolean counted) {
    v.put("variable_" + seconds, counted ? Long.toString(to / 1_000_000 - from / 1_000_000) : "0");
    v.put("variable_" + millis, counted ? Long.toString(to / 1000 - from / 1000) : "0");
    v.put("variable_" + micros, counted ? Long.toString(to - from) : "0");
  }

  private static String stamp(long micros) {
    return UrlCoding.encode(
        LOCAL_DATE.format(
            java.time.Instant.ofEpochSecond(micros / 1_000_000).atZone(java.time.ZoneOffset.UTC)));
  }

  // ---- scene playback ----------------------------------------------------------------------

  private void play(EslScene scene, EslCall call, String job, String cause) {
    playRange(scene, call, job, cause, 0, scene.events.size(), false);
  }

  private void playRange(
      EslScene scene,
      EslCall call,
      String job,
      String cause,
      int from,
      int to,
      boolean ringAfterCreate) {
    String recordedCause = recordedCause(scene);
    for (int i = from; i < to; i++) {
      EslEventTemplate ev = scene.events.get(i);
      if (ev.name().equals("BACKGROUND_JOB") && job == null) {
        continue; // only bgapi produces a job event
      }
      EslEventTemplate out = rewrite(scene, ev, call.uuid(), call.otherUuid(), job, call.to());
      if (cause != null && recordedCause != null && !cause.equals(recordedCause)) {
        out =
            out.map(
                (name, raw) ->
                    name.equals("Hangup-Cause")
                            || name.equals("variable_hangup_cause")
                            || name.equals("_body")
                            || name.equals("variable_originate_disposition")
                            || name.equals("variable_endpoint_disposition")
                        ? raw.replace(recordedCause, cause)
                        : raw);
      }
      if (call.uuid().equals(out.raw("Unique-ID"))) {
        out = out.with("Caller-Caller-ID-Number", call.from());
        // The originate's {...} variables are the channel's, on all its events.
        for (Map.Entry<String, String> var : call.variables().entrySet()) {
          if (out.raw("variable_" + var.getKey()) == null) {
            out = out.with("variable_" + var.getKey(), var.getValue());
          }
        }
      }
      out = withCallTimes(out, call);
      if ((scene == Scenes.ANSWER || scene == Scenes.REMOTE_HANGUP)
          && out.raw("Caller-Caller-ID-Name") != null) {
        // FreeSWITCH sends the caller name headers only when a name was set.
        out =
            call.callerName() == null
                ? out.without("Caller-Caller-ID-Name").without("Caller-Orig-Caller-ID-Name")
                : out.with("Caller-Caller-ID-Name", call.callerName())
                    .with("Caller-Orig-Caller-ID-Name", call.callerName());
      }
      emit(out);
      if (ringAfterCreate
          && ev.name().equals("CHANNEL_CREATE")
          && scene.legA.equals(ev.raw("Unique-ID"))) {
        emit(
            out.with("Event-Name", "CHANNEL_PROGRESS")
                .with("Channel-Call-State", "RINGING")
                .with("Answer-State", "ringing"));
      }
    }
  }

  /**
   * The end of the answered set-up: the recorded answer scene up to the A leg's {@code
   * CHANNEL_PARK}. What follows it in the recording is the B leg's dialplan ending, which belongs
   * to a remote hangup, not to every answered call (a call parked on 9100 stays quiet until
   * something happens to it, as fixture 12 shows).
   */
  private static int parkedEnd() {
    return Math.min(
        indexOf(Scenes.ANSWER.events, "CHANNEL_PARK", 0) + 1, Scenes.ANSWER.events.size());
  }

  private static String recordedCause(EslScene scene) {
    for (EslEventTemplate ev : scene.events) {
      String c = ev.raw("Hangup-Cause");
      if (c != null && !c.isEmpty()) {
        return c;
      }
    }
    return null;
  }

  private EslEventTemplate rewrite(
      EslScene scene, EslEventTemplate ev, String legA, String legB, String job, String dest) {
    return ev.map(
        (name, raw) -> {
          String v = raw.replace(scene.legA, legA).replace(scene.legB, legB);
          if (scene.job != null && job != null) {
            v = v.replace(scene.job, job);
          }
          v = v.replace(RECORDED_CORE_UUID, coreUuid);
          if (v.equals(scene.dest)) {
            return UrlCoding.encode(dest);
          }
          return v.replace("loopback/" + scene.dest, "loopback/" + UrlCoding.encode(dest));
        });
  }

  private static int indexOf(List<EslEventTemplate> events, String name, int from) {
    for (int i = from; i < events.size(); i++) {
      if (events.get(i).name().equals(name)) {
        return i;
      }
    }
    return events.size();
  }

  /** An event of the call's client leg, derived from the recorded answer of that leg. */
  private EslEventTemplate channelEvent(EslCall call, String name) {
    EslScene scene = Scenes.ANSWER;
    String recordedLeg = call.inbound() ? scene.legB : scene.legA;
    for (EslEventTemplate ev : scene.events) {
      if (ev.name().equals("CHANNEL_ANSWER") && recordedLeg.equals(ev.raw("Unique-ID"))) {
        EslEventTemplate base =
            call.inbound()
                ? rewrite(scene, ev, call.otherUuid(), call.uuid(), null, call.to())
                : rewrite(scene, ev, call.uuid(), call.otherUuid(), null, call.to());
        return base.with("Event-Name", name).with("Caller-Caller-ID-Number", call.from());
      }
    }
    throw new IllegalStateException("recorded answer scene has no CHANNEL_ANSWER");
  }

  /** The headers FreeSWITCH puts first on events the core itself raises (not a channel's). */
  private List<Map.Entry<String, String>> coreEventHeaders(
      String eventName, String callingFile, String callingFunction, String callingLine) {
    List<Map.Entry<String, String>> h = new ArrayList<>();
    h.add(Map.entry("Event-Name", eventName));
    h.add(Map.entry("Core-UUID", coreUuid));
    h.add(Map.entry("FreeSWITCH-Hostname", "emulator"));
    h.add(Map.entry("FreeSWITCH-Switchname", "emulator"));
    h.add(Map.entry("FreeSWITCH-IPv4", "127.0.0.1"));
    h.add(Map.entry("FreeSWITCH-IPv6", "%3A%3A1"));
    h.add(Map.entry("Event-Date-Local", UrlCoding.encode(LOCAL_DATE.format(now()))));
    h.add(Map.entry("Event-Date-GMT", UrlCoding.encode(GMT_DATE.format(now()))));
    h.add(Map.entry("Event-Date-Timestamp", "0"));
    h.add(Map.entry("Event-Calling-File", callingFile));
    h.add(Map.entry("Event-Calling-Function", callingFunction));
    h.add(Map.entry("Event-Calling-Line-Number", callingLine));
    h.add(Map.entry("Event-Sequence", "0"));
    return h;
  }

  private EslEventTemplate heartbeatEvent() {
    List<Map.Entry<String, String>> h =
        coreEventHeaders("HEARTBEAT", "switch_core.c", "send_heartbeat", "95");
    h.add(Map.entry("Event-Info", "System%20Ready"));
    long upMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    h.add(
        Map.entry(
            "Up-Time",
            UrlCoding.encode(
                String.format(
                    "0 years, 0 days, %d hours, %d minutes, %d seconds, %d milliseconds,"
                        + " 0 microseconds",
                    upMs / 3_600_000, upMs / 60_000 % 60, upMs / 1000 % 60, upMs % 1000))));
    h.add(Map.entry("FreeSWITCH-Version", "1.10.12-release~64bit"));
    h.add(Map.entry("Uptime-msec", Long.toString(upMs)));
    int sessions = activeCalls().size() * 2;
    h.add(Map.entry("Session-Count", Integer.toString(sessions)));
    h.add(Map.entry("Max-Sessions", "1000"));
    h.add(Map.entry("Session-Per-Sec", "30"));
    h.add(Map.entry("Session-Per-Sec-Last", "0"));
    h.add(Map.entry("Session-Per-Sec-Max", "0"));
    h.add(Map.entry("Session-Per-Sec-FiveMin", "0"));
    h.add(Map.entry("Session-Since-Startup", Integer.toString(calls.size())));
    h.add(Map.entry("Session-Peak-Max", Integer.toString(sessions)));
    h.add(Map.entry("Session-Peak-FiveMin", Integer.toString(sessions)));
    h.add(Map.entry("Idle-CPU", "98.400000"));
    return new EslEventTemplate(h, null);
  }

  /** The API event FreeSWITCH raises for every api command it runs (seen with {@code ALL}). */
  private EslEventTemplate apiEvent(String command, String arg) {
    List<Map.Entry<String, String>> h =
        coreEventHeaders("API", "switch_loadable_module.c", "switch_api_execute", "2954");
    h.add(Map.entry("API-Command", UrlCoding.encode(command)));
    if (!arg.isEmpty()) {
      h.add(Map.entry("API-Command-Argument", UrlCoding.encode(arg)));
    }
    return new EslEventTemplate(h, null);
  }

  private EslEventTemplate backgroundJob(String job, String command, String arg, String result) {
    List<Map.Entry<String, String>> h =
        coreEventHeaders("BACKGROUND_JOB", "mod_event_socket.c", "api_exec", "1572");
    h.add(Map.entry("Job-UUID", job));
    h.add(Map.entry("Job-Command", UrlCoding.encode(command)));
    if (!arg.isEmpty()) {
      h.add(Map.entry("Job-Command-Arg", UrlCoding.encode(arg)));
    }
    return new EslEventTemplate(h, result);
  }

  private static byte[] xmlFrame(EslEventTemplate ev) {
    StringBuilder sb = new StringBuilder("<event>\n  <headers>\n");
    for (Map.Entry<String, String> e : ev.headers()) {
      sb.append("    <")
          .append(e.getKey())
          .append('>')
          .append(e.getValue())
          .append("</")
          .append(e.getKey())
          .append(">\n");
    }
    sb.append("  </headers>\n");
    if (ev.body() != null) {
      sb.append("  <Content-Length>")
          .append(ev.body().getBytes(StandardCharsets.UTF_8).length)
          .append("</Content-Length>\n  <body>")
          .append(xmlEscape(ev.body()))
          .append("  </body>\n");
    }
    sb.append("</event>\n");
    byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
    return EslEventTemplate.concat(
        ("Content-Length: " + body.length + "\nContent-Type: text/event-xml\n\n")
            .getBytes(StandardCharsets.US_ASCII),
        body);
  }

  private static String xmlEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private String channelsJson() {
    List<Map<String, String>> rows = channelRows();
    if (rows.isEmpty()) {
      return "{\"row_count\": 0}";
    }
    StringBuilder sb = new StringBuilder();
    for (Map<String, String> row : rows) {
      sb.append(sb.length() == 0 ? "" : ",").append(jsonObject(row));
    }
    return "{\"row_count\":" + rows.size() + ",\"rows\":[" + sb + "]}";
  }

  private String channelsCsv() {
    List<Map<String, String>> rows = channelRows();
    if (rows.isEmpty()) {
      return "\n0 total.\n";
    }
    StringBuilder sb = new StringBuilder(String.join(",", rows.get(0).keySet())).append('\n');
    for (Map<String, String> row : rows) {
      sb.append(String.join(",", row.values())).append('\n');
    }
    return sb.append('\n').append(rows.size()).append(" total.\n").toString();
  }

  private List<Map<String, String>> channelRows() {
    Set<EslCall> active = new LinkedHashSet<>();
    for (EslCall c : calls.values()) {
      if (listed(c)) {
        active.add(c);
      }
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (EslCall c : active) {
      List<String> roles = new ArrayList<>(List.of("a", "b"));
      if (c.consulting()) {
        roles.addAll(List.of("c", "d"));
      }
      for (String role : roles) {
        boolean legA = role.equals("a") || role.equals("c");
        if (!legA && c.inbound() || !c.ids().containsKey(role)) {
          continue;
        }
        Map<String, String> row = new LinkedHashMap<>();
        String uuid = c.ids().get(role);
        boolean outbound = legA ^ c.inbound();
        row.put("uuid", uuid);
        row.put("direction", outbound ? "outbound" : "inbound");
        row.put("created", "2026-11-26 05:41:42");
        row.put("created_epoch", Long.toString(c.createdEpoch()));
        String name;
        if (role.equals("c") || role.equals("d")) {
          name = "loopback/300" + (legA ? "-a" : "-b");
        } else if (c.endpoint().equals("sip")) {
          name =
              legA
                  ? "sofia/internal/" + c.to() + "@127.0.0.1:5082"
                  : "sofia/external/0000000000@127.0.0.1";
        } else {
          name = "loopback/" + c.to() + (legA ? "-a" : "-b");
        }
        row.put("name", name);
        row.put("state", "CS_EXECUTE");
        row.put("cid_name", "");
        row.put("cid_num", c.from());
        row.put("ip_addr", "");
        row.put("dest", c.to());
        row.put("application", legA ? "park" : "");
        row.put("application_data", "");
        row.put("dialplan", "xml");
        row.put("context", "default");
        row.put("read_codec", "L16");
        row.put("read_rate", "8000");
        row.put("read_bit_rate", "128000");
        row.put("write_codec", "L16");
        row.put("write_rate", "8000");
        row.put("write_bit_rate", "128000");
        row.put("secure", "");
        row.put("hostname", "emulator");
        row.put("presence_id", "");
        row.put("presence_data", "");
        row.put("accountcode", "");
        row.put(
            "callstate",
            switch (c.phase()) {
              case RINGING -> "RINGING";
              case HELD -> "HELD";
              default -> "ACTIVE";
            });
        row.put("callee_name", "");
        row.put("callee_num", c.to());
        row.put("callee_direction", legA ? "RECV" : "");
        row.put("call_uuid", legA ? c.uuid() : "");
        row.put("sent_callee_name", "");
        row.put("sent_callee_num", "");
        row.put("initial_cid_name", "");
        row.put("initial_cid_num", c.from());
        row.put("initial_ip_addr", "");
        row.put("initial_dest", c.to());
        row.put("initial_dialplan", "xml");
        row.put("initial_context", "default");
        rows.add(row);
      }
    }
    return rows;
  }

  private String conferenceJson(String room, List<String> members) {
    StringBuilder m = new StringBuilder();
    int id = 0;
    for (String uuid : members) {
      EslCall c = calls.get(uuid);
      Map<String, String> row = new LinkedHashMap<>();
      row.put("type", "caller");
      row.put("id", Integer.toString(++id));
      row.put("uuid", uuid);
      row.put("caller_id_name", "");
      row.put("caller_id_number", c == null ? "" : c.from());
      m.append(id == 1 ? "" : ",")
          .append(jsonObject(row).replace("\"id\":\"" + id + "\"", "\"id\":" + id));
    }
    return "[{\"conference_name\":\""
        + room
        + "\",\"member_count\":"
        + members.size()
        + ",\"ghost_count\":0,\"rate\":8000,\"run_time\":1,\"conference_uuid\":\""
        + UUID.nameUUIDFromBytes(room.getBytes(StandardCharsets.UTF_8))
        + "\",\"locked\":false,\"members\":["
        + m
        + "]}]";
  }

  private static String jsonObject(Map<String, String> row) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, String> e : row.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"')
          .append(e.getKey())
          .append("\":\"")
          .append(jsonEscape(e.getValue()))
          .append('"');
    }
    return sb.append('}').toString();
  }

  private static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  // ---- words ---------------------------------------------------------------------------------

  private static String word(String line, int index) {
    List<String> w = words(line);
    return w.size() > index ? w.get(index) : "";
  }

  private static String after(String line, String first) {
    int at = line.indexOf(first);
    return at < 0 ? "" : line.substring(at + first.length()).strip();
  }

  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
      int start = i;
      while (i < s.length() && s.charAt(i) != ' ') {
        i++;
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out;
  }
}
