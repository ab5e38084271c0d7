package org.sipadapter.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.asterisk.AsteriskAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.freeswitch.FreeSwitchAdapter;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.sipadapter.testkit.esl.EslEmulator;
import org.sipadapter.testkit.yate.YateEmulator;
import org.sipadapter.yate.YateAdapter;

/**
 * Many servers in one JVM: {@code N} adapters of mixed types (Asterisk, FreeSWITCH and Yate, in
 * turn), each on an emulator of its own, each with {@code C} calls at once. Every call is driven by
 * its server: the emulator sends the new inbound call, all {@code N × C} calls are up at once, then
 * the emulator sends each call's hangup. Measured: calls per second, the latency from the emulator
 * sending a frame to the listener having its event (p50/p99, for the new call and for its end),
 * heap after a full GC with every call up, and threads (the adapters' own, named {@code
 * sipadapter-*}, and the whole JVM's, which includes the emulators').
 *
 * <p>Not a unit test and not JMH: a load run, by hand, for docs/performance.md. It runs 1 × C
 * first, then N × C, each after a warm-up round:
 *
 * <pre>
 * mvn -q -pl sip-adapter-benchmarks -am package -DskipTests
 * java -Xmx2g -cp sip-adapter-benchmarks/target/benchmarks.jar \
 *     org.sipadapter.benchmarks.load.ManyServersHarness [adapters=50] [calls=200]
 * </pre>
 */
public final class ManyServersHarness {

  private static final Duration WAIT = Duration.ofMinutes(5);

  private ManyServersHarness() {}

  /** One emulated server and its adapter. */
  private interface Server extends AutoCloseable {
    SipAdapter adapter();

    /** Sends a new inbound call from {@code from}; returns the server's id for it. */
    String ring(String from);

    /** Sends the far end's hangup of a call. */
    void hangUp(String serverId);

    @Override
    void close();
  }

  private static Server server(int index, String name) {
    switch (index % 3) {
      case 0:
        {
          AmiEmulator pbx = AmiEmulator.create().start();
          SipAdapter a =
              new AsteriskAdapter(
                  AdapterConfig.builder("asterisk")
                      .name(name)
                      .server(pbx.host(), pbx.port())
                      .auth("admin", "amipass")
                      .build());
          return new Server() {
            public SipAdapter adapter() {
              return a;
            }

            public String ring(String from) {
              return pbx.incomingCall(from, "2000");
            }

            public void hangUp(String id) {
              pbx.remoteHangup(id, 16);
            }

            public void close() {
              a.close();
              pbx.close();
            }
          };
        }
      case 1:
        {
          EslEmulator fs = new EslEmulator("harness-secret").start();
          SipAdapter a =
              new FreeSwitchAdapter(
                  AdapterConfig.builder("freeswitch")
                      .name(name)
                      .server(fs.host(), fs.port())
                      .auth("", "harness-secret")
                      .build());
          return new Server() {
            public SipAdapter adapter() {
              return a;
            }

            public String ring(String from) {
              return fs.placeInboundCall(from, "2000");
            }

            public void hangUp(String id) {
              fs.hangupFromRemote(id, "NORMAL_CLEARING");
            }

            public void close() {
              a.close();
              fs.close();
            }
          };
        }
      default:
        {
          YateEmulator yate = new YateEmulator().start();
          SipAdapter a =
              new YateAdapter(
                  AdapterConfig.builder("yate")
                      .name(name)
                      .server(yate.host(), yate.port())
                      .option("inbound", true)
                      .build());
          return new Server() {
            public SipAdapter adapter() {
              return a;
            }

            public String ring(String from) {
              return yate.incomingCall(from, "4000");
            }

            public void hangUp(String id) {
              yate.remoteHangup(id);
            }

            public void close() {
              a.close();
              yate.close();
            }
          };
        }
    }
  }

  /** What the listeners saw, with the time each frame was asked for. */
  private static final class Clock implements SipAdapterListener {
    final Map<String, Long> ringSent = new ConcurrentHashMap<>(); // by caller number
    final Map<String, Long> hangupSent = new ConcurrentHashMap<>(); // by call id
    final Map<String, String> callOf = new ConcurrentHashMap<>(); // caller number to call id
    final List<Long> ringLatency = new ArrayList<>();
    final List<Long> endLatency = new ArrayList<>();
    final AtomicLong rung = new AtomicLong();
    final AtomicLong ended = new AtomicLong();

    @Override
    public void onIncomingCall(IncomingCall e) {
      long now = System.nanoTime();
      Long sent = ringSent.get(e.from());
      callOf.put(e.from(), e.callId());
      if (sent != null) {
        synchronized (ringLatency) {
          ringLatency.add(now - sent);
        }
      }
      rung.incrementAndGet();
    }

    @Override
    public void onCallStateChanged(CallStateChanged e) {
      if (!e.isTerminal()) {
        return;
      }
      long now = System.nanoTime();
      Long sent = hangupSent.get(e.callId());
      if (sent != null) {
        synchronized (endLatency) {
          endLatency.add(now - sent);
        }
      }
      ended.incrementAndGet();
    }
  }

  /** One run's figures. */
  private record Result(
      int adapters,
      int calls,
      double callsPerSecond,
      double ringP50,
      double ringP99,
      double endP50,
      double endP99,
      long heapIdleMiB,
      long heapLoadedMiB,
      long baselineHeapMiB,
      int adapterThreads,
      int jvmThreads,
      int baselineJvmThreads,
      int baselineAdapterThreads,
      List<String> threadKinds) {}

  /**
   * Runs both sizes and prints the table.
   *
   * @param args {@code adapters=N} and {@code calls=C}, optional
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    int adapters = 50;
    int calls = 200;
    for (String a : args) {
      if (a.startsWith("adapters=")) {
        adapters = Integer.parseInt(a.substring(9));
      } else if (a.startsWith("calls=")) {
        calls = Integer.parseInt(a.substring(6));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "many servers in one JVM, %s; %d cores, java %s, max heap %d MiB%n",
        Instant.now(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    List<Result> results = new ArrayList<>();
    results.add(run(1, calls));
    results.add(run(adapters, calls));
    System.out.println();
    System.out.println(
        "| adapters × calls | calls/s | new call p50 / p99 (ms) | hangup p50 / p99 (ms) | heap,"
            + " all calls up (MiB) | adapter threads | JVM threads |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %d × %d | %,.0f | %.1f / %.1f | %.1f / %.1f | %d (%d before the adapters, %d with them"
              + " idle) | %d (%d before) | %d (%d before) |%n",
          r.adapters(),
          r.calls(),
          r.callsPerSecond(),
          r.ringP50(),
          r.ringP99(),
          r.endP50(),
          r.endP99(),
          r.heapLoadedMiB(),
          r.baselineHeapMiB(),
          r.heapIdleMiB(),
          r.adapterThreads(),
          r.baselineAdapterThreads(),
          r.jvmThreads(),
          r.baselineJvmThreads());
    }
    for (Result r : results) {
      System.out.println(r.adapters() + " adapters, their threads by kind: " + r.threadKinds());
    }
  }

  private static Result run(int n, int calls) throws Exception {
    System.out.printf(Locale.ROOT, "%n%d adapters × %d calls%n", n, calls);
    long baselineHeap = heapAfterGc();
    int baselineJvm = Thread.activeCount();
    int baselineAdapter = adapterThreads().size();
    List<Server> servers = new ArrayList<>();
    Clock clock = new Clock();
    ExecutorService drivers = Executors.newFixedThreadPool(4, r -> new Thread(r, "harness-driver"));
    try {
      for (int i = 0; i < n; i++) {
        Server s = server(i, String.format(Locale.ROOT, "srv%02d", i));
        s.adapter().addListener(clock);
        s.adapter().connect();
        servers.add(s);
      }
      long heapIdle = heapAfterGc();
      round(servers, calls, clock, drivers, 0, false); // warm-up
      Measured m = round(servers, calls, clock, drivers, 1, true);
      List<String> names = adapterThreads();
      return new Result(
          n,
          calls,
          m.callsPerSecond,
          millis(clock.ringLatency, 50),
          millis(clock.ringLatency, 99),
          millis(clock.endLatency, 50),
          millis(clock.endLatency, 99),
          heapIdle,
          m.heapMiB,
          baselineHeap,
          m.adapterThreads,
          m.jvmThreads,
          baselineJvm,
          baselineAdapter,
          kinds(names));
    } finally {
      drivers.shutdownNow();
      for (Server s : servers) {
        s.close();
      }
    }
  }

  private record Measured(
      double callsPerSecond, long heapMiB, int adapterThreads, int jvmThreads) {}

  private static Measured round(
      List<Server> servers,
      int calls,
      Clock clock,
      ExecutorService drivers,
      int round,
      boolean measure)
      throws Exception {
    clock.ringLatency.clear();
    clock.endLatency.clear();
    long rung0 = clock.rung.get();
    long ended0 = clock.ended.get();
    int total = servers.size() * calls;
    List<List<String>> serverIds = new ArrayList<>();
    List<List<String>> callers = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      serverIds.add(new ArrayList<>());
      callers.add(new ArrayList<>());
    }
    long start = System.nanoTime();
    List<Future<?>> ringing = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      int s = i;
      ringing.add(
          drivers.submit(
              () -> {
                for (int c = 0; c < calls; c++) {
                  String from = String.format(Locale.ROOT, "%d%02d%04d", 1 + round, s, c);
                  clock.ringSent.put(from, System.nanoTime());
                  serverIds.get(s).add(servers.get(s).ring(from));
                  callers.get(s).add(from);
                }
              }));
    }
    for (Future<?> f : ringing) {
      f.get();
    }
    await(() -> clock.rung.get() - rung0 >= total, "every call rang");
    long heap = 0;
    int adapterThreads = adapterThreads().size();
    int jvmThreads = Thread.activeCount();
    if (measure) {
      heap = heapAfterGc();
      System.out.printf(
          Locale.ROOT,
          "  all %,d calls up: heap %d MiB after GC, %d adapter threads, %d JVM threads%n",
          total,
          heap,
          adapterThreads,
          jvmThreads);
    }
    List<Future<?>> hanging = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      int s = i;
      hanging.add(
          drivers.submit(
              () -> {
                for (int c = 0; c < calls; c++) {
                  String callId = clock.callOf.get(callers.get(s).get(c));
                  if (callId != null) {
                    clock.hangupSent.put(callId, System.nanoTime());
                  }
                  servers.get(s).hangUp(serverIds.get(s).get(c));
                }
              }));
    }
    for (Future<?> f : hanging) {
      f.get();
    }
    await(() -> clock.ended.get() - ended0 >= total, "every call ended");
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = total / seconds;
    System.out.printf(
        Locale.ROOT,
        "  round %d: %,d calls in %.2f s = %,.0f calls/s%n",
        round,
        total,
        seconds,
        rate);
    return new Measured(rate, heap, adapterThreads, jvmThreads);
  }

  private static void await(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + WAIT + ": " + what);
      }
      Thread.sleep(5);
    }
  }

  private static double millis(List<Long> nanos, double p) {
    List<Long> sorted;
    synchronized (nanos) {
      sorted = new ArrayList<>(nanos);
    }
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    sorted.sort(null);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
  }

  private static long heapAfterGc() throws InterruptedException {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return mx.getHeapMemoryUsage().getUsed() >> 20;
  }

  private static List<String> adapterThreads() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("sipadapter-")) {
        names.add(t.getName());
      }
    }
    return names;
  }

  /** Thread names with the adapter's name and numbers taken out, counted. */
  private static List<String> kinds(List<String> names) {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    for (String n : names) {
      String kind = n.replaceAll("srv\\d+", "<name>").replaceAll("-\\d+$", "-<n>");
      counts.merge(kind, 1, Integer::sum);
    }
    List<String> out = new ArrayList<>();
    counts.forEach((k, v) -> out.add(k + " ×" + v));
    return out;
  }
}
