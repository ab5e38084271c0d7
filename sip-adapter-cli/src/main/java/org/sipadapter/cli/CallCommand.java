package org.sipadapter.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.sipadapter.CallOptions;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.ListenerRegistration;
import org.sipadapter.SipAdapter;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.transport.Schedulers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sipadapter call FROM TO}: places a call, and optionally follows it to its end. */
@Command(
    mixinStandardHelpOptions = true,
    name = "call",
    sortOptions = false,
    description = {
      "Place a call from FROM to TO and print its state changes.",
      "Without --wait or --hangup-after it returns once the server accepted the call and leaves"
          + " the call running on the server."
    })
final class CallCommand extends ServerCommand {
  @Parameters(index = "0", paramLabel = "FROM", description = "The caller (number or URI).")
  String from;

  @Parameters(index = "1", paramLabel = "TO", description = "The destination (number or URI).")
  String to;

  @Option(
      names = "--hangup-after",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Hang up this long after the call is answered (implies --wait).")
  Duration hangupAfter;

  @Option(names = "--wait", description = "Follow the call until it ends; Ctrl-C hangs it up.")
  boolean wait;

  @Option(
      names = "--ring-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Give up if not answered in this time (default: timeouts.ring of the config).")
  Duration ringTimeout;

  @Option(names = "--json", description = "Print events as JSON lines.")
  boolean json;

  @Override
  int run(Adapters adapters, Console console) throws Exception {
    SipAdapter adapter = single(adapters, "call");
    adapter.connect();
    boolean follow = wait || hangupAfter != null;
    AtomicReference<CallStateChanged> terminal = new AtomicReference<>();
    AtomicReference<ScheduledFuture<?>> hangupTimer = new AtomicReference<>();
    Object lock = new Object();
    List<CallStateChanged> early = new ArrayList<>();
    AtomicReference<String> ours = new AtomicReference<>();
    try (StopSignal stop = new StopSignal()) {
      ListenerRegistration reg =
          adapter.on(
              CallStateChanged.class,
              e -> {
                synchronized (lock) {
                  if (ours.get() == null) {
                    early.add(e);
                    return;
                  }
                }
                onEvent(adapter, e, ours.get(), console, terminal, hangupTimer, stop);
              });
      CallOptions.Builder options = CallOptions.builder();
      if (ringTimeout != null) {
        options.timeout(ringTimeout);
      }
      String callId = adapter.makeCall(from, to, options.build());
      console.err("placed " + callId + " on " + adapter.name() + " (" + adapter.type() + ")");
      // Flush what came before makeCall returned inside the lock, so later events print after it.
      synchronized (lock) {
        ours.set(callId);
        for (CallStateChanged e : early) {
          onEvent(adapter, e, callId, console, terminal, hangupTimer, stop);
        }
      }
      if (!follow) {
        reg.close();
        console.out(callId);
        return ExitCodes.OK;
      }
      stop.await(null);
      if (terminal.get() == null && stop.interrupted()) {
        console.err("Ctrl-C: hanging up " + callId);
        adapter.hangup(callId);
        return ExitCodes.INTERRUPTED;
      }
      ScheduledFuture<?> t = hangupTimer.get();
      if (t != null) {
        t.cancel(false);
      }
      reg.close();
      return summarize(adapter, callId, terminal.get(), console);
    }
  }

  private void onEvent(
      SipAdapter adapter,
      CallStateChanged e,
      String callId,
      Console console,
      AtomicReference<CallStateChanged> terminal,
      AtomicReference<ScheduledFuture<?>> hangupTimer,
      StopSignal stop) {
    if (!e.callId().equals(callId)) {
      return;
    }
    if (wait || hangupAfter != null) {
      console.out(json ? EventText.json(e) : EventText.text(e));
    }
    if (e.state() == CallState.CONNECTED && hangupAfter != null && hangupTimer.get() == null) {
      hangupTimer.set(
          Schedulers.timer()
              .schedule(
                  () ->
                      Schedulers.blocking()
                          .execute(
                              () -> {
                                try {
                                  adapter.hangup(callId);
                                } catch (RuntimeException ex) {
                                  console.err("hangup failed: " + ex.getMessage());
                                }
                              }),
                  hangupAfter.toNanos(),
                  TimeUnit.NANOSECONDS));
    }
    if (e.isTerminal()) {
      terminal.set(e);
      stop.trip();
    }
  }

  private static int summarize(
      SipAdapter adapter, String callId, CallStateChanged end, Console console)
      throws InterruptedException {
    CallRecord record = Records.await(adapter, callId, Duration.ofSeconds(1)).orElse(null);
    if (record == null) {
      return ExitCodes.NOT_OK;
    }
    console.err(
        "ended "
            + record.finalState()
            + " "
            + EventText.cause(record.cause())
            + ", disposition "
            + record.disposition()
            + ", setup "
            + record.setupTime().toMillis()
            + " ms, talk "
            + record.billableDuration().toMillis()
            + " ms");
    if (record.cause().withoutHangupEvent()) {
      console.err(
          "the server never reported the end of the call; it may still be up there"
              + " ('sipadapter calls' shows it)");
      return ExitCodes.NOT_OK;
    }
    return record.answeredAt() != null && record.finalState() == CallState.DISCONNECTED
        ? ExitCodes.OK
        : ExitCodes.NOT_OK;
  }
}
