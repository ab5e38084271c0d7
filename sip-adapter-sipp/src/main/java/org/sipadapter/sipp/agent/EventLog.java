package org.sipadapter.sipp.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A bounded, numbered log of agent events that clients read by long polling.
 *
 * <p>Thread-safe. The oldest events are dropped when the log is full; a reader asking for events
 * older than what is kept learns it through {@link Page#lost()} and should re-read run states.
 */
public final class EventLog {

  private final int capacity;
  private final Deque<AgentEvent> events = new ArrayDeque<>();
  private long nextSeq = 1;

  /**
   * Creates a log.
   *
   * @param capacity how many events are kept
   */
  public EventLog(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Appends an event, numbering it.
   *
   * @param runId the run
   * @param marker the run's client marker, or null
   * @param type the event type
   * @param call the call's new state, for {@code call} events
   * @param exitCode SIPp's exit code, for {@code run-ended}
   * @param verdict the verdict, for {@code run-ended}
   * @return the stored event
   */
  public synchronized AgentEvent publish(
      String runId,
      String marker,
      String type,
      CallProgress call,
      Integer exitCode,
      Verdict verdict) {
    AgentEvent event =
        new AgentEvent(
            nextSeq++, System.currentTimeMillis(), runId, marker, type, call, exitCode, verdict);
    events.addLast(event);
    if (events.size() > capacity) {
      events.removeFirst();
    }
    notifyAll();
    return event;
  }

  /**
   * Returns events after {@code after}, waiting up to {@code waitMillis} for the first one.
   *
   * @param after the last sequence number the reader has (0 for all)
   * @param max most events to return
   * @param waitMillis how long to wait when none is there yet
   * @return the page; never null
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public synchronized Page since(long after, int max, long waitMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + waitMillis;
    while (nextSeq - 1 <= after) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    List<AgentEvent> page = new ArrayList<>();
    long oldest = events.isEmpty() ? nextSeq : events.peekFirst().seq();
    boolean lost = after + 1 < oldest && after < nextSeq - 1;
    for (AgentEvent e : events) {
      if (e.seq() > after) {
        page.add(e);
        if (page.size() >= max) {
          break;
        }
      }
    }
    long last = page.isEmpty() ? Math.max(after, 0) : page.get(page.size() - 1).seq();
    if (after > nextSeq - 1) {
      last = nextSeq - 1; // a reader from before an agent restart starts over
    }
    return new Page(page, last, lost);
  }

  /** The sequence number of the newest event (0 when none). */
  public synchronized long lastSeq() {
    return nextSeq - 1;
  }

  /**
   * A page of events.
   *
   * @param events the events, oldest first
   * @param last the sequence number to pass as {@code after} next time
   * @param lost whether events between the reader's position and the first one were dropped
   */
  public record Page(List<AgentEvent> events, long last, boolean lost) {}
}
