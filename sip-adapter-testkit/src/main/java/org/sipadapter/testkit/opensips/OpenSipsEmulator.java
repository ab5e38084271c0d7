package org.sipadapter.testkit.opensips;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.sipadapter.testkit.emulator.JsonRpcEmulator;
import org.sipadapter.testkit.emulator.JsonRpcEmulator.RpcError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenSIPS 3.x as the SDK sees it: the Management Interface over {@code mi_http} (JSON-RPC 2.0
 * on {@code POST /mi}, on a {@link JsonRpcEmulator}) with the dialog module's state, and {@code
 * event_stream}/{@code event_datagram} delivery of {@code E_DLG_STATE_CHANGED} to subscribers.
 * Answers follow the recordings in {@code org/sipadapter/testkit/fixtures/opensips-mi} (OpenSIPS
 * 3.5.9): same commands, parameter checks, result keys and order, error codes and messages.
 *
 * <p>Dialogs are driven by test hooks instead of SIP: {@link #startDialog} (an INVITE relayed and
 * ringing: state 1 then 2), {@link #answer} (3, then 4), {@link #endDialog} (5; the dialog stays
 * listed for {@link #endedLinger(Duration)}). {@code dlg_end_dlg} ends a dialog as OpenSIPS does
 * after sending BYE (or CANCEL). Each state change is written to every live subscriber exactly as
 * OpenSIPS writes it: for {@code tcp:} a compact notification without {@code id}, back to back on
 * one connection the emulator opens (and reopens after a drop); for {@code udp:} one datagram each.
 * Subscriptions expire after their {@code expire} seconds.
 *
 * <p>Errors as recorded: {@code -32602} with OpenSIPS's {@code data} ({@code "Too few or too many
 * parameters"}, {@code "Named parameters do not match"}, {@code "Bad type for parameter '...'"}),
 * {@code -32600} for a request without {@code "jsonrpc"}, and {@code 400} with httpd's HTML page
 * for a path other than mi_http's. Positional params are refused ({@code "Command only supports
 * named parameters"}) rather than matched to a recipe by count. Not emulated: the 202-and-hang
 * answer to notifications (204 here), the 405 to GET that never completes (405 with a body here),
 * and the silence to a POST without Content-Type.
 *
 * <p>Thread-safe; events are written on the thread that caused them, in order.
 */
public final class OpenSipsEmulator implements AutoCloseable {

  /** What {@code version} answers. */
  public static final String VERSION = "OpenSIPS (3.5.9 (x86_64/linux))";

  /** The dialog event. */
  public static final String DIALOG_EVENT = "E_DLG_STATE_CHANGED";

  private static final Logger LOG = LoggerFactory.getLogger(OpenSipsEmulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String BIND = "udp:127.0.0.1:5070";
  private static final String SDP_CALLER =
      "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0"
          + " 0\r\nm=audio 6004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  private static final String SDP_CALLEE = SDP_CALLER.replace("6004", "6000");
  private static final List<String> CORE_EVENTS =
      List.of(
          "E_CORE_SR_STATUS_CHANGED",
          "E_CORE_THRESHOLD",
          "E_CORE_SHM_THRESHOLD",
          "E_CORE_PKG_THRESHOLD",
          "E_CORE_PROC_AUTO_SCALE",
          "E_CORE_TCP_DISCONNECT",
          DIALOG_EVENT,
          "E_UL_AOR_INSERT",
          "E_UL_AOR_DELETE",
          "E_UL_CONTACT_INSERT",
          "E_UL_CONTACT_UPDATE",
          "E_UL_CONTACT_DELETE",
          "E_UL_CONTACT_REFRESH",
          "E_UL_LATENCY_UPDATE");

  /** acc's events, as {@code events_list} numbers them after usrloc's when acc is loaded. */
  public static final List<String> ACC_EVENTS =
      List.of("E_ACC_EVENT", "E_ACC_CDR", "E_ACC_MISSED_EVENT");

  /** The UA session event of b2b_entities. */
  public static final String UA_EVENT = "E_UA_SESSION";

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final DateTimeFormatter CTIME =
      DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.US);

  private final JsonRpcEmulator mi;
  private final List<String> statisticNames = resourceLines("statistics.txt");
  private final List<String> commands = resourceLines("commands.txt");
  private final Map<String, Dlg> dialogs = new LinkedHashMap<>();
  // event name -> socket -> subscriber, newest first as subscribers_list shows them
  private final Map<String, List<Subscriber>> subscribers = new LinkedHashMap<>();
  private final Map<String, Socket> streams = new LinkedHashMap<>();
  private final Map<String, List<ObjectNode>> contacts = new LinkedHashMap<>();
  private final AtomicLong callSeq = new AtomicLong(31420);
  private final long startedAtMillis = System.currentTimeMillis();
  private final Object eventLock = new Object();
  private volatile Duration endedLinger = Duration.ofSeconds(1);
  private volatile boolean acc;
  private volatile boolean b2bLoaded = true;
  private volatile long clockSkewNanos;
  private volatile boolean pinned;
  private volatile long pinnedNanos;
  private volatile long pinnedMillis;
  private final B2bEntities b2b = new B2bEntities(this);
  private long processed;
  private long failed;

  private static final class Dlg {
    String id;
    String dbId;
    String callId;
    String fromUri;
    String toUri;
    String callerTag;
    String calleeTag;
    int state;
    long timestart;
    long timestartNanos;
    long created;
    long endedAtNanos;
    boolean listed = true;

    /** do_accounting's flags of the recorded script: "failed" too for users starting f-. */
    boolean accFailed() {
      return toUri.replaceFirst("^sips?:", "").startsWith("f-");
    }
  }

  /**
   * One subscription as evi keeps it: the time it was (re)subscribed and its expire, both in whole
   * seconds as {@code time(0)} counts them.
   */
  private static final class Subscriber {
    final String socket;
    long expire;
    long subscribedAt;

    Subscriber(String socket, long expire, long subscribedAt) {
      this.socket = socket;
      this.expire = expire;
      this.subscribedAt = subscribedAt;
    }

    /** evi's removal test: {@code subscription_time + expire < now}. */
    boolean removable(long now) {
      return subscribedAt + expire < now;
    }

    /** What {@code subscribers_list} prints: the seconds left, or "expired" at 0 or less. */
    Object ttl(long now) {
      long left = expire - (now - subscribedAt);
      return left > 0 ? (Object) left : "expired";
    }
  }

  /** Creates the emulator (MI on path {@code /mi}); call {@link #start()}. */
  public OpenSipsEmulator() {
    this("/mi");
  }

  /**
   * Creates the emulator with another mi_http path.
   *
   * @param path the MI path, e.g. {@code /mi}
   */
  public OpenSipsEmulator(String path) {
    mi = new JsonRpcEmulator("opensips", path);
    // httpd's answer to any path but mi_http's root, as recorded.
    mi.unknownPathReply(
        new JsonRpcEmulator.HttpReply(
            400, "text/html", "<html><body>Unable to parse URL!</body></html>"));
    register();
  }

  /** Listens on a free loopback port; returns this emulator. */
  public OpenSipsEmulator start() {
    mi.start();
    return this;
  }

  /**
   * Listens on the given loopback port (0 for a free one); returns this emulator.
   *
   * @param port the port
   */
  public OpenSipsEmulator start(int port) {
    mi.start(port);
    return this;
  }

  /** Returns {@code 127.0.0.1}. */
  public String host() {
    return mi.host();
  }

  /** Returns the MI port. */
  public int port() {
    return mi.port();
  }

  /** Returns the MI URL, e.g. {@code http://127.0.0.1:8888/mi}. */
  public String url() {
    return mi.url();
  }

  /** Returns the JSON-RPC emulator underneath, for its request log and faults. */
  public JsonRpcEmulator mi() {
    return mi;
  }

  /** Returns the MI requests received for {@code method}, oldest first. */
  public List<JsonRpcEmulator.RpcRequest> requests(String method) {
    return mi.requests(method);
  }

  /** MI requests wait unanswered until {@link #restore()}; events still flow. */
  public void stall() {
    mi.stall();
  }

  /** Ends {@link #stall()}: waiting requests are answered now. */
  public void restore() {
    mi.restore();
  }

  /**
   * Loads acc with {@code do_accounting("evi", "cdr|missed")} on every dialog (and {@code
   * "cdr|missed|failed"} for request URIs whose user starts with {@code f-}), as the recorded
   * script of files 14-15 does: {@code events_list} then numbers {@value #UA_EVENT} 17, and calls
   * raise {@code E_ACC_CDR}, {@code E_ACC_MISSED_EVENT} and {@code E_ACC_EVENT}.
   *
   * @param loaded whether acc is loaded
   * @return this emulator
   */
  public OpenSipsEmulator acc(boolean loaded) {
    this.acc = loaded;
    return this;
  }

  /**
   * Loads or unloads b2b_entities (loaded by default, as in every recording): without it the {@code
   * ua_session_*} commands and {@code b2be_list} answer {@code -32601 Method not found} and {@value
   * #UA_EVENT} is not an event.
   *
   * @param loaded whether b2b_entities is loaded
   * @return this emulator
   */
  public OpenSipsEmulator b2bEntities(boolean loaded) {
    this.b2bLoaded = loaded;
    return this;
  }

  /**
   * Sets b2b_entities' {@code advertised_contact} modparam, so {@code ua_session_client_start}
   * works without a {@code socket} (file 19). Without it or a socket it answers 500.
   *
   * @param contact e.g. {@code sip:b2b@127.0.0.1:5090}, or null for none
   * @return this emulator
   */
  public OpenSipsEmulator advertisedContact(String contact) {
    b2b.advertisedContact(contact);
    return this;
  }

  /** Returns the UA sessions (b2b_entities) of this emulator, for test hooks. */
  public B2bEntities uaSessions() {
    return b2b;
  }

  /**
   * Moves the emulator's clock forward (subscription expiry, uptime, times in events), so that a
   * recorded "4 s later" needs no waiting.
   *
   * @param d how far
   */
  public void advanceClock(Duration d) {
    clockSkewNanos += d.toNanos();
  }

  /**
   * Stops the emulator's clock: from now on only {@link #advanceClock} moves it, so that whole
   * seconds (which decide when evi drops a subscriber) do not tick over in the middle of a test.
   */
  public void pinClock() {
    pinnedNanos = System.nanoTime();
    pinnedMillis = System.currentTimeMillis();
    pinned = true;
  }

  long nowNanos() {
    return (pinned ? pinnedNanos : System.nanoTime()) + clockSkewNanos;
  }

  long epochSeconds() {
    long millis = pinned ? pinnedMillis : System.currentTimeMillis();
    return (millis + clockSkewNanos / 1_000_000L) / 1000;
  }

  boolean accLoaded() {
    return acc;
  }

  boolean b2bLoaded() {
    return b2bLoaded;
  }

  /** The events of the loaded modules, in {@code events_list} order (their ids). */
  List<String> events() {
    List<String> all = new ArrayList<>(CORE_EVENTS);
    if (acc) {
      all.addAll(ACC_EVENTS);
    }
    if (b2bLoaded) {
      all.add(UA_EVENT);
    }
    all.add("E_CORE_LOG");
    return all;
  }

  /**
   * Sets how long an ended dialog stays in {@code dlg_list} with state 5.
   *
   * @param linger zero or more
   */
  public void endedLinger(Duration linger) {
    this.endedLinger = Objects.requireNonNull(linger, "linger");
  }

  // ------------------------------------------------------------------ test hooks

  /**
   * A call arrives through OpenSIPS and rings: the dialog is created (state 1) and moves to early
   * (state 2), raising {@code 1->2}.
   *
   * @param fromUri the caller's From URI, e.g. {@code sip:alice@127.0.0.1:5081}
   * @param toUri the To URI
   * @return the dialog ID, e.g. {@code 2da.69ee64b1}
   */
  public String startDialog(String fromUri, String toUri) {
    Dlg d = newDialog(fromUri, toUri);
    move(d, 2);
    return d.id;
  }

  /**
   * A call through OpenSIPS that the callee rejects at once (a 486 without a 180, say): one {@code
   * 1->5}, and with acc {@code E_ACC_MISSED_EVENT} before it and, for {@code f-} users, {@code
   * E_ACC_EVENT} after it (file 14).
   *
   * @param fromUri the caller's From URI
   * @param toUri the To URI
   * @param code the callee's final status, e.g. 486
   * @param reason its reason phrase, e.g. {@code Busy Here}
   * @return the dialog ID
   */
  public String rejectDialog(String fromUri, String toUri, int code, String reason) {
    Dlg d = newDialog(fromUri, toUri);
    synchronized (eventLock) {
      synchronized (this) {
        failed++;
      }
      accMissed(d, code, reason, true);
      move(d, 5);
      if (acc && d.accFailed()) {
        raise("E_ACC_EVENT", accParams(d, code, reason, false));
      }
    }
    return d.id;
  }

  /**
   * OpenSIPS answers a call itself with 404 (no route): {@code 1->5} with {@code to_tag} null (file
   * 15). Stateless ({@code send_reply} without a transaction): that is the only event and the
   * dialog is gone from {@code dlg_list} at once; stateful ({@code t_newtran()} first): {@code
   * E_ACC_MISSED_EVENT} 404 follows with acc, and the dialog stays listed with state 5.
   *
   * @param fromUri the caller's From URI
   * @param toUri the To URI
   * @param stateful whether the script created a transaction before replying
   * @return the dialog ID
   */
  public String ownNotFound(String fromUri, String toUri, boolean stateful) {
    Dlg d = newDialog(fromUri, toUri);
    synchronized (eventLock) {
      synchronized (this) {
        d.calleeTag = null;
        d.listed = stateful;
        if (!stateful) {
          dialogs.remove(d.id);
        }
        failed++;
      }
      move(d, 5);
      if (stateful) {
        accMissed(d, 404, "Not Found", false);
      }
    }
    return d.id;
  }

  private Dlg newDialog(String fromUri, String toUri) {
    Dlg d = new Dlg();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long seq = callSeq.incrementAndGet();
    synchronized (this) {
      do {
        d.id = Integer.toHexString(r.nextInt(1, 4096)) + "." + Integer.toHexString(r.nextInt());
      } while (dialogs.containsKey(d.id));
      d.dbId = Long.toString(r.nextLong(1_000_000_000_000L, 20_000_000_000_000L));
      d.callId = "1-" + seq + "@127.0.0.1";
      d.fromUri = fromUri;
      d.toUri = toUri;
      d.callerTag = seq + "SIPpTag001";
      d.calleeTag = (seq - 1) + "SIPpTag011";
      d.state = 1;
      d.created = epochSeconds();
      dialogs.put(d.id, d);
      processed++;
    }
    return d;
  }

  /** {@code E_ACC_MISSED_EVENT} when acc is loaded (a failed call's SIP code, as a string). */
  private void accMissed(Dlg d, int code, String reason, boolean withSetup) {
    if (acc) {
      raise("E_ACC_MISSED_EVENT", accParams(d, code, reason, true));
    }
  }

  private ObjectNode accParams(Dlg d, int code, String reason, boolean setup) {
    ObjectNode p = NODES.objectNode();
    p.put("method", "INVITE");
    p.put("from_tag", d.callerTag);
    if (d.calleeTag == null) {
      p.putNull("to_tag");
    } else {
      p.put("to_tag", d.calleeTag);
    }
    p.put("callid", d.callId);
    p.put("sip_code", Integer.toString(code));
    p.put("sip_reason", reason);
    p.put("time", epochSeconds());
    if (setup) {
      p.put("setuptime", 0);
      p.put("created", d.created);
    }
    return p;
  }

  /**
   * The callee answers: {@code 2->3} (200 OK relayed), then {@code 3->4} (ACK).
   *
   * @param dialogIdOrCallId the dialog
   * @throws IllegalArgumentException if no live dialog has that ID or Call-ID
   */
  public void answer(String dialogIdOrCallId) {
    Dlg d = live(dialogIdOrCallId);
    synchronized (this) {
      d.timestart = epochSeconds();
      d.timestartNanos = nowNanos();
    }
    move(d, 3);
    move(d, 4);
  }

  /**
   * The dialog ends (BYE from either side, CANCEL or a failure reply): {@code n->5}.
   *
   * @param dialogIdOrCallId the dialog
   * @throws IllegalArgumentException if no live dialog has that ID or Call-ID
   */
  public void endDialog(String dialogIdOrCallId) {
    Dlg d = live(dialogIdOrCallId);
    synchronized (eventLock) {
      boolean answered;
      synchronized (this) {
        answered = d.state >= 3;
        if (!answered) {
          failed++;
        }
      }
      if (!answered) {
        // CANCEL: the callee's 487 is the failed call's code (acc orders it before the end).
        accMissed(d, 487, "Request Terminated", true);
      }
      move(d, 5);
      if (answered && acc) {
        // acc_evi_cdrs: ms_duration from the answer to the BYE, duration rounded up, setuptime in
        // whole seconds from creation to the answer
        long ms = Math.max((nowNanos() - d.timestartNanos) / 1_000_000L, 0);
        ObjectNode p = accParams(d, 200, "OK", false);
        p.put("time", d.timestart);
        p.put("duration", (ms + 999) / 1000);
        p.put("ms_duration", ms);
        p.put("setuptime", Math.max(d.timestart - d.created, 0));
        p.put("created", d.created);
        raise("E_ACC_CDR", p);
      }
    }
  }

  /**
   * Returns a dialog's state (1-5), or empty once it is no longer listed.
   *
   * @param dialogIdOrCallId the dialog ID or Call-ID
   */
  public synchronized Optional<Integer> dialogState(String dialogIdOrCallId) {
    purge();
    return find(dialogIdOrCallId).map(d -> d.state);
  }

  /**
   * Counts the calls OpenSIPS holds: dialogs not ended plus UA sessions ringing or answered.
   *
   * @return the count
   */
  public int heldCalls() {
    return liveDialogIds().size() + b2b.live();
  }

  /** Returns the IDs of the dialogs not yet ended, oldest first. */
  public synchronized List<String> liveDialogIds() {
    return dialogs.values().stream().filter(d -> d.state < 5).map(d -> d.id).toList();
  }

  /** Returns a dialog's SIP Call-ID. */
  public synchronized String callIdOf(String dialogId) {
    return find(dialogId).map(d -> d.callId).orElseThrow();
  }

  /**
   * Adds a registered contact, as a REGISTER saved by {@code registrar} would.
   *
   * @param aor the address of record, e.g. {@code alice}
   * @param contact the contact URI
   */
  public synchronized void registerContact(String aor, String contact) {
    ObjectNode c = NODES.objectNode();
    c.put("Contact", contact);
    c.put("ContactID", Long.toString(ThreadLocalRandom.current().nextLong(1L << 62)));
    c.put("Expires", 600);
    c.put("Q", "");
    c.put("Callid", "sdk-reg-" + callSeq.incrementAndGet() + "@127.0.0.1");
    c.put("Cseq", 1);
    c.put("User-agent", "sdk-anchor");
    c.put("State", "CS_NEW");
    c.put("Flags", 0);
    c.put("Cflags", "");
    c.put("Socket", BIND);
    c.put("Methods", 4294967295L);
    contacts.computeIfAbsent(aor, k -> new ArrayList<>()).add(c);
  }

  /** Returns the sockets subscribed (not expired) to {@code event}, newest first. */
  public synchronized List<String> subscribers(String event) {
    long now = epochSeconds();
    return subscribers.getOrDefault(event, List.of()).stream()
        .filter(s -> !s.removable(now))
        .map(s -> s.socket)
        .toList();
  }

  /** Closes every event_stream connection; the next event opens a new one. */
  public void dropEventConnections() {
    synchronized (eventLock) {
      streams.values().forEach(OpenSipsEmulator::closeQuietly);
      streams.clear();
    }
  }

  /**
   * Writes raw bytes to every live {@code tcp:} subscriber of {@value #DIALOG_EVENT} (garbage,
   * truncated or huge objects).
   *
   * @param bytes what to write
   */
  public void sendRawToSubscribers(byte[] bytes) {
    for (String socket : subscribers(DIALOG_EVENT)) {
      if (socket.startsWith("tcp:")) {
        writeStream(socket, bytes);
      }
    }
  }

  /**
   * Sends one valid {@value #DIALOG_EVENT} notification for an unknown dialog that ends at once
   * ({@code 4->5}), padded with a Call-ID of about {@code bytes} bytes.
   *
   * @param bytes the approximate size
   */
  public void sendLargeEvent(int bytes) {
    char[] pad = new char[Math.max(bytes - 200, 1)];
    Arrays.fill(pad, 'x');
    ObjectNode p = NODES.objectNode();
    p.put("id", "fff.1");
    p.put("db_id", "1");
    p.put("callid", new String(pad));
    p.put("from_tag", "t1");
    p.put("to_tag", "t2");
    p.put("old_state", 4);
    p.put("new_state", 5);
    sendRawToSubscribers(notification(DIALOG_EVENT, p));
  }

  // ------------------------------------------------------------------ dialog machinery

  private synchronized Dlg live(String idOrCallId) {
    return find(idOrCallId)
        .filter(d -> d.state < 5)
        .orElseThrow(() -> new IllegalArgumentException("no live dialog " + idOrCallId));
  }

  private Optional<Dlg> find(String idOrCallId) {
    Dlg d = dialogs.get(idOrCallId);
    if (d != null) {
      return Optional.of(d);
    }
    return dialogs.values().stream().filter(x -> x.callId.equals(idOrCallId)).findFirst();
  }

  private void purge() {
    long now = nowNanos();
    dialogs.values().removeIf(d -> d.state == 5 && now - d.endedAtNanos >= endedLinger.toNanos());
  }

  /** Moves a dialog and raises the event; events leave in the order of the moves. */
  private void move(Dlg d, int to) {
    synchronized (eventLock) {
      ObjectNode p;
      synchronized (this) {
        int from = d.state;
        d.state = to;
        if (to == 5) {
          d.endedAtNanos = nowNanos();
        }
        p = NODES.objectNode();
        p.put("id", d.id);
        p.put("db_id", d.dbId);
        p.put("callid", d.callId);
        p.put("from_tag", d.callerTag);
        if (d.calleeTag == null) {
          p.putNull("to_tag");
        } else {
          p.put("to_tag", d.calleeTag);
        }
        p.put("old_state", from);
        p.put("new_state", to);
      }
      raise(DIALOG_EVENT, p);
    }
  }

  /**
   * Raises an event as evi does: expired subscribers are removed (correctly, unlike {@code
   * subscribers_list}), and every other one gets the notification, newest subscriber first.
   */
  void raise(String event, ObjectNode params) {
    raise(event, params, java.util.function.UnaryOperator.identity());
  }

  /** Raises an event whose serialized bytes {@code damage} changes (as OpenSIPS's memory does). */
  void raise(String event, ObjectNode params, java.util.function.UnaryOperator<byte[]> damage) {
    synchronized (eventLock) {
      List<String> sockets;
      synchronized (this) {
        List<Subscriber> list = subscribers.get(event);
        if (list == null) {
          return;
        }
        long now = epochSeconds();
        list.removeIf(s -> s.removable(now));
        sockets = list.stream().map(s -> s.socket).toList();
      }
      byte[] bytes = damage.apply(notification(event, params));
      for (String socket : sockets) {
        if (socket.startsWith("tcp:")) {
          writeStream(socket, bytes);
        } else if (socket.startsWith("udp:")) {
          sendDatagram(socket, bytes);
        }
      }
    }
  }

  private static byte[] notification(String event, ObjectNode params) {
    ObjectNode n = NODES.objectNode();
    n.put("jsonrpc", "2.0");
    n.put("method", event);
    n.set("params", params);
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes to the subscriber's connection, opening (or reopening once) it as OpenSIPS does. */
  private void writeStream(String socket, byte[] bytes) {
    synchronized (eventLock) {
      for (int attempt = 0; attempt < 2; attempt++) {
        Socket s = streams.get(socket);
        try {
          if (s == null) {
            s = new Socket();
            s.connect(address(socket), 1000);
            s.setTcpNoDelay(true);
            streams.put(socket, s);
            watchForClose(socket, s);
          }
          OutputStream out = s.getOutputStream();
          out.write(bytes);
          out.flush();
          return;
        } catch (IOException e) {
          streams.remove(socket);
          if (s != null) {
            closeQuietly(s);
          }
          LOG.debug("event_stream to {} failed: {}", socket, e.getMessage());
        }
      }
    }
  }

  /**
   * Reads the connection until the subscriber closes it, then drops it, as OpenSIPS's event_stream
   * does (it watches each connection for reading and frees it on EOF): a closed listener leaves no
   * socket open on this side.
   */
  private void watchForClose(String socket, Socket s) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[512];
              try {
                InputStream in = s.getInputStream();
                while (in.read(buf) >= 0) {
                  // replies are of no interest outside reliable mode
                }
              } catch (IOException e) {
                // closed from either side
              }
              synchronized (eventLock) {
                streams.remove(socket, s);
              }
              closeQuietly(s);
            },
            "opensips-emulator-event-stream-" + socket);
    t.setDaemon(true);
    t.start();
  }

  private static void sendDatagram(String socket, byte[] bytes) {
    try (DatagramSocket d = new DatagramSocket()) {
      d.send(new DatagramPacket(bytes, bytes.length, address(socket)));
    } catch (IOException e) {
      LOG.debug("event_datagram to {} failed: {}", socket, e.getMessage());
    }
  }

  private static InetSocketAddress address(String socket) {
    String rest = socket.substring(4);
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      rest = rest.substring(0, slash);
    }
    int colon = rest.lastIndexOf(':');
    return new InetSocketAddress(
        rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1)));
  }

  // ------------------------------------------------------------------ MI commands

  private void register() {
    mi.method("version", p -> Map.of("Server", VERSION));
    mi.method("uptime", p -> uptime());
    mi.method("ps", p -> ps());
    mi.method("which", this::which);
    mi.method("get_statistics", p -> statistics(p, false));
    mi.method("list_statistics", p -> statistics(p, true));
    mi.method(
        "reset_statistics",
        p -> {
          named(p, "statistics");
          return "OK";
        });
    mi.method("dlg_list", p -> dlgList(p, false));
    mi.method("dlg_list_ctx", p -> dlgList(p, true));
    mi.method("dlg_end_dlg", this::dlgEnd);
    mi.method("profile_get_size", this::profileSize);
    mi.method("profile_list_dlgs", this::profileDialogs);
    mi.method(
        "list_all_profiles",
        p -> Map.of("Profiles", List.of(profile("inbound", false), profile("caller", true))));
    mi.method("b2b_list", p -> Map.of("Tuples", List.of()));
    mi.method("b2be_list", p -> b2bEntities().list(NODES.objectNode()));
    mi.method("ua_session_list", p -> b2bEntities().list(p));
    mi.method("ua_session_client_start", p -> b2bEntities().clientStart(p));
    mi.method("ua_session_update", p -> b2bEntities().update(p));
    mi.method("ua_session_reply", p -> b2bEntities().reply(p));
    mi.method("ua_session_terminate", p -> b2bEntities().terminate(p));
    mi.method("events_list", p -> eventsList());
    mi.method("event_subscribe", this::subscribe);
    mi.method("subscribers_list", this::subscribersList);
    mi.method("ul_dump", this::ulDump);
    mi.method("ul_show_contact", this::ulShow);
    mi.method("ul_rm", this::ulRm);
    mi.method(
        "log_level",
        p -> {
          if (p.isObject() && p.has("level") && !p.get("level").isInt()) {
            throw invalidParams(badType("level"));
          }
          return "OK";
        });
  }

  // The data strings OpenSIPS 3.x puts on -32602 (mi/mi.c), as recorded.
  private static final String WRONG_COUNT = "Too few or too many parameters";
  private static final String NAMES_DO_NOT_MATCH = "Named parameters do not match";
  private static final String NAMED_ONLY = "Command only supports named parameters";

  /** b2b_entities, or {@code -32601} as mi_http answers for a module that is not loaded. */
  private B2bEntities b2bEntities() throws RpcError {
    if (!b2bLoaded) {
      throw new RpcError(JsonRpcEmulator.METHOD_NOT_FOUND, "Method not found");
    }
    return b2b;
  }

  static RpcError invalidParams(String data) {
    return new RpcError(-32602, "Invalid params", data);
  }

  private static String badType(String param) {
    return "Bad type for parameter '" + param + "'";
  }

  /** Checks named params: an object whose keys are all in {@code allowed}; array -> -32602. */
  static ObjectNode named(JsonNode p, String... required) throws RpcError {
    if (p.isNull() || p.isMissingNode()) {
      if (required.length > 0) {
        throw invalidParams(WRONG_COUNT);
      }
      return NODES.objectNode();
    }
    if (!p.isObject()) {
      // OpenSIPS matches positional params to a recipe by count; this emulator takes named ones.
      throw invalidParams(NAMED_ONLY);
    }
    for (String r : required) {
      if (!p.has(r)) {
        // OpenSIPS picks recipes by count first, then by names.
        throw invalidParams(p.size() < required.length ? WRONG_COUNT : NAMES_DO_NOT_MATCH);
      }
    }
    return (ObjectNode) p;
  }

  private Object uptime() {
    ZonedDateTime now = ZonedDateTime.now(ZoneId.systemDefault());
    ZonedDateTime since =
        ZonedDateTime.ofInstant(
            java.time.Instant.ofEpochMilli(startedAtMillis), ZoneId.systemDefault());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Now", CTIME.format(now));
    out.put("Up since", CTIME.format(since));
    out.put("Up time", (System.currentTimeMillis() - startedAtMillis) / 1000 + " [sec]");
    return out;
  }

  private static Object ps() {
    List<Map<String, Object>> procs = new ArrayList<>();
    String[] types = {
      "attendant",
      "event_stream Sender",
      "MI FIFO",
      "HTTPD 127.0.0.1:8888",
      "time_keeper",
      "timer",
      "SIP receiver " + BIND,
      "SIP receiver " + BIND,
      "TCP receiver",
      "TCP receiver",
      "Timer handler",
      "TCP main"
    };
    for (int i = 0; i < types.length; i++) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("ID", i);
      p.put("PID", 31346 + i);
      p.put("Type", types[i]);
      procs.add(p);
    }
    return Map.of("Processes", procs);
  }

  private Object which(JsonNode p) throws RpcError {
    ObjectNode n = named(p);
    List<String> loaded =
        b2bLoaded
            ? commands
            : commands.stream()
                .filter(c -> !c.startsWith("ua_session_") && !c.equals("b2be_list"))
                .toList();
    if (!n.has("command")) {
      return loaded;
    }
    String c = n.get("command").asText();
    if (c.equals("dlg_list") || c.equals("dlg_list_ctx")) {
      return List.of(
          List.of(), List.of("callid"), List.of("callid", "from_tag"), List.of("index", "counter"));
    }
    if (!loaded.contains(c)) {
      throw new RpcError(404, "Unknown command");
    }
    return List.of(List.of());
  }

  private synchronized Object statistics(JsonNode p, boolean list) throws RpcError {
    if (p.isArray()) {
      // One positional value fills the one parameter, which must be an array (as recorded).
      throw invalidParams(p.size() == 1 ? badType("statistics") : WRONG_COUNT);
    }
    ObjectNode n = named(p, "statistics");
    if (n.size() != 1) {
      throw invalidParams(NAMES_DO_NOT_MATCH);
    }
    if (!n.get("statistics").isArray()) {
      throw invalidParams(badType("statistics"));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (JsonNode want : n.get("statistics")) {
      String w = want.asText();
      for (String name : statisticNames) {
        boolean match =
            w.equals("all")
                || (w.endsWith(":") && name.startsWith(w))
                || name.equals(w)
                || name.endsWith(":" + w);
        if (match) {
          out.put(
              name, list ? (incremental(name) ? "incremental" : "non-incremental") : value(name));
        }
      }
    }
    return out;
  }

  private static boolean incremental(String name) {
    return !name.equals("dialog:active_dialogs")
        && !name.equals("dialog:early_dialogs")
        && !name.startsWith("shmem:");
  }

  private long value(String name) {
    purge();
    return switch (name) {
      case "dialog:active_dialogs" -> dialogs.values().stream().filter(d -> d.state < 5).count();
      case "dialog:early_dialogs" -> dialogs.values().stream().filter(d -> d.state == 2).count();
      case "dialog:processed_dialogs" -> processed;
      case "dialog:failed_dialogs" -> failed;
      case "shmem:total_size" -> 67108864L;
      case "shmem:free_size" -> 62711720L;
      default -> 0L;
    };
  }

  private synchronized Object dlgList(JsonNode p, boolean ctx) throws RpcError {
    purge();
    ObjectNode n = named(p);
    if (n.has("callid")) {
      String callId = n.get("callid").asText();
      Optional<Dlg> d =
          dialogs.values().stream()
              .filter(x -> x.callId.equals(callId))
              .filter(x -> !n.has("from_tag") || x.callerTag.equals(n.get("from_tag").asText()))
              .findFirst();
      if (d.isEmpty()) {
        throw new RpcError(404, "Nothing found");
      }
      return Map.of("Dialog", dialogJson(d.get(), ctx));
    }
    if (n.size() > 0 && !(n.has("index") && n.has("counter"))) {
      throw invalidParams(NAMES_DO_NOT_MATCH);
    }
    ArrayNode list = NODES.arrayNode();
    dialogs.values().forEach(d -> list.add(dialogJson(d, ctx)));
    return Map.of("Dialogs", list);
  }

  private static ObjectNode dialogJson(Dlg d, boolean ctx) {
    ObjectNode o = NODES.objectNode();
    o.put("ID", d.id);
    o.put("db_id", d.dbId);
    o.put("state", d.state);
    o.put("user_flags", "");
    o.put("timestart", d.timestart);
    boolean answered = d.timestart > 0;
    if (answered) {
      o.put(
          "datestart",
          DATE.format(LocalDateTime.ofEpochSecond(d.timestart, 0, java.time.ZoneOffset.UTC)));
    }
    o.put("timeout", answered && d.state < 5 ? d.timestart + 3600 : 0);
    if (answered && d.state < 5) {
      o.put(
          "dateout",
          DATE.format(
              LocalDateTime.ofEpochSecond(d.timestart + 3600, 0, java.time.ZoneOffset.UTC)));
    }
    o.put("callid", d.callId);
    o.put("from_uri", d.fromUri);
    o.put("to_uri", d.toUri);
    o.put("caller_tag", d.callerTag);
    o.put("caller_contact", d.fromUri);
    o.put("callee_cseq", "0");
    o.put("caller_route_set", "");
    o.put("caller_bind_addr", BIND);
    o.put("caller_sdp", SDP_CALLER);
    ArrayNode callees = o.putArray("CALLEES");
    if (d.calleeTag == null) {
      return ctx ? withContext(o, d) : o; // OpenSIPS's own reply: no callee leg (file 15)
    }
    ObjectNode callee = callees.addObject();
    callee.put("callee_tag", d.calleeTag);
    callee.put("callee_contact", answered ? "sip:127.0.0.1:5080;transport=UDP" : "");
    callee.put("caller_cseq", "1");
    callee.put("callee_route_set", "");
    callee.put("callee_bind_addr", BIND);
    if (answered) {
      callee.put("callee_sdp", SDP_CALLEE);
    }
    return ctx ? withContext(o, d) : o;
  }

  private static ObjectNode withContext(ObjectNode o, Dlg d) {
    ObjectNode c = o.putObject("context");
    // What the recorded script sets: a dialog variable and the profiles inbound and caller.
    c.putArray("values").addObject().put("sdk_tag", "anchor");
    ArrayNode profiles = c.putArray("profiles");
    String user = d.fromUri.replaceFirst("^sips?:", "").replaceFirst("@.*$", "");
    profiles.addObject().put("caller", user);
    profiles.addObject().put("inbound", "");
    return o;
  }

  private Object dlgEnd(JsonNode p) throws RpcError {
    ObjectNode n = named(p, "dialog_id");
    Dlg d;
    synchronized (this) {
      d = find(n.get("dialog_id").asText()).filter(x -> x.state < 5).orElse(null);
    }
    if (d == null) {
      throw new RpcError(404, "Requested Dialog not found");
    }
    endDialog(d.id);
    return "OK";
  }

  private static Map<String, Object> profile(String name, boolean hasValue) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("has value", hasValue);
    return m;
  }

  private synchronized Object profileSize(JsonNode p) throws RpcError {
    ObjectNode n = named(p, "profile");
    String name = n.get("profile").asText();
    if (!name.equals("inbound") && !name.equals("caller")) {
      throw new RpcError(404, "Profile not found");
    }
    purge();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("value", n.has("value") ? n.get("value").asText() : null);
    m.put("count", dialogs.values().stream().filter(d -> d.state < 5).count());
    m.put("shared", "no");
    m.put("replicated", "no");
    return Map.of("Profile", m);
  }

  private synchronized Object profileDialogs(JsonNode p) throws RpcError {
    ObjectNode n = named(p, "profile");
    if (!n.get("profile").asText().equals("inbound")
        && !n.get("profile").asText().equals("caller")) {
      throw new RpcError(404, "Profile not found");
    }
    ArrayNode list = NODES.arrayNode();
    dialogs.values().stream().filter(d -> d.state < 5).forEach(d -> list.add(dialogJson(d, false)));
    return Map.of("Dialogs", list);
  }

  private Object eventsList() {
    List<String> events = events();
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", events.get(i));
      e.put("id", i);
      out.add(e);
    }
    return Map.of("Events", out);
  }

  /**
   * {@code event_subscribe}: a socket already subscribed keeps its place and gets a new
   * subscription time and expire; a new one goes first (evi prepends).
   */
  private Object subscribe(JsonNode p) throws RpcError {
    ObjectNode n = named(p, "event", "socket");
    String event = n.get("event").asText();
    String socket = n.get("socket").asText();
    long expire = n.has("expire") ? n.get("expire").asLong() : 3600;
    boolean schemeOk = socket.startsWith("tcp:") || socket.startsWith("udp:");
    if (!events().contains(event) || !schemeOk || socket.lastIndexOf(':') < 5) {
      throw new RpcError(400, "Bad parameter value");
    }
    synchronized (this) {
      List<Subscriber> list = subscribers.computeIfAbsent(event, k -> new ArrayList<>());
      Subscriber known =
          list.stream().filter(s -> s.socket.equals(socket)).findFirst().orElse(null);
      if (known != null) {
        known.subscribedAt = epochSeconds();
        known.expire = expire;
      } else {
        list.add(0, new Subscriber(socket, expire, epochSeconds()));
      }
    }
    return "OK";
  }

  private synchronized Object subscribersList(JsonNode p) throws RpcError {
    ObjectNode n = named(p);
    List<String> events = events();
    if (n.has("event")) {
      String event = n.get("event").asText();
      if (!events.contains(event)) {
        throw new RpcError(404, "Unknown event");
      }
      removeExpiredAsOpenSips(event);
      return Map.of("Event", eventSubscribers(event));
    }
    List<Object> out = new ArrayList<>();
    for (String event : events) {
      removeExpiredAsOpenSips(event);
      if (!subscribers.getOrDefault(event, List.of()).isEmpty()) {
        out.add(eventSubscribers(event));
      }
    }
    return Map.of("Events", out);
  }

  /**
   * What 3.5.9's {@code evi_remove_expired_subs()} does before {@code subscribers_list} prints: it
   * never advances its {@code prev} pointer, so removing an expired subscriber makes the one after
   * it the head of the list, dropping every subscriber listed before it (files 16-18).
   */
  private void removeExpiredAsOpenSips(String event) {
    List<Subscriber> list = subscribers.get(event);
    if (list == null) {
      return;
    }
    long now = epochSeconds();
    int i = 0;
    while (i < list.size()) {
      if (list.get(i).removable(now)) {
        list.subList(0, i + 1).clear();
        i = 0;
      } else {
        i++;
      }
    }
  }

  private Map<String, Object> eventSubscribers(String event) {
    List<Subscriber> list = subscribers.getOrDefault(event, List.of());
    Map<String, Object> e = new LinkedHashMap<>();
    if (list.isEmpty()) {
      return e; // {"Event":{}} as recorded
    }
    e.put("name", event);
    e.put("id", events().indexOf(event));
    List<Object> subs = new ArrayList<>();
    long now = epochSeconds();
    for (Subscriber s : list) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("socket", s.socket);
      m.put("expire", s.expire);
      m.put("ttl", s.ttl(now));
      subs.add(m);
    }
    e.put("Subscribers", subs);
    return e;
  }

  private synchronized Object ulDump(JsonNode p) throws RpcError {
    ObjectNode n = named(p);
    boolean brief = n.has("brief") && n.get("brief").asInt() != 0;
    ArrayNode aors = NODES.arrayNode();
    contacts.forEach(
        (aor, list) -> {
          ObjectNode a = aors.addObject();
          a.put("AOR", aor);
          if (!brief) {
            a.putArray("Contacts").addAll(list);
          }
        });
    ObjectNode domain = NODES.objectNode();
    domain.put("name", "location");
    domain.put("hash_size", 512);
    domain.set("AORs", aors);
    return Map.of("Domains", List.of(domain));
  }

  private synchronized Object ulShow(JsonNode p) throws RpcError {
    ObjectNode n = named(p, "table_name", "aor");
    List<ObjectNode> list = contacts.get(n.get("aor").asText());
    if (list == null) {
      throw new RpcError(404, "AOR not found");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("AOR", n.get("aor").asText());
    out.put("Contacts", list);
    return out;
  }

  private synchronized Object ulRm(JsonNode p) throws RpcError {
    ObjectNode n = named(p, "table_name", "aor");
    if (contacts.remove(n.get("aor").asText()) == null) {
      throw new RpcError(404, "AOR not found");
    }
    return "OK";
  }

  private static List<String> resourceLines(String name) {
    try (InputStream in = OpenSipsEmulator.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .lines()
          .filter(l -> !l.isBlank())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** Closes every event connection and stops the MI server. Idempotent. */
  @Override
  public void close() {
    dropEventConnections();
    mi.close();
    b2b.close();
  }

  @Override
  public String toString() {
    return "OpenSipsEmulator[" + mi + "]";
  }
}
