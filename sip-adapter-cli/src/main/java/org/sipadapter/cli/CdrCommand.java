package org.sipadapter.cli;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.sipadapter.CallRecord;
import org.sipadapter.SipAdapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sipadapter cdr}: writes a call record for every call that ends while it runs. */
@Command(
    mixinStandardHelpOptions = true,
    name = "cdr",
    sortOptions = false,
    description = {
      "Write the unified call record (CDR) of every call that ends on the servers while this runs,"
          + " one line per call as it ends, until Ctrl-C.",
      "Columns and fields are the same for every server type (see docs/cli.md)."
    })
final class CdrCommand extends ServerCommand {
  private static final Duration POLL = Duration.ofMillis(200);

  /** Output formats. */
  enum Format {
    csv,
    json
  }

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "csv",
      description =
          "csv (with a header line) or json (one object per line). Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop after this long (default: until Ctrl-C).")
  Duration duration;

  @Option(names = "--calls", paramLabel = "N", description = "Stop after N records.")
  Integer maxCalls;

  @Override
  int run(Adapters adapters, Console console) throws Exception {
    adapters.connectAll();
    if (format == Format.csv) {
      console.out(CallRecord.CSV_HEADER);
    }
    console.err(
        "recording calls that end on "
            + String.join(", ", adapters.names())
            + (duration == null ? " (Ctrl-C to stop)" : " for " + duration.toMillis() + " ms"));
    Set<String> written = new HashSet<>();
    long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    try (StopSignal stop = new StopSignal()) {
      while (true) {
        drain(adapters, written, console);
        if (maxCalls != null && written.size() >= maxCalls) {
          return ExitCodes.OK;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return ExitCodes.OK;
        }
        if (stop.await(Duration.ofNanos(Math.min(left, POLL.toNanos())))) {
          drain(adapters, written, console);
          return ExitCodes.OK;
        }
      }
    }
  }

  /** Writes the records not written yet (the adapters keep the recent ones in their history). */
  private void drain(Adapters adapters, Set<String> written, Console console) {
    for (SipAdapter a : adapters.list()) {
      for (CallRecord r : a.callHistory()) {
        if ((maxCalls == null || written.size() < maxCalls) && written.add(r.callId())) {
          console.out(format == Format.csv ? r.toCsvRow() : r.toJson());
        }
      }
    }
  }
}
