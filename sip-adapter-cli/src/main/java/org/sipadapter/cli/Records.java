package org.sipadapter.cli;

import java.time.Duration;
import java.util.Optional;
import org.sipadapter.CallRecord;
import org.sipadapter.SipAdapter;

/** Finds the record of a finished call. Stateless and thread-safe. */
public final class Records {
  private static final Duration POLL = Duration.ofMillis(20);

  private Records() {}

  /**
   * Returns a call's record, waiting briefly: the terminal event can reach a listener a moment
   * before the adapter has filed the record in its history.
   *
   * @param adapter the adapter that handled the call
   * @param callId the call
   * @param max how long to wait at most
   * @return the record, or empty if it did not appear in time
   */
  public static Optional<CallRecord> await(SipAdapter adapter, String callId, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      for (CallRecord r : adapter.callHistory()) {
        if (r.callId().equals(callId)) {
          return Optional.of(r);
        }
      }
      if (System.nanoTime() >= deadline) {
        return Optional.empty();
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
