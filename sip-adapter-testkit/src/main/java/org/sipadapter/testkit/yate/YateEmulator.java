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
 * built from the transcripts in {@code fixtures/yate-extmodule}: {@code setlocal}, {@code
 * install}/{@code uninstall}, {@code watch}/{@code unwatch}, {@code output}/{@code debug}, {@code
 * quit}, {@code Error in:} for lines Yate cannot parse, and the messages a client dispatches
 * ({@code call.execute}, {@code call.drop}, {@code call.answered}, {@code chan.dtmf}, {@code
 * engine.status}, {@code engine.command}, {@code chan.locate}; anything else comes back
 * unprocessed).
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
            remoteBye(c);
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
                    .add("targetid", c.peer)
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
      case "chan.dtmf" -> {
        Chan c = channels.get(p.get("targetid"));
        if (c != null) {
          dtmfSent.computeIfAbsent(c.id, k -> new CopyOnWriteArrayList<>()).add(p.get("text"));
        }
        reply(m, id, c != null, name, "", p.add("handlers", "sip%z100,dumb%z100"));
      }
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

  // ---------------------------------------------------------------- channels

  private static final class Chan {
    final String id;
    final String module;
    String status;
    final String direction;
    final String billid;
    String peer;
    String lastPeer;
    boolean answered;
    String address = "";
    String callid = "";
    String user = "";
    Outcome outcome = Outcome.ANSWER;
    final List<java.util.concurrent.ScheduledFuture<?>> timers = new ArrayList<>();

    Chan(String id, String module, String status, String direction, String billid) {
      this.id = id;
      this.module = module;
      this.status = status;
      this.direction = direction;
      this.billid = billid;
    }
  }

  private Chan newChan(String module, String status, String direction, String billid) {
    int n = counters.merge(module, 1, Integer::sum);
    Chan c = new Chan(module + "/" + n, module, status, direction, billid);
    channels.put(c.id, c);
    return c;
  }

  private String newBillId() {
    return RUNID + "-" + billSeq.incrementAndGet();
  }

  private String newMessageId() {
    return "0x7ff86e578950." + msgSeq.incrementAndGet();
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
    String billid = newBillId();
    Chan local = newChan(driver, "incoming", "incoming", billid);
    Kv routeParams = new Kv();
    if (driver.equals("dumb")) {
      routeParams.add("driver", "dumb").add("id", local.id);
    } else {
      local.address = callto.substring(callto.indexOf('/') + 1);
      routeParams.add("module", "tone").add("cdrtrack", "false");
    }
    routeParams.add("caller", p.get("caller")).add("called", target);
    routeParams.add("callername", p.get("callername"));
    CompletableFuture<Answer> routed =
        direct != null
            ? CompletableFuture.completedFuture(new Answer(true, direct, Map.of()))
            : offer("call.route", "", routeParams, 0)
                .thenApply(a -> a.processed ? a : new Answer(false, lookup(target), Map.of()));
    routed.thenAcceptAsync(
        a -> {
          String destination = a.retval;
          if (direct == null) {
            notifyWatchers(
                null,
                "call.route",
                !destination.isEmpty(),
                destination,
                new Kv().addAll(routeParams).add("handlers", H_ROUTE));
          }
          if (destination.isEmpty() || destination.startsWith("-")) {
            channels.remove(local.id);
            String error =
                destination.contains("error=")
                    ? destination.substring(destination.indexOf("error=") + 6)
                    : null;
            reply(m, id, false, "call.execute", "", p.add("handlers", H_EXEC).add("error", error));
            return;
          }
          Chan peer = connect(local, destination, target, p);
          if (peer == null) {
            channels.remove(local.id);
            reply(m, id, false, "call.execute", "", p.add("handlers", H_EXEC));
            return;
          }
          boolean sip = peer.module.equals("sip");
          Kv sub = new Kv().addAll(routeParams).add("handlers", H_EXEC).add("callto", destination);
          if (!driver.equals("dumb")) {
            sub.add("id", local.id);
          }
          sub.add("peerid", peer.id).add("targetid", sip ? peer.id : null);
          notifyWatchers(null, "call.execute", true, "", sub);
          Kv result =
              p.add("handlers", H_EXEC)
                  .add("id", local.id)
                  .add("peerid", peer.id)
                  .add("targetid", sip ? peer.id : null);
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
          }
          if (sip) {
            startSipLeg(m, local, peer, p, target);
          }
        },
        engine);
  }

  private String lookup(String number) {
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
    Route r = routes.get(number);
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

  /** Creates the far leg for a route's return value, or null when no driver takes it. */
  private Chan connect(Chan local, String destination, String target, Kv p) {
    int slash = destination.indexOf('/');
    String driver = slash < 0 ? "" : destination.substring(0, slash);
    Chan peer;
    switch (driver) {
      case "tone" -> {
        peer = newChan("tone", "incoming", "incoming", newBillId());
        peer.address = destination.substring(slash + 1);
        local.answered = true;
        peer.answered = true;
      }
      case "dumb" -> peer = newChan("dumb", "outgoing", "outgoing", local.billid);
      case "sip" -> {
        peer = newChan("sip", "outgoing", "outgoing", local.billid);
        peer.address = "127.0.0.1:5094";
        peer.callid = "sip/" + msgSeq.incrementAndGet() + "@127.0.0.1:5062/1896680471/";
        peer.outcome = outcomeOf(target);
        int at = destination.indexOf('@');
        peer.user =
            destination.substring(
                Math.min(destination.length(), slash + 5), at < 0 ? destination.length() : at);
      }
      default -> {
        return null;
      }
    }
    peer.peer = local.id;
    peer.lastPeer = local.id;
    local.peer = peer.id;
    local.lastPeer = peer.id;
    return peer;
  }

  private void startSipLeg(Module origin, Chan local, Chan sip, Kv p, String target) {
    String user = sipUser(sip);
    notifyWatchers(
        null,
        "chan.startup",
        false,
        "",
        new Kv()
            .add("id", sip.id)
            .add("module", "sip")
            .add("status", "outgoing")
            .add("address", sip.address)
            .add("targetid", local.id)
            .add("answered", "false")
            .add("direction", "outgoing")
            .add("callid", sip.callid)
            .add("caller", p.get("caller"))
            .add("callername", p.get("callername"))
            .add("called", target)
            .add("callto", "sip/sip:" + user + "@127.0.0.1:5094")
            .add("calledfull", user)
            .add("sip_callid", sip.callid)
            .add("connection_id", "general")
            .add("handlers", H_CHAN));
    schedule(
        sip,
        ringAfter,
        () -> {
          sip.status = "ringing";
          notifyWatchers(
              null,
              "call.ringing",
              true,
              "",
              callState(sip).add("earlymedia", "false").add("handlers", H_CALLSTATE));
          if (sip.outcome == Outcome.ANSWER) {
            schedule(sip, answerAfter, () -> answerSip(sip));
          } else if (sip.outcome == Outcome.SIP_BUSY) {
            schedule(sip, answerAfter, () -> hangup(sip, "busy", "486", false));
          }
        });
  }

  private static String sipUser(Chan sip) {
    return sip.user;
  }

  private void answerSip(Chan sip) {
    sip.status = "answered";
    sip.answered = true;
    Chan local = channels.get(sip.peer);
    if (local != null) {
      local.status = "answered";
      local.answered = true;
    }
    notifyWatchers(
        null,
        "call.answered",
        true,
        "",
        callState(sip)
            .add("sip_content-type", "application/sdp")
            .add("media", "yes")
            .add("formats", "mulaw")
            .add("transport", "RTP/AVP")
            .add("rtp_rfc2833", "false")
            .add("handlers", H_CALLSTATE));
  }

  private Kv callState(Chan sip) {
    return new Kv()
        .add("id", sip.id)
        .add("module", sip.module)
        .add("status", sip.status)
        .add("address", sip.address)
        .add("targetid", sip.peer)
        .add("billid", sip.billid)
        .add("peerid", sip.peer)
        .add("lastpeerid", sip.lastPeer)
        .add("answered", String.valueOf(sip.answered))
        .add("direction", sip.direction)
        .add("callid", sip.callid + "1938SIPpTag011")
        .add("sip_contact", "<sip:127.0.0.1:5094;transport=UDP>");
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

  private void drop(Module m, String id, Kv p) {
    String target = p.get("id");
    Chan c = target == null ? null : channels.get(target);
    Kv result = p.add("handlers", H_DROP);
    notifyWatchers(m, "call.drop", c != null, "", result);
    reply(m, id, c != null, "call.drop", "", result);
    if (c != null) {
      hangup(c, p.get("reason"), null, true);
    }
  }

  private void answered(Module m, String id, Kv p) {
    Chan local = channels.get(p.get("id"));
    Chan remote = channels.get(p.get("targetid"));
    boolean ok = remote != null;
    if (ok) {
      remote.status = "answered";
      remote.answered = true;
      if (local != null) {
        local.status = "answered";
        local.answered = true;
      }
    }
    Kv result = p.add("handlers", H_CALLSTATE);
    notifyWatchers(m, "call.answered", ok, "", result);
    reply(m, id, ok, "call.answered", "", result);
  }

  /**
   * Ends a leg and its peer. {@code dropped}: by call.drop (the peer sees chan.disconnected first);
   * otherwise the leg's far end hung up.
   */
  private void hangup(Chan c, String reason, String causeSip, boolean dropped) {
    Chan peer = c.peer == null ? null : channels.get(c.peer);
    channels.remove(c.id);
    c.timers.forEach(t -> t.cancel(false));
    boolean peerNotifies = peer != null && !peer.module.equals("tone");
    if (peer != null) {
      channels.remove(peer.id);
      peer.timers.forEach(t -> t.cancel(false));
    }
    // Dropped here: the peer hears of it first; hung up by the far end: the leg reports first.
    if (dropped && peerNotifies) {
      Kv d = new Kv().add("id", peer.id).add("reason", reason);
      complete(d, peer, true, false);
      notifyWatchers(null, "chan.disconnected", false, "", d.add("handlers", "javascript%z15"));
    }
    if (!c.module.equals("tone")) {
      Kv h = new Kv().add("id", c.id).add("module", c.module);
      boolean sip = c.module.equals("sip");
      if (sip) {
        h.add("cause_sip", causeSip).add("rtp_stats", "PS=0,OS=0,PR=0,OR=0,PL=0");
        if (!dropped) {
          h.add("sip_contact", "sip:remote@" + c.address);
        }
        h.add("status", c.status).add("address", c.address);
      } else {
        h.add("status", dropped ? (reason == null ? "dropped" : reason) : c.status);
      }
      h.add("targetid", peerNotifies ? peer.id : null).add("billid", c.billid);
      if (sip && !dropped) {
        h.add("peerid", c.peer);
      }
      h.add("lastpeerid", c.lastPeer);
      h.add("answered", String.valueOf(c.answered)).add("direction", c.direction);
      if (sip) {
        h.add("domain", dropped ? null : "127.0.0.1");
        h.add("callid", c.callid).add("reason", dropped ? null : reason);
      }
      notifyWatchers(null, "chan.hangup", false, "", h.add("handlers", H_HANGUP));
    }
    if (!dropped && peerNotifies) {
      Kv d = new Kv();
      if (c.module.equals("sip")) {
        d.add("cause_sip", causeSip).add("rtp_stats", "PS=0,OS=0,PR=0,OR=0,PL=0");
        d.add("sip_contact", "sip:remote@" + c.address);
      }
      d.add("id", peer.id).add("reason", reason);
      complete(d, peer, true, false);
      notifyWatchers(null, "chan.disconnected", false, "", d.add("handlers", "javascript%z15"));
    }
    if (peerNotifies) {
      Kv h = new Kv().add("id", peer.id).add("module", peer.module);
      if (peer.module.equals("sip")) {
        h.add("rtp_stats", "PS=0,OS=0,PR=0,OR=0,PL=0");
      }
      h.add("status", peer.status).add("address", peer.module.equals("sip") ? peer.address : null);
      h.add("billid", peer.billid).add("lastpeerid", peer.lastPeer);
      h.add("answered", String.valueOf(peer.answered)).add("direction", peer.direction);
      if (peer.module.equals("sip")) {
        h.add("callid", peer.callid);
      }
      h.add("reason", reason);
      notifyWatchers(null, "chan.hangup", false, "", h.add("handlers", H_HANGUP));
    }
  }

  private void complete(Kv kv, Chan c, boolean skipId, boolean withPeer) {
    if (!skipId) {
      kv.add("id", c.id);
    }
    kv.add("module", c.module).add("status", c.status);
    if (!c.address.isEmpty()) {
      kv.add("address", c.address);
    }
    kv.add("targetid", c.peer).add("billid", c.billid);
    if (withPeer) {
      kv.add("peerid", c.peer);
    }
    kv.add("lastpeerid", c.lastPeer).add("answered", String.valueOf(c.answered));
    kv.add("direction", c.direction);
    if (!c.callid.isEmpty()) {
      kv.add("callid", c.callid);
    }
  }

  private void remoteBye(Chan sip) {
    hangup(sip, null, "200", false);
  }

  // ---------------------------------------------------------------- inbound

  private String startIncoming(String caller, String called) {
    Chan sip = newChan("sip", "incoming", "incoming", newBillId());
    sip.address = "127.0.0.1:5081";
    sip.callid = "sip/1-" + msgSeq.incrementAndGet() + "@127.0.0.1/1976SIPpTag001/";
    Kv route =
        new Kv()
            .add("id", sip.id)
            .add("module", "sip")
            .add("status", "incoming")
            .add("address", sip.address)
            .add("billid", sip.billid)
            .add("answered", "false")
            .add("direction", "incoming")
            .add("callid", sip.callid)
            .add("caller", caller)
            .add("called", called)
            .add("callername", caller)
            .add("antiloop", "19")
            .add("ip_host", "127.0.0.1")
            .add("ip_port", "5081")
            .add("ip_transport", "UDP")
            .add("address", sip.address)
            .add("connection_id", "general")
            .add("connection_reliable", "false")
            .add("sip_uri", "sip:" + called + "@127.0.0.1:5062")
            .add("sip_from", "sip:" + caller + "@127.0.0.1:5081")
            .add("sip_to", called + " <sip:" + called + "@127.0.0.1:5062>")
            .add("sip_callid", sip.callid)
            .add("device", "")
            .add("sip_contact", "sip:" + caller + "@127.0.0.1:5081")
            .add("sip_subject", "SDK anchor test")
            .add("sip_content-type", "application/sdp")
            .add("newcall", "true")
            .add("domain", "127.0.0.1")
            .add("rtp_addr", "127.0.0.1")
            .add("media", "yes")
            .add("formats", "mulaw")
            .add("transport", "RTP/AVP")
            .add("rtp_rfc2833", "false")
            .add("rtp_port", "6000")
            .add("rtp_forward", "possible");
    offer("call.route", "", route, 0)
        .thenAcceptAsync(
            a -> {
              if (channels.get(sip.id) != sip) {
                return;
              }
              String destination = a.processed ? a.retval : lookup(called);
              Chan peer =
                  destination.startsWith("-") ? null : connect(sip, destination, called, route);
              if (peer == null) {
                hangup(
                    sip,
                    destination.contains("error=")
                        ? destination.substring(destination.indexOf("error=") + 6)
                        : "noroute",
                    null,
                    false);
                return;
              }
              Kv exec = new Kv().addAll(route).addAll(a.params).add("callto", destination);
              exec.add("handlers", H_EXEC).add("peerid", peer.id).add("targetid", peer.id);
              notifyWatchers(null, "call.execute", true, "", exec.add("autoring", "true"));
            },
            engine);
    return sip.id;
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
      sb.append('|').append(c.peer == null ? "" : c.peer);
    }
    return sb.append("\r\n").toString();
  }
}
