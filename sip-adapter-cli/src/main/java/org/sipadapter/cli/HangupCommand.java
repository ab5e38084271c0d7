package org.sipadapter.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.sipadapter.CallNotFoundException;
import org.sipadapter.CallStatus;
import org.sipadapter.ListenerRegistration;
import org.sipadapter.SipAdapter;
import org.sipadapter.event.CallStateChanged;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sipadapter hangup CALL_ID}: ends a call on the server. */
@Command(
    mixinStandardHelpOptions = true,
    name = "hangup",
    sortOptions = false,
    description = {
      "Hang up an active call and wait for the server to report its end (exit code 1 if it"
          + " does not).",
      "CALL_ID is the call id ('if://call/...') or one of the server's own ids for the call"
          + " (channel, Unique-ID, dialog id), as 'sipadapter calls' shows them."
    })
final class HangupCommand extends ServerCommand {
  @Parameters(index = "0", paramLabel = "CALL_ID", description = "The call to end.")
  String callId;

  @Mixin SettleOption settle;

  @Override
  int run(Adapters adapters, Console console) throws Exception {
    settle.connectAndSettle(adapters);
    List<Match> matches = new ArrayList<>();
    for (SipAdapter a : adapters.list()) {
      for (CallStatus s : a.activeCalls()) {
        if (s.callId().equals(callId) || s.serverIds().containsValue(callId)) {
          matches.add(new Match(a, s));
        }
      }
    }
    if (matches.isEmpty()) {
      throw new CallNotFoundException(
          "no active call '"
              + callId
              + "' on "
              + String.join(", ", adapters.names())
              + "; 'sipadapter calls -c FILE' lists the active calls with their server ids");
    }
    if (matches.size() > 1) {
      throw new CallNotFoundException(
          "'" + callId + "' matches " + matches.size() + " calls; give the if://call/... id");
    }
    Match m = matches.get(0);
    CountDownLatch ended = new CountDownLatch(1);
    AtomicReference<CallStateChanged> end = new AtomicReference<>();
    String id = m.status().callId();
    try (ListenerRegistration reg =
        m.adapter()
            .on(
                CallStateChanged.class,
                e -> {
                  if (e.callId().equals(id) && e.isTerminal()) {
                    end.set(e);
                    ended.countDown();
                  }
                })) {
      m.adapter().hangup(id);
      Duration limit = m.adapter().config().timeouts().request().plusSeconds(1);
      if (!ended.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        console.out(
            "hangup of "
                + id
                + " sent to "
                + m.adapter().name()
                + "; the server did not report"
                + " the end yet");
        return ExitCodes.NOT_OK;
      }
    }
    CallStateChanged e = end.get();
    console.out(
        "hung up "
            + id
            + " on "
            + m.adapter().name()
            + ": "
            + e.state()
            + " "
            + EventText.cause(e.cause()));
    if (e.cause() != null && e.cause().withoutHangupEvent()) {
      console.err(
          "the server took the hangup but never reported the end; the call may still be up there");
      return ExitCodes.NOT_OK;
    }
    return ExitCodes.OK;
  }

  private record Match(SipAdapter adapter, CallStatus status) {}
}
