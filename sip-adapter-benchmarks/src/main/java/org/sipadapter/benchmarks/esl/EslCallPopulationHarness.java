package org.sipadapter.benchmarks.esl;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.EventSettings;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.freeswitch.FreeSwitchAdapter;

/**
 * Memory per tracked call and the cost of the call-keyed paths as the number of live calls grows:
 * for each size, a fresh FreeSWITCH adapter on a loopback event socket is given that many inbound
 * calls ({@code CHANNEL_CREATE} of the recordings, fresh UUIDs); the heap is read after a full GC
 * before and after; then {@code getStatus} is timed on random live calls, {@code activeCalls} once,
 * and every call is answered ({@code CHANNEL_ANSWER}) and hung up ({@code CHANNEL_HANGUP_COMPLETE})
 * with the time until the listener has every resulting event.
 *
 * <pre>
 * java -Xmx2g -cp sip-adapter-benchmarks/target/benchmarks.jar \
 *     org.sipadapter.benchmarks.esl.EslCallPopulationHarness 1000 10000 100000
 * </pre>
 *
 * <p>Not a JMH benchmark: one pass per size, so the rates are rough; the heap figure is exact up to
 * the JVM's accounting. The listener only counts, so the heap holds what the adapter keeps.
 */
public final class EslCallPopulationHarness {
  private static final String UUID_PREFIX = "7e57ca11-0000-4000-8000-";
  private static final int CHUNK = 2000;

  private final String create;
  private final String answer;
  private final String hangup;

  private EslCallPopulationHarness() {
    EslEventStream stream = EslEventStream.load();
    create = EslListenerPathBenchmark.template(stream.first("CHANNEL_CREATE"));
    answer = EslListenerPathBenchmark.template(stream.first("CHANNEL_ANSWER"));
    hangup = EslListenerPathBenchmark.template(stream.first("CHANNEL_HANGUP_COMPLETE"));
  }

  /**
   * Runs the sizes given (default 1000, 10000, 100000) and prints one line per size.
   *
   * @param args call counts
   * @throws Exception if the loopback link fails
   */
  public static void main(String[] args) throws Exception {
    int[] sizes =
        args.length == 0
            ? new int[] {1_000, 10_000, 100_000}
            : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    EslCallPopulationHarness h = new EslCallPopulationHarness();
    h.run(Math.min(2_000, sizes[0]), false); // warm-up: JIT the paths before the first figure
    System.out.printf(
        "%10s %12s %12s %14s %14s %14s %14s%n",
        "calls",
        "B/call",
        "getStatus ns",
        "activeCalls ms",
        "create ev/s",
        "answer ev/s",
        "hangup ev/s");
    for (int n : sizes) {
      h.run(n, true);
    }
  }

  private void run(int calls, boolean print) throws Exception {
    AtomicLong delivered = new AtomicLong();
    try (EslLoopbackServer server = new EslLoopbackServer();
        FreeSwitchAdapter adapter =
            new FreeSwitchAdapter(
                AdapterConfig.builder(FreeSwitchAdapter.TYPE)
                    .name("population")
                    .server(server.host(), server.port())
                    .auth("", "bench-secret")
                    .events(new EventSettings(2, 4 * calls + 1000, Duration.ofSeconds(1)))
                    .build())) {
      adapter.addListener(
          new SipAdapterListener() {
            @Override
            public void onEvent(AdapterEvent event) {
              delivered.incrementAndGet();
            }
          });
      adapter.connect();
      long heapBefore = usedHeapAfterGc();
      double createRate = stream(server, create, calls, delivered, 2); // IncomingCall, RINGING
      long heapAfter = usedHeapAfterGc();
      List<CallStatus> live = adapter.activeCalls();
      if (live.size() != calls) {
        throw new IllegalStateException(live.size() + " live calls, expected " + calls);
      }
      String[] ids = live.stream().map(CallStatus::callId).toArray(String[]::new);
      double statusNanos = timeGetStatus(adapter, ids);
      long t0 = System.nanoTime();
      int active = adapter.activeCalls().size();
      double activeMillis = (System.nanoTime() - t0) / 1e6;
      double answerRate = stream(server, answer, calls, delivered, 1); // CONNECTED
      double hangupRate = stream(server, hangup, calls, delivered, 1); // DISCONNECTED
      if (!adapter.activeCalls().isEmpty() || active != calls) {
        throw new IllegalStateException("calls left open: " + adapter.activeCalls().size());
      }
      if (print) {
        System.out.printf(
            Locale.ROOT,
            "%10d %12.0f %12.0f %14.1f %14.0f %14.0f %14.0f%n",
            calls,
            (heapAfter - heapBefore) / (double) calls,
            statusNanos,
            activeMillis,
            createRate,
            answerRate,
            hangupRate);
      }
    }
  }

  /** Streams one event per call in chunks; returns events per second until all were delivered. */
  private static double stream(
      EslLoopbackServer server, String template, int calls, AtomicLong delivered, int perCall) {
    long target = delivered.get() + (long) calls * perCall;
    long start = System.nanoTime();
    for (int from = 0; from < calls; from += CHUNK) {
      StringBuilder sb = new StringBuilder(CHUNK * 3000);
      for (int i = from; i < Math.min(calls, from + CHUNK); i++) {
        EslListenerPathBenchmark.append(
            sb, template, UUID_PREFIX + String.format(Locale.ROOT, "%012x", i));
      }
      server.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (delivered.get() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "listener saw " + delivered.get() + " of " + target + " events");
      }
      LockSupport.parkNanos(100_000);
    }
    return calls / ((System.nanoTime() - start) / 1e9);
  }

  private static double timeGetStatus(FreeSwitchAdapter adapter, String[] ids) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long sink = 0;
    for (int i = 0; i < 200_000; i++) {
      sink += adapter.getStatus(ids[r.nextInt(ids.length)]).callId().length();
    }
    int rounds = 500_000;
    long start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      sink += adapter.getStatus(ids[r.nextInt(ids.length)]).callId().length();
    }
    double nanos = (System.nanoTime() - start) / (double) rounds;
    if (sink == 42) {
      System.out.print("");
    }
    return nanos;
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
