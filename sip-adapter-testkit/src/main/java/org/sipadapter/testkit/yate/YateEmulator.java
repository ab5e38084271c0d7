package org.sipadapter.testkit.yate;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.sipadapter.testkit.emulator.EmulatorSession;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.emulator.FrameSplitter;
import org.sipadapter.testkit.emulator.SessionHandler;
import org.sipadapter.testkit.emulator.TcpEmulator;

/**
 * A Yate engine as an external module sees it through an {@code extmodule.conf} socket listener,
 * built from the transcripts in {@code org/sipadapter/testkit/fixtures/yate-extmodule}: {@code
 * setlocal}, {@code install}/{@code uninstall}, {@code watch}/{@code unwatch}, {@code
 * output}/{@code debug}, {@code quit}, {@code Error in:} for lines Yate cannot parse, and the
 * messages a client dispatches ({@code call.execute}, {@code call.drop}, {@code call.answered},
 * {@code chan.dtmf}, {@code engine.status}, {@code engine.command}, {@code chan.locate}; anything
 * else comes back unprocessed).
 *
 * <p>Stateful: {@code call.execute} creates the local leg ({@code dumb/N}, {@code tone/N}), offers
 * {@code call.route} to installed handlers (waiting for their answer up to the module's {@code
 * timeout}, as Yate does) and then to its routing table, creates the far leg ({@code sip/N}, {@code
 * tone/N}) and sends the watched notifications with the parameters, in the order, the transcripts
 * show. SIP legs ring and answer on a timer; tone legs are up at once and send nothing.
 *
 * <p>Threading: all engine logic runs on one thread ({@code emulator-yate-engine}); public methods
 * are thread-safe and wait for the engine.
 */
public class YateEmulator extends TcpEmulator {

  /** What a routed number does. */
  public enum Outcome {
    /** Routed to a SIP leg that rings, then answers. */
    ANSWER,
    /** Routed to a SIP leg that rings forever. */
    NO_ANSWER,
    /** Routed to a SIP leg that rings, then refuses with 486 ({@code reason=busy}). */
    SIP_BUSY,
    /** Refused by the router: {@code -;error=busy}. */
    BUSY,
    /** Refused by the router: {@code -;error=noroute}. */
    NO_ROUTE
  }

  private static final String VERSION = "6.4.1";
  private static final String RUNID = "1795671524";
  private static final String H_EXEC = "javascript%z15,gvoice%z20,yrtp%z50,cdrbuild%z50,dumb%z90";
  private static final String H_ROUTE = "javascript%z15,cdrbuild%z50,regexroute%z100";
  private static final String H_CHAN = "javascript%z15,cdrbuild%z50";
  private static final String H_HANGUP = "javascript%z15,queues%z45,cdrbuild%z150";
  private static final String H_DROP = "queues%z45,cdrbuild%z50,tone%z60,sip%z60,dumb%z60";
  private static final String H_CALLSTATE = "javascript%z15,yrtp%z50,sip%z100,dumb%z100";
  private static final String H_ENGINE = "engine%z90,tone%z110,sip%z110,dumb%z110";
  private static final String H_MASQ = "pbx%z100";
  private static final String H_DTMF = "yrtp%z150,sip%z100,dumb%z100";
  private static final String RTP_STATS = "PS=0,OS=0,PR=0,OR=0,PL=0";
  private static final String SIP_ALLOW =
      "ACK, INVITE, BYE, CANCEL, REGISTER, REFER, OPTIONS, INFO";

  private final ScheduledExecutorService engine =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "emulator-yate-engine");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private final Map<String, Outcome> prefixRoutes = new ConcurrentHashMap<>();
  private final Map<String, Integer> counters = new HashMap<>();
  private final Map<String, Chan> channels = new LinkedHashMap<>();
  private final Map<String, List<String>> dtmfSent = new ConcurrentHashMap<>();
  private final Map<String, List<String>> dtmfInfo = new ConcurrentHashMap<>();
  private final Map<String, String> recordings = new ConcurrentHashMap<>();
  private final Map<String, Room> rooms = new HashMap<>();
  private int cdrSeq;
  private volatile String selfAddress = "127.0.0.1:5062";
  private volatile boolean mohLoaded;
  private volatile boolean cdrBeforeHangup;
  private final List<Module> modules = new CopyOnWriteArrayList<>();
  private final AtomicLong msgSeq = new AtomicLong(400_000_000L);
  private final AtomicLong billSeq = new AtomicLong();
  private volatile boolean requireConnect;
  private volatile Duration ringAfter = Duration.ofMillis(10);
  private volatile Duration answerAfter = Duration.ofMillis(20);

  private record Route(String destination, Outcome outcome) {}

  /** Creates an emulator of a {@code role=global} listener; call {@link #start()}. */
  public YateEmulator() {
    super("yate", FrameSplitter.lines());
  }

  /**
   * Emulates a listener with no preset role: the first line must be {@code %%>connect:global} (or
   * {@code channel}); anything else closes the socket without a word.
   *
   * @param required true for such a listener
   * @return this emulator
   */
  public YateEmulator requireConnect(boolean required) {
    this.requireConnect = required;
    return this;
  }

  /**
   * Routes a called number.
   *
   * @param number the exact called number
   * @param outcome what the call does
   * @return this emulator
   */
  public YateEmulator route(String number, Outcome outcome) {
    routes.put(number, new Route(destinationFor(number, outcome), outcome));
    return this;
  }

  /**
   * Routes every number starting with {@code prefix} (the rest is the SIP user), like the
   * transcripts' {@code ^sip9\(.*\)$=sip/sip:\1@127.0.0.1:5094}.
   *
   * @param prefix the prefix
   * @param outcome what the call does
   * @return this emulator
   */
  public YateEmulator routePrefix(String prefix, Outcome outcome) {
    prefixRoutes.put(prefix, outcome);
    return this;
  }

  /**
   * Routes a number to a driver string such as {@code tone/dial} or {@code dumb/}.
   *
   * @param number the called number
   * @param destination the route's return value
   * @return this emulator
   */
  public YateEmulator routeTo(String number, String destination) {
    routes.put(number, new Route(destination, Outcome.ANSWER));
    return this;
  }

  /**
   * Sets this engine's own SIP address: a route to {@code sip/sip:user@<address>} comes back to
   * this emulator as an incoming SIP call for {@code user} (a SIP self-loop, as the recordings from
   * file 14 on use), so both ends of the call are Yate channels.
   *
   * @param hostPort such as {@code 127.0.0.1:5070}
   * @return this emulator
   */
  public YateEmulator sipAddress(String hostPort) {
    this.selfAddress = hostPort;
    return this;
  }

  /**
   * Loads the moh module: {@code chan.attach source=moh/...} then works (the recordings' Yate did
   * not load it).
   *
   * @param loaded true to load it
   * @return this emulator
   */
  public YateEmulator mohLoaded(boolean loaded) {
    this.mohLoaded = loaded;
    return this;
  }

  /**
   * Sends a leg's finalized {@code call.cdr} before its {@code chan.hangup}. cdrbuild enqueues the
   * record while {@code chan.hangup} is dispatched, so another engine thread may deliver it first;
   * by default it comes after, as recorded.
   *
   * @param before true for the record first
   * @return this emulator
   */
  public YateEmulator cdrBeforeHangup(boolean before) {
    this.cdrBeforeHangup = before;
    return this;
  }

  /**
   * Sets how long SIP legs take to ring and then to answer.
   *
   * @param ring until {@code call.ringing}
   * @param answer from ringing until {@code call.answered}
   * @return this emulator
   */
  public YateEmulator timing(Duration ring, Duration answer) {
    this.ringAfter = ring;
    this.answerAfter = answer;
    return this;
  }

  @Override
  public YateEmulator start() {
    super.start();
    return this;
  }

  @Override
  public YateEmulator start(int port) {
    super.start(port);
    return this;
  }

  @Override
  protected SessionHandler newHandler(EmulatorSession session) {
    Module m = new Module(session);
    return new SessionHandler() {
      @Override
      public void onConnect(EmulatorSession s) {
        modules.add(m);
      }

      @Override
      public void onFrame(EmulatorSession s, Frame frame) {
        String line = frame.text();
        String stripped = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
        engine.execute(() -> onLine(m, stripped));
      }

      @Override
      public void onClose(EmulatorSession s) {
        modules.remove(m);
        m.closed = true;
      }
    };
  }

  // ---------------------------------------------------------------- public controls

  /**
   * Makes a SIP call arrive at the engine, as an INVITE would: a {@code sip/N} incoming channel
   * whose {@code call.route} goes to installed handlers first, then the routing table.
   *
   * @param caller the caller
   * @param called the called number
   * @return the new channel's id
   */
  public String incomingCall(String caller, String called) {
    return onEngine(() -> startIncoming(caller, called));
  }

  /**
   * The far end of a SIP leg hangs up (a BYE).
   *
   * @param channelId the leg, such as {@code sip/2}
   */
  public void remoteHangup(String channelId) {
    onEngine(
        () -> {
          Chan c = channels.get(channelId);
          if (c != null) {
            bye(c, null, null);
          }
          return null;
        });
  }

  /**
   * The far end of a leg sends DTMF (a watched {@code chan.dtmf} with {@code id} = the leg).
   *
   * @param channelId the leg
   * @param digits the digits
   */
  public void dtmfFromRemote(String channelId, String digits) {
    onEngine(
        () -> {
          Chan c = channels.get(channelId);
          if (c != null) {
            Kv p =
                new Kv()
                    .add("id", c.id)
                    .add("module", c.module)
                    .add("targetid", c.peer == null ? null : c.peer.id)
                    .add("text", digits)
                    .add("detected", "rfc2833")
                    .add("handlers", H_CALLSTATE);
            notifyWatchers(null, "chan.dtmf", true, "", p);
          }
          return null;
        });
  }

  /**
   * Returns the digits clients sent out of a leg ({@code chan.dtmf} with {@code targetid}).
   *
   * @param channelId the leg
   * @return the texts sent, oldest first
   */
  public List<String> dtmfSent(String channelId) {
    return List.copyOf(dtmfSent.getOrDefault(channelId, List.of()));
  }

  /**
   * Returns the digits clients sent out of a leg as SIP INFO ({@code methods=info}), which reach
   * the far end whatever the media.
   *
   * @param channelId the leg
   * @return the texts sent, oldest first
   */
  public List<String> dtmfSentAsInfo(String channelId) {
    return List.copyOf(dtmfInfo.getOrDefault(channelId, List.of()));
  }

  /**
   * Returns the file a leg is being recorded to ({@code chan.record} through {@code
   * chan.masquerade}), if any.
   *
   * @param channelId the leg
   * @return the path after {@code wave/record/}
   */
  public java.util.Optional<String> recording(String channelId) {
    return java.util.Optional.ofNullable(recordings.get(channelId));
  }

  /**
   * Returns the source attached to a channel with {@code chan.attach} ({@code tone/ring}, ...).
   *
   * @param channelId the channel
   * @return the source, empty when none or the channel is gone
   */
  public java.util.Optional<String> attachedSource(String channelId) {
    return onEngine(
        () -> {
          Chan c = channels.get(channelId);
          return java.util.Optional.ofNullable(c == null ? null : c.source);
        });
  }

  /**
   * Returns the channel a channel is connected to now.
   *
   * @param channelId the channel
   * @return the peer's id, empty when none or the channel is gone
   */
  public java.util.Optional<String> peerOf(String channelId) {
    return onEngine(
        () -> {
          Chan c = channels.get(channelId);
          return java.util.Optional.ofNullable(c == null || c.peer == null ? null : c.peer.id);
        });
  }

  /**
   * Returns the channels in a conference room, by the channel connected to each member.
   *
   * @param room the room name (without {@code conf/})
   * @return the members' channels, in the order they joined
   */
  public List<String> roomMembers(String room) {
    return onEngine(
        () -> {
          Room r = rooms.get(room);
          List<String> out = new ArrayList<>();
          if (r != null) {
            r.members.forEach(k -> out.add(k.peer == null ? k.id : k.peer.id));
          }
          return out;
        });
  }

  /**
   * Returns the SIP headers the INVITE of an outgoing leg carried ({@code osip_} parameters the
   * leg's {@code call.execute} had; with {@code dumb/} only those named in {@code copyparams}).
   *
   * @param channelId the outgoing SIP leg
   * @return header name to value
   */
  public Map<String, String> inviteHeaders(String channelId) {
    return onEngine(
        () -> {
          Chan c = channels.get(channelId);
          Map<String, String> out = new LinkedHashMap<>();
          if (c != null) {
            c.headers.names().forEach(n -> out.put(n, c.headers.get(n)));
          }
          return out;
        });
  }

  /**
   * Returns the calls the engine holds: the billing ids of live SIP and {@code dumb/} channels (one
   * call's legs share it).
   *
   * @return the billing ids
   */
  public Set<String> calls() {
    return onEngine(
        () -> {
          Set<String> ids = new java.util.TreeSet<>();
          channels.values().stream()
              .filter(c -> c.sip() || c.module.equals("dumb"))
              .forEach(c -> ids.add(c.billid));
          return ids;
        });
  }

  /** Returns the live channels: id to status ({@code ringing}, {@code answered}, ...). */
  public Map<String, String> channels() {
    return onEngine(
        () -> {
          Map<String, String> out = new TreeMap<>();
          channels.values().forEach(c -> out.put(c.id, c.status));
          return out;
        });
  }

  @Override
  public void close() {
    super.close();
    engine.shutdownNow();
  }

  @Override
  protected byte[] garbage() {
    return ("hello\u0000\u00ff yate\n%%<message:broken%Qescape:true::\n%%<install\n"
            + "%%>message\n\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  protected byte[] hugeFrame(int payloadBytes) {
    StringBuilder sb = new StringBuilder(payloadBytes + 64);
    sb.append("%%<message::false:sdk.large::data=");
    sb.append("x".repeat(payloadBytes));
    return sb.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
  }

  private <T> T onEngine(Supplier<T> task) {
    try {
      return CompletableFuture.supplyAsync(task, engine).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Yate emulator engine failed", e);
    }
  }

  // ---------------------------------------------------------------- lines from modules

  private static final class Module {
    final EmulatorSession session;
    final Map<String, Install> installs = new HashMap<>();
    final Set<String> watches = new LinkedHashSet<>();
    final Map<String, CompletableFuture<Answer>> pending = new HashMap<>();
    boolean connected;
    boolean closed;
    boolean selfwatch;
    int timeoutMs = 10_000;

    Module(EmulatorSession session) {
      this.session = session;
    }

    void send(String line) {
      if (!closed) {
        session.send(line + "\n");
      }
    }
  }

  private record Install(int priority, String name, String filterName, String filterValue) {}

  private record Answer(boolean processed, String retval, Map<String, String> params) {}

  private void onLine(Module m, String line) {
    if (requireConnect && !m.connected) {
      if (line.equals("%%>connect:global") || line.startsWith("%%>connect:channel")) {
        m.connected = true;
      } else {
        m.session.close();
      }
      return;
    }
    try {
      if (line.startsWith("%%>message:")) {
        onMessage(m, line);
      } else if (line.startsWith("%%<message:")) {
        onAnswer(m, line);
      } else if (line.startsWith("%%>setlocal:")) {
        onSetlocal(m, line);
      } else if (line.startsWith("%%>install:")) {
        onInstall(m, YateLine.split(line.substring(11)));
      } else if (line.startsWith("%%>uninstall:")) {
        String name = line.substring(13);
        Install i = m.installs.remove(name);
        m.send("%%<uninstall:" + (i == null ? 0 : i.priority) + ":" + name + ":" + (i != null));
      } else if (line.startsWith("%%>watch:")) {
        String name = line.substring(9);
        m.send("%%<watch:" + name + ":" + m.watches.add(name));
      } else if (line.startsWith("%%>unwatch:")) {
        String name = line.substring(11);
        m.send("%%<unwatch:" + name + ":" + m.watches.remove(name));
      } else if (line.startsWith("%%>output:")) {
        YateLine.unescape(line.substring(10));
      } else if (line.startsWith("%%>debug:")) {
        List<String> f = YateLine.split(line.substring(9));
        if (f.size() < 2 || !f.get(0).matches("[0-9]+")) {
          m.send("Error in: " + line);
        }
      } else if (line.equals("%%>quit")) {
        m.send("%%<quit");
        m.closed = true;
        m.session.close();
      } else {
        m.send("Error in: " + line);
      }
    } catch (IllegalArgumentException e) {
      m.send("Error in: " + line);
    }
  }

  private void onSetlocal(Module m, String line) {
    List<String> f = YateLine.split(line.substring(12));
    if (f.size() < 2) {
      m.send("Error in: " + line);
      return;
    }
    String name = f.get(0);
    String value = YateLine.unescape(f.get(1));
    String reply;
    boolean ok;
    Map<String, String> readOnly =
        Map.of(
            "engine.version", VERSION,
            "engine.release", "devel1",
            "engine.nodename", "emulator",
            "engine.runid", RUNID,
            "engine.configname", "yate",
            "engine.supervised", "false",
            "engine.maxworkers", "10",
            "runid", RUNID);
    Set<String> settable =
        Set.of(
            "id",
            "disconnected",
            "trackparam",
            "reason",
            "timeout",
            "timebomb",
            "maxqueue",
            "bufsize",
            "restart",
            "reenter",
            "selfwatch",
            "setdata",
            "settime",
            "debuglevel",
            "debugname");
    if (readOnly.containsKey(name)) {
      reply = readOnly.get(name);
      ok = value.isEmpty();
    } else if (name.startsWith("config.")) {
      reply = "";
      ok = value.isEmpty();
    } else if (name.startsWith("loaded.")) {
      reply =
          String.valueOf(
              Set.of("ysipchan", "tone", "dumbchan", "regexroute").contains(name.substring(7)));
      ok = value.isEmpty();
    } else if (name.startsWith("engine.")) {
      reply = "";
      ok = false;
    } else if (settable.contains(name)) {
      reply = value;
      ok = true;
      if (name.equals("timeout") && value.matches("[0-9]+")) {
        m.timeoutMs = Integer.parseInt(value);
      } else if (name.equals("selfwatch")) {
        m.selfwatch = value.equals("true");
      }
    } else {
      reply = value;
      ok = false;
    }
    m.send("%%<setlocal:" + name + ":" + YateLine.escape(reply) + ":" + ok);
  }

  private void onInstall(Module m, List<String> f) {
    String prioText = f.get(0);
    int prio = prioText.isEmpty() ? 100 : Integer.parseInt(prioText);
    String name = f.size() > 1 ? f.get(1) : "";
    if (name.isEmpty() || m.installs.containsKey(name)) {
      m.send("%%<install:" + prio + ":" + name + ":false");
      return;
    }
    m.installs.put(
        name,
        new Install(prio, name, f.size() > 2 ? f.get(2) : null, f.size() > 3 ? f.get(3) : ""));
    m.send("%%<install:" + prio + ":" + name + ":true");
  }

  private void onAnswer(Module m, String line) {
    List<String> f = YateLine.split(line.substring(11));
    CompletableFuture<Answer> p = m.pending.remove(YateLine.unescape(f.get(0)));
    if (p == null) {
      return; // late or unknown: Yate ignores it
    }
    p.complete(
        new Answer(
            f.size() > 1 && f.get(1).equals("true"),
            f.size() > 3 ? YateLine.unescape(f.get(3)) : "",
            YateLine.params(f, 4)));
  }

  private void onMessage(Module m, String line) {
    List<String> f = YateLine.split(line.substring(11));
    if (f.size() < 3 || !f.get(1).matches("[0-9]+") || f.get(2).isEmpty()) {
      m.send("Error in: " + line);
      return;
    }
    String id = YateLine.unescape(f.get(0));
    String name = YateLine.unescape(f.get(2));
    String retval = f.size() > 3 ? YateLine.unescape(f.get(3)) : "";
    LinkedHashMap<String, String> params = YateLine.params(f, 4);
    Kv p = new Kv().addAll(params);
    switch (name) {
      case "call.execute" -> execute(m, id, p);
      case "call.drop" -> drop(m, id, p);
      case "call.answered" -> answered(m, id, p);
      case "call.route" -> routeRequest(m, id, p);
      case "chan.masquerade" -> masquerade(m, id, p);
      case "chan.connect" -> connectRequest(m, id, p);
      // pbx handles these for a channel only through chan.masquerade; sent directly they find no
      // data channel ("call record with no data channel!")
      case "chan.record", "chan.attach" -> reply(m, id, false, name, "", p.add("handlers", H_MASQ));
      case "chan.dtmf" -> dtmf(m, id, p);
      case "engine.status" -> {
        String module = p.get("module");
        String text = status(module);
        reply(
            m,
            id,
            module != null && !module.equals("sip"),
            name,
            text,
            p.add("handlers", H_ENGINE));
      }
      case "engine.command" -> {
        String l = p.get("line");
        String text =
            "version".equals(l)
                ? "version:  " + VERSION + "\r\nrelease:  devel1\r\nrevision: \r\ngithash:  \r\n"
                : "null\r\n";
        reply(m, id, true, name, text, p.add("handlers", "engine%z100"));
      }
      case "chan.locate" ->
          reply(m, id, channels.containsKey(p.get("id")), name, "", p.add("handlers", "tone%z40"));
      default -> reply(m, id, false, name, retval, p);
    }
  }

  private void reply(Module m, String id, boolean processed, String name, String retval, Kv p) {
    StringBuilder sb = new StringBuilder("%%<message:").append(YateLine.escape(id)).append(':');
    sb.append(processed).append(':').append(YateLine.escape(name)).append(':');
    sb.append(YateLine.escape(retval));
    p.appendTo(sb);
    m.send(sb.toString());
  }

  private void notifyWatchers(Module origin, String name, boolean processed, String retval, Kv p) {
    StringBuilder sb = new StringBuilder("%%<message::").append(processed).append(':');
    sb.append(name).append(':').append(YateLine.escape(retval));
    String line = p.appendTo(sb).toString();
    for (Module m : modules) {
      if ((m != origin || m.selfwatch) && (m.watches.contains(name) || m.watches.contains(""))) {
        m.send(line);
      }
    }
  }

  private boolean watched(String name) {
    for (Module m : modules) {
      if (m.watches.contains(name) || m.watches.contains("")) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- channels

  /** A conference room of the conference module. */
  private static final class Room {
    final String name;
    final String notify;
    final boolean lonely;
    final List<Chan> members = new ArrayList<>();

    Room(String name, String notify, boolean lonely) {
      this.name = name;
      this.notify = notify;
      this.lonely = lonely;
    }
  }

  /**
   * One Yate channel with the fields Yate's {@code Channel::complete} puts on its messages. {@code
   * targetid} is set by {@code call.execute} and cleared when the channel is disconnected; {@code
   * peer} is the call endpoint it is connected to now.
   */
  private static final class Chan {
    final String id;
    final String module;
    final String direction;
    final String billid;
    final long created = System.currentTimeMillis();
    final int cdrid;
    String status;
    String address = "";
    String targetid;
    Chan peer;
    String lastPeer;
    boolean answered;
    boolean rang;
    String callid = "";
    String user = "";
    String caller;
    String called;
    String rtp;
    int dtmfSequence;

    /** The other end of a SIP dialog with this engine itself (the far end is this Yate). */
    Chan dialog;

    boolean loop;
    Outcome outcome = Outcome.ANSWER;
    String reason;
    Kv hangupParams = new Kv();
    Kv headers = new Kv();
    String source;
    Room room;
    long answeredAt;
    long ringingAt;
    final List<java.util.concurrent.ScheduledFuture<?>> timers = new ArrayList<>();

    Chan(String id, String module, String status, String direction, String billid, int cdrid) {
      this.id = id;
      this.module = module;
      this.status = status;
      this.direction = direction;
      this.billid = billid;
      this.cdrid = cdrid;
    }

    boolean sip() {
      return module.equals("sip");
    }

    boolean incoming() {
      return direction.equals("incoming");
    }
  }

  private Chan newChan(String module, String status, String direction, String billid) {
    int n = counters.merge(module, 1, Integer::sum);
    Chan c = new Chan(module + "/" + n, module, status, direction, billid, ++cdrSeq);
    if (c.sip()) {
      c.rtp = "yrtp/" + (1_000_000_000L + msgSeq.incrementAndGet());
    }
    channels.put(c.id, c);
    return c;
  }

  private String newBillId() {
    return RUNID + "-" + billSeq.incrementAndGet();
  }

  private String newMessageId() {
    return "0x7ff86e578950." + msgSeq.incrementAndGet();
  }

  /** Yate's {@code Channel::complete}: the channel's own fields, replacing same-named ones. */
  private static Kv complete(Kv kv, Chan c) {
    kv.set("module", c.module).set("status", c.status);
    if (!c.address.isEmpty()) {
      kv.set("address", c.address);
    }
    kv.set("targetid", c.targetid).set("billid", c.billid);
    if (c.peer != null) {
      kv.set("peerid", c.peer.id);
    }
    kv.set("lastpeerid", c.lastPeer);
    kv.set("answered", String.valueOf(c.answered)).set("direction", c.direction);
    if (c.sip() && c.incoming()) {
      kv.set("domain", "127.0.0.1");
    }
    if (!c.callid.isEmpty()) {
      kv.set("callid", c.callid);
    }
    return kv;
  }

  private static void link(Chan a, Chan b) {
    a.peer = b;
    b.peer = a;
    a.lastPeer = b.id;
    b.lastPeer = a.id;
  }

  private static Chan unlink(Chan a) {
    Chan b = a.peer;
    if (b != null) {
      b.peer = null;
      a.peer = null;
    }
    return b;
  }

  private void schedule(Chan c, Duration after, Runnable r) {
    c.timers.add(
        engine.schedule(
            () -> {
              if (channels.get(c.id) == c) {
                r.run();
              }
            },
            after.toNanos(),
            TimeUnit.NANOSECONDS));
  }

  /** Runs {@code r} after what is being processed now, as a SIP request crossing the network. */
  private void later(Chan c, Runnable r) {
    engine.execute(
        () -> {
          if (channels.get(c.id) == c) {
            r.run();
          }
        });
  }

  private void remove(Chan c) {
    channels.remove(c.id);
    c.timers.forEach(t -> t.cancel(false));
  }

  /** The channel is destroyed: {@code chan.hangup} (not for tone and conference channels). */
  private void end(Chan c) {
    remove(c);
    if (c.module.equals("tone") || c.module.equals("conf")) {
      return;
    }
    Kv h = new Kv().add("id", c.id).add("module", c.module).addAll(c.hangupParams);
    complete(h, c);
    if (c.sip()) {
      h.set("reason", c.reason);
    }
    if (cdrBeforeHangup) {
      cdr(c, "finalize");
    }
    notifyWatchers(null, "chan.hangup", false, "", h.add("handlers", H_HANGUP));
    if (!cdrBeforeHangup) {
      cdr(c, "finalize");
    }
  }

  /** {@code chan.disconnected} of a channel whose peer left: {@code prefix}, then its fields. */
  private void disconnected(Chan c, Kv prefix, String reason) {
    Kv d = prefix.copy().set("id", c.id);
    complete(d, c).set("reason", reason);
    notifyWatchers(null, "chan.disconnected", false, "", d);
  }

  /** What a channel does once its peer left it (after its {@code chan.disconnected}). */
  private void afterDisconnect(Chan c, String reason) {
    if (c == null || channels.get(c.id) != c) {
      return;
    }
    c.targetid = null;
    switch (c.module) {
      case "dumb" -> end(c);
      case "conf" -> leaveRoom(c);
      case "sip" -> {
        c.reason = reason;
        Chan far = c.dialog;
        if (c.incoming() && !c.answered) {
          int code = sipCode(reason);
          if (c.rang) {
            c.hangupParams.add("cause_sip", "180").add("reason_sip", "Ringing");
          }
          c.reason = sipText(code);
          end(c);
          if (far != null) {
            later(far, () -> rejected(far, code));
          }
          return;
        }
        if (c.incoming()) {
          c.hangupParams.add("cause_sip", "200");
        }
        c.hangupParams.add("rtp_stats", RTP_STATS);
        end(c);
        if (far != null) {
          String text = reason == null ? null : "SIP;text=\"" + reason + "\"";
          later(far, c.answered ? () -> bye(far, text, reason) : () -> cancelled(far));
        }
      }
      default -> remove(c);
    }
  }

  /** The channel's far end hung up: its {@code chan.hangup}, then its peer is disconnected. */
  private void remoteEnd(Chan c, String peerReason) {
    end(c);
    Chan p = unlink(c);
    if (p != null) {
      disconnected(p, c.hangupParams, peerReason);
      afterDisconnect(p, peerReason);
    }
  }

  /** A BYE reached a SIP leg; {@code sipReason} is its Reason header or null. */
  private void bye(Chan c, String sipReason, String text) {
    if (c.loop) {
      c.hangupParams.add("cause_sip", "200");
      if (!c.incoming()) {
        c.hangupParams.add("reason_sip", "OK");
      }
      c.hangupParams.add("rtp_stats", RTP_STATS).add("sip_reason", sipReason);
      c.hangupParams
          .add("sip_p-rtp-stat", RTP_STATS)
          .add("sip_user-agent", "YATE/" + VERSION)
          .add("sip_allow", SIP_ALLOW);
    } else {
      c.hangupParams.add("cause_sip", "200").add("rtp_stats", RTP_STATS);
      c.hangupParams.add("sip_contact", "<sip:remote@" + c.address + ">");
    }
    c.reason = text;
    remoteEnd(c, text);
  }

  /** The caller cancelled an INVITE that was still ringing here. */
  private void cancelled(Chan c) {
    c.hangupParams.add("cause_sip", "487").add("reason_sip", "Request Terminated");
    c.reason = "Cancelled";
    remoteEnd(c, "cancelled");
  }

  /** An outgoing SIP leg received a final error response. */
  private void rejected(Chan c, int code) {
    String text = sipText(code);
    c.hangupParams.add("cause_sip", String.valueOf(code)).add("reason_sip", text);
    if (c.loop) {
      c.hangupParams
          .add("sip_server", "YATE/" + VERSION)
          .add("sip_contact", "<sip:" + c.user + "@" + c.address + ">")
          .add("sip_allow", SIP_ALLOW);
    }
    c.reason = text;
    remoteEnd(c, yateReason(code));
  }

  private void dropChan(Chan c, String reason) {
    c.status = reason == null ? "dropped" : reason;
    Chan p = unlink(c);
    if (p != null) {
      disconnected(p, new Kv().add("id", p.id).add("reason", reason), reason);
    }
    Chan far = c.dialog;
    switch (c.module) {
      case "sip" -> {
        if (c.incoming() && !c.answered) {
          int code = sipCode(reason);
          if (c.rang) {
            c.hangupParams.add("cause_sip", "180").add("reason_sip", "Ringing");
          }
          c.reason = sipText(code);
          end(c);
          if (far != null) {
            later(far, () -> rejected(far, code));
          }
        } else {
          if (c.incoming()) {
            c.hangupParams.add("cause_sip", "200");
          }
          c.hangupParams.add("rtp_stats", RTP_STATS);
          end(c);
          if (far != null) {
            later(far, c.answered ? () -> bye(far, null, null) : () -> cancelled(far));
          }
        }
      }
      case "conf" -> leaveRoom(c);
      default -> end(c);
    }
    afterDisconnect(p, reason);
  }

  // ---------------------------------------------------------------- SIP codes (ysipchan)

  private static final String[][] SIP_ERRORS = {
    {"incomplete", "484"},
    {"noroute", "404"},
    {"noroute", "604"},
    {"noconn", "503"},
    {"noconn", "408"},
    {"noauth", "401"},
    {"nomedia", "415"},
    {"nocall", "481"},
    {"busy", "486"},
    {"busy", "600"},
    {"noanswer", "480"},
    {"noanswer", "487"},
    {"rejected", "406"},
    {"rejected", "606"},
    {"forbidden", "403"},
    {"forbidden", "603"},
    {"offline", "404"},
    {"congestion", "480"},
    {"unallocated", "410"},
    {"moved", "410"},
    {"failure", "500"},
    {"pending", "491"},
    {"looping", "483"},
    {"timeout", "408"},
    {"timeout", "504"},
    {"unimplemented", "501"},
    {"service-unavailable", "503"},
    {"unacceptable", "488"},
    {"noresource", "503"}
  };

  private static int sipCode(String reason) {
    for (String[] e : SIP_ERRORS) {
      if (e[0].equals(reason)) {
        return Integer.parseInt(e[1]);
      }
    }
    return 487;
  }

  private static String yateReason(int code) {
    for (String[] e : SIP_ERRORS) {
      if (e[1].equals(String.valueOf(code))) {
        return e[0];
      }
    }
    return "failure";
  }

  private static String sipText(int code) {
    return switch (code) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 406 -> "Not Acceptable";
      case 408 -> "Request Timeout";
      case 410 -> "Gone";
      case 415 -> "Unsupported Media Type";
      case 480 -> "Temporarily Unavailable";
      case 481 -> "Call/Transaction Does Not Exist";
      case 483 -> "Too Many Hops";
      case 484 -> "Address Incomplete";
      case 486 -> "Busy Here";
      case 487 -> "Request Terminated";
      case 488 -> "Not Acceptable Here";
      case 491 -> "Request Pending";
      case 501 -> "Not Implemented";
      case 503 -> "Service Unavailable";
      case 504 -> "Server Time-out";
      case 600 -> "Busy Everywhere";
      case 603 -> "Decline";
      case 604 -> "Does Not Exist Anywhere";
      case 606 -> "Not Acceptable";
      default -> "Server Internal Error";
    };
  }

  // ---------------------------------------------------------------- call.execute

  /** A route's return value: the target and the {@code ;name=value} parameters after it. */
  private record Dest(String target, Kv params) {
    static Dest parse(String s) {
      String[] parts = (s == null ? "" : s).split(";");
      Kv p = new Kv();
      for (int i = 1; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        if (eq > 0) {
          p.add(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
      }
      return new Dest(parts.length == 0 ? "" : parts[0], p);
    }

    String driver() {
      int slash = target.indexOf('/');
      return slash < 0 ? "" : target.substring(0, slash);
    }

    boolean routed() {
      return !target.isEmpty() && !target.startsWith("-");
    }
  }

  private void execute(Module m, String id, Kv p) {
    String callto = p.get("callto");
    String driver =
        callto == null || callto.indexOf('/') < 0 ? "" : callto.substring(0, callto.indexOf('/'));
    String target = p.get("target");
    String direct = p.get("direct");
    if (!driver.equals("dumb") && !driver.equals("tone") || (target == null && direct == null)) {
      reply(m, id, false, "call.execute", "", p.add("handlers", H_EXEC));
      return;
    }
    Chan local = newChan(driver, "incoming", "incoming", newBillId());
    local.caller = p.get("caller");
    local.called = target;
    Kv routeParams = new Kv();
    if (driver.equals("dumb")) {
      routeParams.add("driver", "dumb").add("id", local.id);
    } else {
      local.address = callto.substring(callto.indexOf('/') + 1);
      routeParams.add("module", "tone").add("cdrtrack", "false");
    }
    routeParams.add("caller", p.get("caller")).add("called", target);
    routeParams.add("callername", p.get("callername"));
    String copy = p.get("copyparams");
    if (copy != null) {
      for (String name : copy.split(",")) {
        String n = name.trim();
        if (!n.isEmpty() && routeParams.get(n) == null) {
          routeParams.add(n, p.get(n));
        }
      }
    }
    CompletableFuture<Answer> routed =
        direct != null
            ? CompletableFuture.completedFuture(new Answer(true, direct, Map.of()))
            : offer("call.route", "", routeParams, 0)
                .thenApply(a -> a.processed ? a : new Answer(false, lookup(target), Map.of()));
    routed.thenAcceptAsync(
        a -> {
          Dest d = Dest.parse(a.retval);
          if (direct == null) {
            notifyWatchers(
                null,
                "call.route",
                !a.retval.isEmpty(),
                d.target,
                routeParams.copy().add("handlers", H_ROUTE).addAll(d.params));
          }
          Chan peer = d.routed() ? createPeer(local, d, routeParams) : null;
          if (peer == null) {
            remove(local);
            reply(
                m,
                id,
                false,
                "call.execute",
                "",
                p.add("handlers", H_EXEC).add("error", d.params.get("error")));
            return;
          }
          boolean targets = peer.sip() || peer.module.equals("dumb");
          Kv sub = routeParams.copy().add("handlers", H_EXEC).add("callto", d.target);
          if (!driver.equals("dumb")) {
            sub.add("id", local.id);
          }
          sub.add("peerid", peer.id).add("targetid", targets ? peer.id : null);
          notifyWatchers(null, "call.execute", true, "", sub);
          Kv result =
              p.add("handlers", H_EXEC)
                  .add("id", local.id)
                  .add("peerid", peer.id)
                  .add("targetid", targets ? peer.id : null);
          notifyWatchers(m, "call.execute", true, "", result);
          reply(m, id, true, "call.execute", "", result);
          if (driver.equals("dumb")) {
            notifyWatchers(
                null,
                "chan.startup",
                false,
                "",
                new Kv()
                    .add("id", local.id)
                    .add("module", "dumb")
                    .add("status", "incoming")
                    .add("billid", local.billid)
                    .add("answered", "false")
                    .add("direction", "incoming")
                    .add("handlers", H_CHAN));
            cdr(local, "initialize");
            cdr(local, "update");
          }
          startPeer(local, peer, routeParams, d);
        },
        engine);
  }

  /** Creates the channel a route's target names and connects it to {@code from}. */
  private Chan createPeer(Chan from, Dest d, Kv exec) {
    String rest = d.target.substring(d.target.indexOf('/') + 1);
    Chan peer;
    switch (d.driver()) {
      case "tone" -> {
        peer = newChan("tone", "incoming", "incoming", newBillId());
        peer.address = rest;
      }
      case "dumb" -> {
        peer = newChan("dumb", "outgoing", "outgoing", from.billid);
        peer.caller = exec.get("caller");
        peer.called = exec.get("called");
        from.targetid = peer.id;
        peer.targetid = from.id;
      }
      case "sip" -> {
        peer = newChan("sip", "outgoing", "outgoing", from.billid);
        String uri = rest.startsWith("sip:") ? rest.substring(4) : rest;
        int at = uri.indexOf('@');
        peer.user = at < 0 ? uri : uri.substring(0, at);
        peer.address = at < 0 ? "127.0.0.1:5060" : uri.substring(at + 1);
        peer.loop = peer.address.equals(selfAddress);
        peer.callid = "sip/" + msgSeq.incrementAndGet() + "@" + selfAddress + "/1896680471/";
        peer.caller = exec.get("caller");
        peer.called = exec.get("called");
        peer.outcome = outcomeOf(peer.called);
        for (String k : exec.names()) {
          if (k.startsWith("osip_")) {
            peer.headers.add(k.substring(5), exec.get(k));
          }
        }
        from.targetid = peer.id;
        peer.targetid = from.id;
      }
      default -> {
        return null;
      }
    }
    link(from, peer);
    return peer;
  }

  /** What a new peer does once it is connected: SIP legs send their INVITE, tones answer. */
  private void startPeer(Chan from, Chan peer, Kv exec, Dest d) {
    switch (peer.module) {
      case "sip" -> {
        if (from.module.equals("dumb")) {
          from.status = "accepted";
        }
        Kv s =
            new Kv()
                .add("id", peer.id)
                .add("module", "sip")
                .add("status", "outgoing")
                .add("address", peer.address)
                .add("targetid", from.id)
                .add("answered", "false")
                .add("direction", "outgoing")
                .add("callid", peer.callid);
        for (String k : List.of("caller", "callername", "called", "billid")) {
          s.add(k, exec.get(k));
        }
        s.add("callto", d.target).add("calledfull", peer.user);
        s.add("sip_callid", peer.callid).add("connection_id", "general");
        notifyWatchers(null, "chan.startup", false, "", s.add("handlers", H_CHAN));
        cdr(peer, "initialize");
        if (peer.loop) {
          later(peer, () -> invite(peer));
        } else {
          schedule(peer, ringAfter, () -> ringing(peer));
        }
      }
      case "tone" -> {
        from.answered = true;
        from.status = "answered";
        from.answeredAt = System.currentTimeMillis();
      }
      default -> {}
    }
  }

  private void ringing(Chan sip) {
    sip.status = "ringing";
    sip.ringingAt = System.currentTimeMillis();
    Chan local = sip.peer;
    if (local != null && local.module.equals("dumb")) {
      local.status = "ringing";
    }
    Kv r = complete(new Kv().add("id", sip.id), sip);
    farEndHeaders(r, sip, false).add("earlymedia", "false").add("handlers", H_CALLSTATE);
    notifyWatchers(null, "call.ringing", true, "", r);
    cdr(sip, "update");
    if (local != null) {
      cdr(local, "update");
    }
    if (!sip.loop) {
      if (sip.outcome == Outcome.ANSWER) {
        schedule(sip, answerAfter, () -> answerSip(sip));
      } else if (sip.outcome == Outcome.SIP_BUSY) {
        schedule(sip, answerAfter, () -> rejected(sip, 486));
      }
    }
  }

  private Kv farEndHeaders(Kv kv, Chan sip, boolean answer) {
    if (sip.loop) {
      kv.add("sip_server", "YATE/" + VERSION);
      kv.add("sip_contact", "<sip:" + sip.user + "@" + sip.address + ">");
      kv.add("sip_allow", SIP_ALLOW);
    } else {
      kv.add("sip_contact", "<sip:" + sip.user + "@" + sip.address + ";transport=UDP>");
    }
    if (answer) {
      kv.add("sip_content-type", "application/sdp").add("media", "yes");
      kv.add("formats", sip.loop ? "mulaw,alaw,slin" : "mulaw").add("transport", "RTP/AVP");
      kv.add("rtp_rfc2833", sip.loop ? "101" : "false");
    }
    return kv;
  }

  private void answerSip(Chan sip) {
    sip.status = "answered";
    sip.answered = true;
    sip.answeredAt = System.currentTimeMillis();
    Chan local = sip.peer;
    boolean dumb = local != null && local.module.equals("dumb");
    if (dumb) {
      local.status = "answered";
      local.answered = true;
      local.answeredAt = sip.answeredAt;
    }
    Kv a = complete(new Kv().add("id", sip.id), sip);
    farEndHeaders(a, sip, true).add("handlers", H_CALLSTATE);
    notifyWatchers(null, "call.answered", dumb, "", a);
    cdr(sip, "update");
    if (dumb) {
      cdr(local, "update");
    }
  }

  // ---------------------------------------------------------------- incoming SIP

  /** An INVITE from this engine's own outgoing leg {@code out} (a SIP self-loop). */
  private void invite(Chan out) {
    Chan in = newChan("sip", "incoming", "incoming", newBillId());
    in.address = selfAddress;
    in.callid = out.callid;
    in.dialog = out;
    out.dialog = in;
    in.loop = true;
    in.caller = out.caller;
    in.called = out.user;
    in.headers = out.headers;
    startIncoming(in, true);
  }

  /** A SIP call from outside (a SIPp UAC). */
  private String startIncoming(String caller, String called) {
    Chan sip = newChan("sip", "incoming", "incoming", newBillId());
    sip.address = "127.0.0.1:5081";
    sip.callid = "sip/1-" + msgSeq.incrementAndGet() + "@127.0.0.1/1976SIPpTag001/";
    sip.caller = caller;
    sip.called = called;
    startIncoming(sip, false);
    return sip.id;
  }

  private void startIncoming(Chan in, boolean fromYate) {
    Kv startup =
        new Kv()
            .add("id", in.id)
            .add("module", "sip")
            .add("status", "incoming")
            .add("address", in.address)
            .add("billid", in.billid)
            .add("answered", "false")
            .add("direction", "incoming")
            .add("domain", "127.0.0.1")
            .add("callid", in.callid)
            .add("caller", in.caller)
            .add("called", in.called)
            .add("connection_id", "general")
            .add("handlers", H_CHAN);
    notifyWatchers(null, "chan.startup", false, "", startup);
    cdr(in, "initialize");
    String host = in.address.substring(0, in.address.indexOf(':'));
    String port = in.address.substring(in.address.indexOf(':') + 1);
    Kv route =
        new Kv()
            .add("id", in.id)
            .add("module", "sip")
            .add("status", "incoming")
            .add("address", in.address)
            .add("billid", in.billid)
            .add("answered", "false")
            .add("direction", "incoming")
            .add("callid", in.callid)
            .add("caller", in.caller)
            .add("called", in.called)
            .add("callername", fromYate ? null : in.caller)
            .add("antiloop", "19")
            .add("ip_host", host)
            .add("ip_port", port)
            .add("ip_transport", "UDP")
            .add("address", in.address)
            .add("connection_id", "general")
            .add("connection_reliable", "false")
            .add("sip_uri", "sip:" + in.called + "@" + selfAddress)
            .add("sip_from", "sip:" + in.caller + "@" + in.address)
            .add(
                "sip_to",
                (fromYate ? "" : in.called + " ") + "<sip:" + in.called + "@" + selfAddress + ">")
            .add("sip_callid", in.callid)
            .add("device", fromYate ? "YATE/" + VERSION : "");
    for (String k : in.headers.names()) {
      route.add("sip_" + k.toLowerCase(java.util.Locale.ROOT), in.headers.get(k));
    }
    if (fromYate) {
      route.add("sip_user-agent", "YATE/" + VERSION);
    }
    route.add("sip_contact", "<sip:" + in.caller + "@" + in.address + ">");
    if (fromYate) {
      route.add("sip_allow", SIP_ALLOW);
    } else {
      route.add("sip_subject", "SDK anchor test");
    }
    route
        .add("sip_content-type", "application/sdp")
        .add("newcall", "true")
        .add("domain", "127.0.0.1")
        .add("rtp_addr", "127.0.0.1")
        .add("media", "yes")
        .add("formats", fromYate ? "mulaw,alaw,slin" : "mulaw")
        .add("transport", "RTP/AVP")
        .add("rtp_rfc2833", fromYate ? "101" : "false")
        .add("rtp_port", "6000")
        .add("rtp_forward", "possible");
    offer("call.route", "", route, 0)
        .thenAcceptAsync(
            a -> {
              if (channels.get(in.id) != in) {
                return;
              }
              String destination = a.processed ? a.retval : lookup(in.called);
              Dest d = Dest.parse(destination);
              notifyWatchers(
                  null,
                  "call.route",
                  !destination.isEmpty(),
                  d.target,
                  route.copy().add("handlers", H_ROUTE).addAll(d.params));
              routeIncoming(in, route, a.params, d);
            },
            engine);
  }

  private void routeIncoming(Chan in, Kv route, Map<String, String> answer, Dest d) {
    Chan out = in.dialog;
    Chan peer = d.routed() ? createPeer(in, d, route) : null;
    if (peer == null) {
      String error = d.params.get("error") == null ? "noroute" : d.params.get("error");
      in.status = "rejected";
      end(in);
      if (out != null) {
        later(out, () -> rejected(out, sipCode(error)));
      }
      return;
    }
    cdr(in, "update");
    Kv exec = route.copy().addAll(answer).addAll(d.params).add("callto", d.target);
    boolean dumb = peer.module.equals("dumb");
    exec.add("handlers", H_EXEC).add("peerid", peer.id).add("targetid", dumb ? peer.id : null);
    notifyWatchers(null, "call.execute", true, "", exec.add("autoring", dumb ? "true" : null));
    switch (peer.module) {
      case "tone" -> {
        in.answered = true;
        in.status = "answered";
        in.answeredAt = System.currentTimeMillis();
        cdr(in, "update");
        String timeout = d.params.get("timeout");
        if (timeout != null && timeout.matches("[0-9]+")) {
          schedule(in, Duration.ofMillis(Long.parseLong(timeout)), () -> timedOut(in));
        }
        if (out != null) {
          later(out, () -> answerSip(out));
        }
      }
      case "dumb" -> {
        Kv s =
            new Kv()
                .add("id", peer.id)
                .add("module", "dumb")
                .add("status", "outgoing")
                .add("answered", "false")
                .add("direction", "outgoing")
                .add("caller", in.caller)
                .add("called", in.called)
                .add("billid", in.billid)
                .add("callto", d.target)
                .add("handlers", H_CHAN);
        notifyWatchers(null, "chan.startup", false, "", s);
        in.rang = true;
        in.status = "ringing";
        if (out != null) {
          later(out, () -> ringing(out));
        }
      }
      default -> {}
    }
  }

  /** The call's {@code timeout} (a route parameter) ran out: Yate drops the channel. */
  private void timedOut(Chan c) {
    c.status = "timeout";
    Chan p = unlink(c);
    if (p != null) {
      Kv when =
          new Kv()
              .add("time", String.valueOf(System.currentTimeMillis() / 1000))
              .add("nodename", "vm");
      disconnected(p, when, "timeout");
      afterDisconnect(p, "timeout");
    }
    c.hangupParams.add("cause_sip", "200").add("rtp_stats", RTP_STATS);
    c.reason = "Request Timeout";
    end(c);
    Chan far = c.dialog;
    if (far != null) {
      later(far, () -> bye(far, "SIP;cause=408;text=\"Request Timeout\"", "Request Timeout"));
    }
  }

  // ---------------------------------------------------------------- other messages

  private void routeRequest(Module m, String id, Kv p) {
    String called = p.get("called");
    offer("call.route", "", p, 0)
        .thenAcceptAsync(
            a -> {
              String destination = a.processed ? a.retval : lookup(called);
              Dest d = Dest.parse(destination);
              Kv result = p.add("handlers", H_ROUTE).addAll(d.params);
              notifyWatchers(m, "call.route", !destination.isEmpty(), d.target, result);
              reply(m, id, !destination.isEmpty(), "call.route", d.target, result);
            },
            engine);
  }

  private void drop(Module m, String id, Kv p) {
    String target = p.get("id");
    Chan c = target == null ? null : channels.get(target);
    Kv result = p.add("handlers", H_DROP);
    notifyWatchers(m, "call.drop", c != null, "", result);
    reply(m, id, c != null, "call.drop", "", result);
    if (c != null) {
      dropChan(c, p.get("reason"));
    }
  }

  private void answered(Module m, String id, Kv p) {
    Chan local = channels.get(p.get("id"));
    Chan remote = channels.get(p.get("targetid"));
    boolean ok = remote != null;
    if (ok) {
      remote.status = "answered";
      remote.answered = true;
      remote.answeredAt = System.currentTimeMillis();
      if (local != null) {
        local.status = "answered";
        local.answered = true;
      }
    }
    Kv result = p.add("handlers", H_CALLSTATE);
    notifyWatchers(m, "call.answered", ok, "", result);
    reply(m, id, ok, "call.answered", "", result);
    if (ok) {
      cdr(remote, "update");
    }
  }

  private void connectRequest(Module m, String id, Kv p) {
    Chan a = channels.get(p.get("id"));
    Chan b = channels.get(p.get("targetid"));
    boolean ok = a != null && b != null && a != b && !a.module.equals("tone");
    reply(m, id, ok, "chan.connect", "", p.add("handlers", H_MASQ));
    if (!ok || a.peer == b) {
      return;
    }
    String reason = p.get("reason");
    Chan pa = unlink(a);
    Chan pb = unlink(b);
    link(a, b);
    if (pa != null) {
      disconnected(pa, new Kv(), reason);
    }
    if (pb != null) {
      disconnected(pb, new Kv(), reason);
    }
    afterDisconnect(pa, reason);
    afterDisconnect(pb, reason);
  }

  /**
   * pbx's chan.masquerade: the inner message, dispatched as the channel, answered under its name.
   */
  private void masquerade(Module m, String id, Kv p) {
    String inner = p.get("message");
    Chan c = channels.get(p.get("id"));
    Kv q = p.copy().remove("message").add("handlers", H_MASQ);
    if (inner == null || inner.isEmpty()) {
      reply(m, id, false, "chan.masquerade", "", p);
      return;
    }
    if (c == null) {
      reply(m, id, false, inner, "", q);
      return;
    }
    complete(q, c);
    switch (inner) {
      case "call.execute" -> masqueradeExecute(m, id, c, q);
      case "chan.record" -> {
        String call = q.get("call");
        String peer = q.get("peer");
        boolean media = c.sip() && c.answered;
        boolean stop = "-".equals(call) || "-".equals(peer);
        if (media && stop) {
          recordings.remove(c.id);
        } else if (media && call != null && call.startsWith("wave/record/")) {
          recordings.put(c.id, call.substring("wave/record/".length()));
        } else if (media && peer != null && peer.startsWith("wave/record/")) {
          recordings.put(c.id, peer.substring("wave/record/".length()));
        }
        // pbx answers with the 'single' parameter, false unless both call and peer are '-'
        boolean processed = media && (!stop || ("-".equals(call) && "-".equals(peer)));
        reply(m, id, processed, inner, "", q);
      }
      case "chan.attach" -> {
        String source = q.get("source");
        boolean single = "true".equals(q.get("single"));
        boolean ok = single && source != null && attachable(source);
        if (ok) {
          c.source = source.equals("-") ? null : source;
          if (source.startsWith("tone/")) {
            q.remove("source"); // tonegen takes the parameter when it attaches
          }
        }
        reply(m, id, ok, inner, "", q);
      }
      default -> reply(m, id, false, inner, "", q);
    }
  }

  private boolean attachable(String source) {
    return source.equals("-")
        || source.startsWith("tone/")
        || source.startsWith("wave/play/")
        || (mohLoaded && source.startsWith("moh/"));
  }

  private void masqueradeExecute(Module m, String id, Chan c, Kv q) {
    Dest d = Dest.parse(q.get("callto"));
    String reason = q.get("reason");
    Chan old = c.peer;
    switch (d.driver()) {
      case "sip", "tone" -> {
        unlink(c);
        String targetid = c.targetid; // the masqueraded execute leaves the channel's own targetid
        Chan n = createPeer(c, d, q);
        c.targetid = targetid;
        if (n.sip()) {
          q.set("targetid", n.id);
        }
        q.set("peerid", n.id);
        reply(m, id, true, "call.execute", "", q);
        if (n.sip()) {
          startPeer(c, n, q, d);
        }
      }
      case "conf" -> {
        String name = d.target.substring(5);
        Room r = rooms.get(name);
        boolean created = r == null;
        if (created) {
          r = new Room(name, q.get("notify"), Boolean.parseBoolean(q.get("lonely")));
          rooms.put(name, r);
        }
        unlink(c);
        Chan k = newChan("conf", "outgoing", "outgoing", c.billid);
        k.address = name;
        k.room = r;
        link(c, k);
        r.members.add(k);
        q.set("peerid", k.id).add("room", d.target).add("newroom", String.valueOf(created));
        q.add("users", String.valueOf(r.members.size()));
        reply(m, id, true, "call.execute", "", q);
        if (r.notify != null) {
          if (created) {
            Kv n =
                new Kv()
                    .add("targetid", r.notify)
                    .add("event", "created")
                    .add("room", name)
                    .add("rate", "8000")
                    .add("maxusers", "10")
                    .add("caller", c.caller == null ? "" : c.caller)
                    .add("called", "")
                    .add("billid", c.billid)
                    .add("username", "");
            notifyWatchers(null, "chan.notify", false, "", n);
          }
          notifyWatchers(null, "chan.notify", false, "", member(r, k, "joined"));
        }
      }
      default -> {
        reply(m, id, false, "call.execute", "", q);
        return;
      }
    }
    if (old != null) {
      disconnected(old, new Kv(), reason);
      afterDisconnect(old, reason);
    }
  }

  private Kv member(Room r, Chan k, String event) {
    Kv n =
        new Kv()
            .add("id", k.id)
            .add("targetid", r.notify)
            .add("counted", "true")
            .add("utility", "false")
            .add("room", r.name)
            .add("event", event)
            .add("maxusers", "10")
            .add("users", String.valueOf(r.members.size()));
    if (event.equals("left")) {
      n.add("lonely", r.lonely ? String.valueOf(r.members.size() == 1) : null);
      n.add("lastpeerid", k.lastPeer);
    }
    return n;
  }

  /** A conference channel's peer left it; a room with one member left closes unless lonely. */
  private void leaveRoom(Chan k) {
    remove(k);
    Room r = k.room;
    if (r == null || !r.members.remove(k)) {
      return;
    }
    if (r.notify != null) {
      notifyWatchers(null, "chan.notify", false, "", member(r, k, "left"));
    }
    if (r.members.isEmpty()) {
      rooms.remove(r.name);
      if (r.notify != null) {
        Kv n =
            new Kv()
                .add("targetid", r.notify)
                .add("event", "destroyed")
                .add("room", r.name)
                .add("maxusers", "10");
        notifyWatchers(null, "chan.notify", false, "", n);
      }
    } else if (r.members.size() == 1 && !r.lonely) {
      Chan last = r.members.get(0);
      Chan y = unlink(last);
      if (y != null) {
        disconnected(y, new Kv(), "hangup");
      }
      leaveRoom(last);
      afterDisconnect(y, "hangup");
    }
  }

  private void dtmf(Module m, String id, Kv p) {
    Chan c = channels.get(p.get("targetid"));
    if (c == null) {
      reply(m, id, false, "chan.dtmf", "", p.add("handlers", H_DTMF));
      return;
    }
    String text = p.get("text");
    String methods = p.get("methods");
    boolean info = methods != null && methods.split(",")[0].trim().equals("info");
    if (c.sip() && !info) {
      p.set("targetid", c.rtp); // yrtp takes it: RFC 2833 events go out with the audio only
    }
    dtmfSent.computeIfAbsent(c.id, k -> new CopyOnWriteArrayList<>()).add(text);
    if (info) {
      dtmfInfo.computeIfAbsent(c.id, k -> new CopyOnWriteArrayList<>()).add(text);
    }
    reply(m, id, true, "chan.dtmf", "", p.add("handlers", H_DTMF));
    Chan far = c.dialog;
    if (far == null || text == null) {
      return;
    }
    if (info) {
      // INFO within a dialog both of whose ends are this engine lands on the outgoing leg
      Chan to = c.incoming() ? far : c;
      later(
          to,
          () -> {
            Kv d = complete(new Kv().add("id", to.id), to);
            d.add("sip_user-agent", "YATE/" + VERSION).add("sip_allow", SIP_ALLOW);
            d.add("sip_content-type", "application/dtmf-relay").add("text", text);
            d.add("detected", "sip-info").add("sequence", String.valueOf(++to.dtmfSequence));
            d.add("duplicate", "false").add("handlers", H_CALLSTATE);
            notifyWatchers(null, "chan.dtmf", false, "", d);
          });
    } else if (c.peer != null && c.peer.module.equals("tone")) {
      later(
          far,
          () -> {
            Kv d = new Kv().add("id", far.id).add("text", text).add("detected", "rfc2833");
            d.add("handlers", H_CALLSTATE).add("sequence", String.valueOf(++far.dtmfSequence));
            notifyWatchers(
                null, "chan.dtmf", false, "", complete(d.add("duplicate", "false"), far));
          });
    }
  }

  // ---------------------------------------------------------------- cdrbuild

  private void cdr(Chan c, String operation) {
    if (!(c.sip() || c.module.equals("dumb")) || !watched("call.cdr")) {
      return;
    }
    long now = System.currentTimeMillis();
    boolean unknown = c.module.equals("dumb") && c.incoming() && operation.equals("initialize");
    long answer = c.answeredAt == 0 ? now : c.answeredAt;
    Kv k =
        new Kv()
            .add("time", String.format(java.util.Locale.ROOT, "%.3f", c.created / 1000.0))
            .add("chan", c.id)
            .add("cdrid", String.valueOf(c.cdrid))
            .add("runid", RUNID)
            .add("operation", operation)
            .add("direction", unknown ? "unknown" : c.direction)
            .add("duration", seconds(now - c.created))
            .add("billtime", seconds(c.answeredAt == 0 ? 0 : now - c.answeredAt))
            .add("ringtime", seconds(c.ringingAt == 0 ? 0 : answer - c.ringingAt))
            .add("status", unknown ? "unknown" : c.status);
    if (!unknown) {
      k.add("external", c.sip() && c.incoming() ? c.caller : c.called);
    }
    k.add("cdrwrite", "true");
    if (c.sip()) {
      k.add("address", c.address);
      if (c.incoming()) {
        k.add("billid", c.billid);
      }
    }
    k.add("caller", c.caller).add("called", c.called);
    if (c.sip() && !c.incoming()) {
      k.add("calledfull", c.user);
    }
    if (!operation.equals("initialize") && !(c.sip() && c.incoming())) {
      k.add("billid", c.billid);
    }
    if (operation.equals("finalize") && c.sip()) {
      k.add("reason", c.reason);
    }
    notifyWatchers(null, "call.cdr", false, "", k);
  }

  private static String seconds(long millis) {
    return String.format(java.util.Locale.ROOT, "%.3f", Math.max(0, millis) / 1000.0);
  }

  private String lookup(String number) {
    if (number == null) {
      return "-;error=noroute";
    }
    Route r = routes.get(number);
    if (r != null) {
      return r.destination;
    }
    for (Map.Entry<String, Outcome> e : prefixRoutes.entrySet()) {
      if (number.startsWith(e.getKey())) {
        return destinationFor(number.substring(e.getKey().length()), e.getValue());
      }
    }
    return "-;error=noroute";
  }

  private Outcome outcomeOf(String number) {
    Route r = number == null ? null : routes.get(number);
    if (r != null) {
      return r.outcome;
    }
    for (Map.Entry<String, Outcome> e : prefixRoutes.entrySet()) {
      if (number != null && number.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return Outcome.ANSWER;
  }

  private static String destinationFor(String user, Outcome outcome) {
    return switch (outcome) {
      case BUSY -> "-;error=busy";
      case NO_ROUTE -> "-;error=noroute";
      default -> "sip/sip:" + user + "@127.0.0.1:5094";
    };
  }

  /**
   * Offers a message to installed handlers in priority order, waiting for each one's answer up to
   * its module's timeout; completes with the first processed answer, or unprocessed.
   */
  private CompletableFuture<Answer> offer(String name, String retval, Kv params, int from) {
    List<Object[]> handlers = new ArrayList<>();
    for (Module m : modules) {
      Install i = m.installs.get(name);
      if (i != null
          && !m.closed
          && (i.filterName == null || i.filterValue.equals(params.get(i.filterName)))) {
        handlers.add(new Object[] {i, m});
      }
    }
    handlers.sort(Comparator.comparingInt(h -> ((Install) h[0]).priority));
    return offerTo(handlers, from, name, retval, params);
  }

  private CompletableFuture<Answer> offerTo(
      List<Object[]> handlers, int index, String name, String retval, Kv params) {
    if (index >= handlers.size()) {
      return CompletableFuture.completedFuture(new Answer(false, retval, Map.of()));
    }
    Module m = (Module) handlers.get(index)[1];
    String id = newMessageId();
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    m.pending.put(id, answer);
    StringBuilder sb = new StringBuilder("%%>message:").append(id).append(':');
    sb.append(System.currentTimeMillis() / 1000).append(':').append(name).append(':');
    sb.append(YateLine.escape(retval));
    m.send(params.appendTo(sb).toString());
    engine.schedule(
        () -> {
          if (m.pending.remove(id) != null) {
            answer.complete(new Answer(false, retval, Map.of()));
          }
        },
        m.timeoutMs,
        TimeUnit.MILLISECONDS);
    return answer.thenComposeAsync(
        a ->
            a.processed
                ? CompletableFuture.completedFuture(a)
                : offerTo(handlers, index + 1, name, retval, params),
        engine);
  }

  // ---------------------------------------------------------------- engine.status

  private String status(String module) {
    if (module == null) {
      StringBuilder sb =
          new StringBuilder(
              "name=engine,type=system,version=" + VERSION + ",nodename=emulator;plugins=3\r\n");
      for (String mod : List.of("tone", "sip", "dumb")) {
        sb.append(status(mod));
      }
      return sb.toString();
    }
    List<Chan> list = new ArrayList<>();
    for (Chan c : channels.values()) {
      if (c.module.equals(module)) {
        list.add(c);
      }
    }
    StringBuilder sb = new StringBuilder("name=").append(module);
    int total = counters.getOrDefault(module, 0);
    switch (module) {
      case "tone" ->
          sb.append(",type=misc;tones=").append(list.size()).append(",chans=").append(list.size());
      case "sip" ->
          sb.append(",type=varchans,format=Status|Address|Peer;routed=0,routing=0,total=")
              .append(total)
              .append(",chans=")
              .append(list.size())
              .append(",transactions=0");
      case "dumb" ->
          sb.append(",type=misc,format=Status|Address|Peer;routed=0,routing=0,total=")
              .append(total)
              .append(",chans=")
              .append(list.size());
      default -> {
        return "";
      }
    }
    for (int i = 0; i < list.size(); i++) {
      Chan c = list.get(i);
      sb.append(i == 0 ? ';' : ',').append(c.id).append('=').append(c.status).append('|');
      sb.append(
          c.address
              .replace("%", "%25")
              .replace(",", "%2C")
              .replace(";", "%3B")
              .replace("|", "%7C"));
      sb.append("|").append(c.peer == null ? "" : c.peer.id);
    }
    return sb.append("\r\n").toString();
  }
}
