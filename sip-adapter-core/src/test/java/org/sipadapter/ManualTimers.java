package org.sipadapter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Timers that fire only when the test says so: time moves by hand. */
final class ManualTimers implements Timers {
  private final List<Task> tasks = new ArrayList<>();

  private static final class Task {
    final Runnable run;
    final Duration delay;
    boolean cancelled;

    Task(Runnable run, Duration delay) {
      this.run = run;
      this.delay = delay;
    }
  }

  @Override
  public synchronized Runnable schedule(Runnable task, Duration delay) {
    Task t = new Task(task, delay);
    tasks.add(t);
    return () -> {
      synchronized (ManualTimers.this) {
        t.cancelled = true;
      }
    };
  }

  /** Runs every task scheduled so far that is not cancelled (tasks they schedule wait). */
  void fireAll() {
    List<Task> due;
    synchronized (this) {
      due = new ArrayList<>(tasks);
      tasks.clear();
    }
    for (Task t : due) {
      boolean run;
      synchronized (this) {
        run = !t.cancelled;
      }
      if (run) {
        t.run.run();
      }
    }
  }

  /** Returns the delays of the pending, not cancelled tasks. */
  synchronized List<Duration> pending() {
    return tasks.stream().filter(t -> !t.cancelled).map(t -> t.delay).toList();
  }
}
