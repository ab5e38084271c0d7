package org.sipadapter.kafka;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.sipadapter.CallDirection;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Disposition;
import org.sipadapter.HangupCause;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.DtmfReceived;

/** Events and records of made-up calls on an adapter named {@code pbx1}. */
final class Events {

  static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private Events() {}

  static String callId(int n) {
    return "if://call/00000000-0000-0000-0000-" + String.format("%012d", n);
  }

  static CallStateChanged state(int call, CallState previous, CallState state) {
    return new CallStateChanged(
        "pbx1",
        "asterisk",
        T0.plusSeconds(state.ordinal()),
        callId(call),
        previous,
        state,
        state.isTerminal() ? HangupCause.NORMAL_CLEARING : null,
        Map.of("uniqueid", "1700000000." + call));
  }

  static DtmfReceived dtmf(int call, String digit) {
    return new DtmfReceived("pbx1", "asterisk", T0, callId(call), digit, Map.of());
  }

  static CallRecord record(int call) {
    return new CallRecord(
        callId(call),
        "pbx1",
        "asterisk",
        CallDirection.OUTBOUND,
        "100",
        "200",
        T0,
        T0.plusSeconds(3),
        T0.plusSeconds(60),
        CallState.DISCONNECTED,
        HangupCause.NORMAL_CLEARING,
        Disposition.ANSWERED,
        Map.of("uniqueid", "1700000000." + call));
  }

  static Optional<CallRecord> recordOf(String callId) {
    return Optional.of(record(Integer.parseInt(callId.substring(callId.lastIndexOf('-') + 1), 10)));
  }
}
