package org.sipadapter.cli;

import java.time.Duration;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.ServerEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sipadapter watch}: streams the unified events of every server. */
@Command(
    mixinStandardHelpOptions = true,
    name = "watch",
    sortOptions = false,
    description = {
      "Stream the unified events of the servers (calls, DTMF, link state, errors) until Ctrl-C.",
      "Adapters reconnect by themselves; the link events show it."
    })
final class WatchCommand extends ServerCommand {
  @Option(names = "--json", description = "Print one JSON object per event.")
  boolean json;

  @Option(
      names = "--raw",
      description = "Also print raw server events that the unified model does not cover.")
  boolean raw;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop after this long (default: until Ctrl-C).")
  Duration duration;

  @Override
  int run(Adapters adapters, Console console) throws Exception {
    SipAdapterListener printer =
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent e) {
            if (e instanceof ServerEvent && !raw) {
              return;
            }
            console.out(json ? EventText.json(e) : EventText.text(e));
          }
        };
    for (SipAdapter a : adapters.list()) {
      a.addListener(printer);
    }
    try (StopSignal stop = new StopSignal()) {
      adapters.connectAll();
      console.err(
          "watching "
              + String.join(", ", adapters.names())
              + (duration == null ? " (Ctrl-C to stop)" : " for " + duration.toMillis() + " ms"));
      stop.await(duration);
    }
    // Closing ends the tracked calls locally ("adapter closed"); those are not server events.
    for (SipAdapter a : adapters.list()) {
      a.removeListener(printer);
    }
    return ExitCodes.OK;
  }
}
