package org.sipadapter.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.sipadapter.CallState;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * What every call of these tests must show, whichever adapter it belongs to: states awaited
 * generously (the machine may be loaded), exactly one terminal event, and nothing carrying the
 * call's id after it.
 */
final class CallChecks {
  /** How long any one step may take on a loaded 2-core machine. */
  static final Duration WAIT = Duration.ofSeconds(60);

  /** How long nothing may follow a terminal event. */
  static final Duration QUIET = Duration.ofSeconds(2);

  private CallChecks() {}

  /** Waits until the call has reached {@code state}. */
  static void awaitState(EventRecorder events, String callId, CallState state) {
    await()
        .atMost(WAIT)
        .until(
            () -> events.states(callId).contains(state),
            ok -> ok || !events.terminalEvents(callId).isEmpty());
    assertThat(events.states(callId)).as("states of %s", callId).contains(state);
  }

  /** Waits for the call's terminal event and returns it. */
  static CallStateChanged awaitEnd(EventRecorder events, String callId) {
    await().atMost(WAIT).until(() -> events.ended(callId));
    return events.terminalEvents(callId).get(0);
  }

  /** Waits for the first incoming call that matches. */
  static IncomingCall awaitIncoming(
      EventRecorder events, java.util.function.Predicate<IncomingCall> match) {
    return await()
        .atMost(WAIT)
        .until(() -> events.incomingCalls().stream().filter(match).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  /**
   * The call ended with exactly one terminal event, and for {@link #QUIET} after it no event of the
   * adapter carries its id.
   */
  static void assertEndedOnceAndQuiet(EventRecorder events, String callId) {
    awaitEnd(events, callId);
    await()
        .during(QUIET)
        .atMost(QUIET.plus(WAIT))
        .until(() -> events.terminalEvents(callId).size() == 1 && after(events, callId).isEmpty());
  }

  private static List<AdapterEvent> after(EventRecorder events, String callId) {
    List<AdapterEvent> all = events.all();
    int end = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) instanceof CallStateChanged c
          && c.callId().equals(callId)
          && c.state().isTerminal()) {
        end = i;
        break;
      }
    }
    return all.subList(end + 1, all.size()).stream()
        .filter(e -> e.relatedCallId().filter(callId::equals).isPresent())
        .toList();
  }

  /** Whether {@code sipp} can be run, for a test's skip message. */
  static Optional<String> sippMissing() {
    return Files.isExecutable(Path.of("/usr/bin/sipp"))
        ? Optional.empty()
        : Optional.of("SIPp is not installed (/usr/bin/sipp, Debian package sip-tester)");
  }
}
