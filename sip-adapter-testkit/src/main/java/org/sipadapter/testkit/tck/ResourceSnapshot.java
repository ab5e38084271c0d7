package org.sipadapter.testkit.tck;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.sipadapter.transport.Schedulers;

/**
 * The live threads (by name, with multiplicity), the number of open file descriptors and the tasks
 * pending on the library's shared timer of this JVM at one moment, to find what a piece of code
 * left behind.
 *
 * @param threadNames how many live threads carry each name
 * @param openFileDescriptors open descriptors from {@code /proc/self/fd}, or -1 where unknown
 * @param pendingTimerTasks tasks waiting on the shared timer ({@link
 *     Schedulers#pendingTimerTasks()})
 */
public record ResourceSnapshot(
    Map<String, Integer> threadNames, int openFileDescriptors, int pendingTimerTasks) {

  /** Copies the map. */
  public ResourceSnapshot {
    threadNames = Map.copyOf(threadNames);
  }

  /** Takes a snapshot now. */
  public static ResourceSnapshot take() {
    Map<String, Integer> names = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive()) {
        names.merge(t.getName(), 1, Integer::sum);
      }
    }
    File[] fds = new File("/proc/self/fd").listFiles();
    return new ResourceSnapshot(
        names, fds == null ? -1 : fds.length, Schedulers.pendingTimerTasks());
  }

  /**
   * Returns the thread names that are more frequent now than in {@code before}, skipping those
   * {@code ignore} accepts, each repeated by how many more there are.
   *
   * @param before the earlier snapshot
   * @param ignore names of shared threads allowed to come and go
   */
  public List<String> threadsAddedSince(ResourceSnapshot before, Predicate<String> ignore) {
    List<String> added = new ArrayList<>();
    for (Map.Entry<String, Integer> e : threadNames.entrySet()) {
      if (ignore.test(e.getKey())) {
        continue;
      }
      int extra = e.getValue() - before.threadNames.getOrDefault(e.getKey(), 0);
      for (int i = 0; i < extra; i++) {
        added.add(e.getKey());
      }
    }
    added.sort(String::compareTo);
    return added;
  }

  /**
   * Returns how many more file descriptors are open now than in {@code before}; 0 where unknown.
   *
   * @param before the earlier snapshot
   */
  public int descriptorsAddedSince(ResourceSnapshot before) {
    if (openFileDescriptors < 0 || before.openFileDescriptors < 0) {
      return 0;
    }
    return openFileDescriptors - before.openFileDescriptors;
  }

  /**
   * Returns how many more tasks wait on the shared timer now than in {@code before}: a keepalive, a
   * timeout or a reconnect delay an adapter left scheduled after its close.
   *
   * @param before the earlier snapshot
   */
  public int timerTasksAddedSince(ResourceSnapshot before) {
    return pendingTimerTasks - before.pendingTimerTasks;
  }
}
