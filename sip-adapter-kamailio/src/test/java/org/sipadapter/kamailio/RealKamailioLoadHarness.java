package org.sipadapter.kamailio;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/**
 * Sustained click-to-dial and hang-up against a real Kamailio (not a unit test; run with {@code
 * -Pstress}): as in the conformance suite, the caller is a SIPp first party that follows Kamailio's
 * REFER and the callee a SIPp phone behind Kamailio that answers at once (SIPp's {@code uas}); each
 * call is held {@value #HOLD_MILLIS} ms after {@code CONNECTED} and hung up by the adapter. Steps
 * of rising rate ({@code -Dload.rates=5,10,20,40,80,160,320}, {@code -Dload.stepSeconds=20}); per
 * step: calls placed, connected, terminal events (exactly one per call, nothing after it), calls
 * lost (no terminal event {@value #DRAIN_SECONDS} s after the step), setup time from {@code
 * makeCall} to {@code CONNECTED} (p50/p99), CPU time of the adapter's threads ({@code sipadapter-})
 * per call, and the dialogs Kamailio still has up after the step (states 1 to 4 of {@code
 * dlg.list}). Stepping stops at the first step that loses a call, ends one abnormally or places
 * calls more slowly than asked; the report names the highest clean rate.
 *
 * <p>Prints the report and writes it to {@code target/load/real-kamailio.txt}.
 */
@Tag("stress")
class RealKamailioLoadHarness {

  private static final long HOLD_MILLIS = 1_000;
  private static final int DRAIN_SECONDS = 30;

  private final StringBuilder report = new StringBuilder();
  private final Map<String, Call> calls = new ConcurrentHashMap<>();

  /** What one call went through, times in {@link System#nanoTime()}. */
  private static final class Call {
    volatile long placedAt;
    volatile long connectedAt;
    final AtomicInteger terminals = new AtomicInteger();
    final AtomicInteger afterTerminal = new AtomicInteger();
    volatile CallState end;
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println(s);
    report.append(s).append('\n');
  }

  @Test
  void report() throws Exception {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");
    int[] rates =
        Arrays.stream(System.getProperty("load.rates", "5,10,20,40,80,160,320").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim()))
            .toArray();
    int stepSeconds = Integer.getInteger("load.stepSeconds", 20);
    line("sip-adapter real-Kamailio load harness, %s", Instant.now());
    line(
        "machine: %d cores, load average %.1f, java %s",
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        System.getProperty("java.version"));

    ScheduledExecutorService hangups =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "load-hangups");
              t.setDaemon(true);
              return t;
            });
    try (SippProcess phone = SippProcess.uas(UasScenario.ANSWER).traceMessages(false).start();
        SippProcess firstParty =
            SippProcess.uas(UasScenario.REFER_FOLLOWER).traceMessages(false).start();
        KamailioServer server =
            KamailioServer.builder().rpcToken(TOKEN).route("load", phone.port()).build()) {
      server.start();
      line("server: %s", server.rpc("core.version"));
      String from = "sip:first@127.0.0.1:" + firstParty.port();
      String to = server.sipUri("load");
      line(
          "calls: click-to-dial %s -> %s (SIPp first party follows the REFER, SIPp uas answers at"
              + " once), held %d ms after CONNECTED, hung up by the adapter; steps of %d s",
          from, to, HOLD_MILLIS, stepSeconds);
      AdapterConfig config =
          AdapterConfig.builder("kamailio")
              .name("load")
              .server(KamailioServer.HOST, server.sipPort())
              .option("evapiPort", server.evapiPort())
              .auth("", TOKEN)
              .timeouts(
                  new Timeouts(
                      Duration.ofSeconds(3),
                      Duration.ofSeconds(10),
                      Duration.ofSeconds(30),
                      Duration.ofSeconds(5)))
              .build();
      try (SipAdapter adapter = new KamailioAdapter(config)) {
        adapter.addListener(
            new SipAdapterListener() {
              @Override
              public void onCallStateChanged(CallStateChanged e) {
                long now = System.nanoTime();
                Call c = calls.computeIfAbsent(e.callId(), id -> new Call());
                if (c.terminals.get() > 0) {
                  c.afterTerminal.incrementAndGet();
                  return;
                }
                if (e.state() == CallState.CONNECTED && c.connectedAt == 0) {
                  c.connectedAt = now;
                  hangups.schedule(
                      () -> adapter.hangupAsync(e.callId()), HOLD_MILLIS, TimeUnit.MILLISECONDS);
                }
                if (e.isTerminal()) {
                  c.end = e.state();
                  c.terminals.incrementAndGet();
                }
              }
            });
        adapter.connect();
        line("");
        line(
            "%6s %7s %7s %9s %7s %5s %6s %9s %9s %12s %11s",
            "rate/s",
            "placed",
            "reached",
            "connected",
            "ended",
            "lost",
            "extra",
            "setup p50",
            "setup p99",
            "CPU per call",
            "left on srv");
        int clean = 0;
        for (int rate : rates) {
          Step s = step(adapter, server, from, to, rate, stepSeconds);
          line(
              "%6d %7d %7.1f %9d %7d %5d %6d %7.1fms %7.1fms %10.0fus %11s",
              rate,
              s.placed,
              s.reached,
              s.connected,
              s.ended,
              s.lost,
              s.extra,
              s.p50Millis,
              s.p99Millis,
              s.cpuMicrosPerCall,
              s.leftOnServer);
          if (!s.notes.isEmpty()) {
            line("       %s", s.notes);
          }
          if (!s.clean(rate)) {
            line("       step at %d calls/s is not clean: stopping", rate);
            break;
          }
          clean = rate;
        }
        line("");
        line("highest clean rate: %d calls/s", clean);
        line("load average at the end: %.1f", loadAverage());
      }
    } finally {
      hangups.shutdownNow();
      Path out = Path.of("target", "load", "real-kamailio.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
    }
  }

  private static final class Step {
    int placed;
    double reached;
    int connected;
    int ended;
    int lost;
    int extra;
    int failedToPlace;
    double p50Millis;
    double p99Millis;
    double cpuMicrosPerCall;
    String leftOnServer;
    int leftCount;
    String notes = "";

    boolean clean(int rate) {
      return lost == 0
          && extra == 0
          && failedToPlace == 0
          && connected == placed
          && ended == placed
          && leftCount == 0
          && reached >= 0.95 * rate;
    }
  }

  private Step step(
      SipAdapter adapter, KamailioServer server, String from, String to, int rate, int seconds) {
    calls.clear();
    List<String> ids = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    Map<Long, Long> cpu0 = adapterCpuNanos();
    long interval = 1_000_000_000L / rate;
    int total = rate * seconds;
    long start = System.nanoTime();
    for (int n = 0; n < total; n++) {
      long due = start + n * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      long placedAt = System.nanoTime();
      adapter
          .makeCallAsync(from, to, CallOptions.DEFAULTS)
          .whenComplete(
              (id, error) -> {
                if (error != null) {
                  synchronized (failures) {
                    failures.add(error);
                  }
                  return;
                }
                calls.computeIfAbsent(id, x -> new Call()).placedAt = placedAt;
                synchronized (ids) {
                  ids.add(id);
                }
              });
    }
    long placingNanos = System.nanoTime() - start;
    Step s = new Step();
    s.reached = total / (placingNanos / 1e9) * ((double) (total - 1) / total);
    // Wait for every placed call's end (or the drain limit).
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
    while (System.nanoTime() < drainUntil) {
      int done;
      synchronized (ids) {
        synchronized (failures) {
          if (ids.size() + failures.size() < total) {
            LockSupport.parkNanos(50_000_000);
            continue;
          }
        }
        done = (int) ids.stream().filter(id -> calls.get(id).terminals.get() > 0).count();
      }
      if (done == ids.size()) {
        break;
      }
      LockSupport.parkNanos(50_000_000);
    }
    // Anything arriving after a terminal event would show up within a moment.
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
    long cpu = 0;
    for (Map.Entry<Long, Long> t : adapterCpuNanos().entrySet()) {
      cpu += t.getValue() - cpu0.getOrDefault(t.getKey(), 0L);
    }
    s.cpuMicrosPerCall = cpu / 1e3 / total;
    List<Long> setup = new ArrayList<>();
    synchronized (ids) {
      s.placed = ids.size();
      for (String id : ids) {
        Call c = calls.get(id);
        if (c.connectedAt != 0) {
          s.connected++;
          setup.add(c.connectedAt - c.placedAt);
        }
        int t = c.terminals.get();
        if (t == 0) {
          s.lost++;
        } else {
          s.ended++;
        }
        s.extra += Math.max(0, t - 1) + c.afterTerminal.get();
      }
    }
    synchronized (failures) {
      s.failedToPlace = failures.size();
      if (!failures.isEmpty()) {
        s.notes = failures.size() + " makeCall failures, first: " + failures.get(0);
      }
    }
    setup.sort(null);
    s.p50Millis = percentile(setup, 50) / 1e6;
    s.p99Millis = percentile(setup, 99) / 1e6;
    // The BYEs reach Kamailio's dialog list within a moment of the terminal event.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int up;
    try {
      do {
        up = dialogsUp(server);
        if (up == 0) {
          break;
        }
        LockSupport.parkNanos(200_000_000);
      } while (System.nanoTime() < until);
    } catch (RuntimeException e) {
      // Kamailio no longer answers JSON-RPC: the step is not clean, and the report says why.
      s.leftCount = -1;
      s.leftOnServer = "no answer";
      s.notes = (s.notes.isEmpty() ? "" : s.notes + "; ") + "dlg.list failed: " + e.getMessage();
      return s;
    }
    s.leftCount = up;
    s.leftOnServer = up + " dlg";
    return s;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "load-rpc-token-5c21";

  /** The dialogs Kamailio holds up (states 1 to 4 of {@code dlg.list}). */
  private static int dialogsUp(KamailioServer server) {
    try {
      int up = 0;
      for (JsonNode d : JSON.readTree(server.rpc("dlg.list")).path("result")) {
        int state = d.path("state").asInt();
        up += state >= 1 && state <= 4 ? 1 : 0;
      }
      return up;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * CPU time so far of each live adapter thread, by thread id. A pool thread that ends between two
   * samples takes its time with it, so a step's figure can only be short of the truth.
   */
  private static Map<Long, Long> adapterCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new java.util.HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("sipadapter-")) {
        long n = mx.getThreadCpuTime(t.getId());
        if (n >= 0) {
          cpu.put(t.getId(), n);
        }
      }
    }
    return cpu;
  }

  private static long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
