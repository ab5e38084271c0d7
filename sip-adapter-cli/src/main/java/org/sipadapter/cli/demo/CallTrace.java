package org.sipadapter.cli.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.sipadapter.CallState;
import org.sipadapter.event.CallStateChanged;

/** The states one demo call went through, with waits for the next one. Thread-safe. */
final class CallTrace {
  private final List<CallState> states = new ArrayList<>();
  private CallStateChanged last;

  synchronized void add(CallStateChanged e) {
    states.add(e.state());
    last = e;
    notifyAll();
  }

  /**
   * Waits until the call reaches a state matching the test, or a terminal state.
   *
   * @return the state reached, or null on timeout
   */
  synchronized CallState await(Predicate<CallState> wanted, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      if (last != null && (wanted.test(last.state()) || last.state().isTerminal())) {
        return last.state();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      wait(left / 1_000_000, (int) (left % 1_000_000));
    }
  }

  synchronized List<CallState> states() {
    return List.copyOf(states);
  }

  synchronized CallStateChanged last() {
    return last;
  }
}
