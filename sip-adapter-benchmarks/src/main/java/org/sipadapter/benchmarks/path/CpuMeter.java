package org.sipadapter.benchmarks.path;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The CPU time the adapter's own threads (those named {@code sipadapter-…}: reader, event thread,
 * dispatcher lanes) spend per event, over a run's measurement iterations: user and system time from
 * {@link ThreadMXBean#getThreadCpuTime}, divided by the operations counted meanwhile.
 *
 * <p>Why next to events per second: on a shared 2-core machine a run's rate swings by a third with
 * what else the cores do, while the CPU time an event costs the adapter moves far less; it tells a
 * change that saves work from one that only moved it. The benchmark's own threads (the writer, the
 * loopback peer) are left out.
 *
 * <p>Used from the benchmark's setup and tear-down methods only (one thread at a time).
 */
public final class CpuMeter {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<String, Long> nanosByThread = new TreeMap<>();
  private Map<Long, Long> atStart;
  private long operations;
  private long operationsAtStart;
  private long measured;

  /**
   * Counts operations (events) done; call from the benchmark method.
   *
   * @param n operations of one invocation
   */
  public void operations(long n) {
    operations += n;
  }

  /**
   * Takes the threads' CPU times when a measurement iteration starts (warm-up is left out).
   *
   * @param iteration JMH's description of the iteration
   */
  public void iterationStarts(IterationParams iteration) {
    if (iteration.getType() != IterationType.MEASUREMENT) {
      atStart = null;
      return;
    }
    atStart = cpuByThread();
    operationsAtStart = operations;
  }

  /** Adds the CPU time the threads spent since the iteration started. */
  public void iterationEnds() {
    if (atStart == null) {
      return;
    }
    Map<Long, Long> now = cpuByThread();
    for (ThreadInfo info :
        threads.getThreadInfo(now.keySet().stream().mapToLong(l -> l).toArray())) {
      if (info == null) {
        continue;
      }
      long spent = now.get(info.getThreadId()) - atStart.getOrDefault(info.getThreadId(), 0L);
      nanosByThread.merge(info.getThreadName().replaceAll("-\\d+$", "-N"), spent, Long::sum);
    }
    measured += operations - operationsAtStart;
    atStart = null;
  }

  /**
   * One line: the adapter's CPU time per operation, in all and by thread.
   *
   * @return for example {@code adapter CPU per event: 2,950 ns (…-reader 1,700, …)}
   */
  public String summary() {
    if (measured == 0) {
      return "adapter CPU per event: no measurement iteration";
    }
    long total = nanosByThread.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder sb =
        new StringBuilder(String.format("adapter CPU per event: %,d ns (", total / measured));
    String sep = "";
    for (Map.Entry<String, Long> e : nanosByThread.entrySet()) {
      sb.append(sep).append(e.getKey()).append(String.format(" %,d", e.getValue() / measured));
      sep = ", ";
    }
    return sb.append(")").toString();
  }

  private Map<Long, Long> cpuByThread() {
    Map<Long, Long> out = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("sipadapter-")) {
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          out.put(info.getThreadId(), cpu);
        }
      }
    }
    return out;
  }
}
