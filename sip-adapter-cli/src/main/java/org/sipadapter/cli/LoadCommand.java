package org.sipadapter.cli;

import java.time.Duration;
import java.util.Locale;
import org.sipadapter.SipAdapter;
import org.sipadapter.sipp.LoadSpec;
import org.sipadapter.sipp.LoadStats;
import org.sipadapter.sipp.SippAdapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sipadapter load}: a SIPp load run through a {@code sipp} adapter. */
@Command(
    mixinStandardHelpOptions = true,
    name = "load",
    sortOptions = false,
    description = {
      "Run a SIPp load through a 'sipp' adapter (its agent starts real sipp processes), with a"
          + " live progress line of calls/s, active, succeeded and failed calls.",
      "Ends when the run has placed --calls calls, after --duration, or on Ctrl-C (the run is"
          + " stopped). Exit code 0 only if SIPp's verdict is PASSED and no call failed."
    })
final class LoadCommand extends ServerCommand {
  private static final Duration TICK = Duration.ofSeconds(1);

  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      description = "SIP destination (default: options.target of the adapter).")
  String target;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "10",
      description = "New calls per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "0",
      description = "Most simultaneous calls, 0 for SIPp's default.")
  int limit;

  @Option(
      names = "--calls",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after this many calls, 0 for no limit (then use --duration or Ctrl-C).")
  int calls;

  @Option(
      names = "--call-duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long each call stays up (default: hang up at once).")
  Duration callDuration;

  @Option(names = "--to", paramLabel = "USER", description = "Called user (default: service).")
  String to;

  @Option(names = "--scenario", paramLabel = "NAME", description = "Agent scenario (default: uac).")
  String scenario;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop the run after this long.")
  Duration duration;

  @Override
  int run(Adapters adapters, Console console) throws Exception {
    SipAdapter adapter = single(adapters, "load");
    if (!(adapter instanceof SippAdapter sipp)) {
      throw new IllegalArgumentException(
          "'load' needs an adapter of type sipp; '" + adapter.name() + "' is " + adapter.type());
    }
    String dest = target != null ? target : adapter.config().option("target").orElse(null);
    if (dest == null) {
      throw new IllegalArgumentException(
          "no target: give --target HOST:PORT or set options.target in the config");
    }
    LoadSpec spec = LoadSpec.toward(dest).withRate(rate);
    if (limit > 0) {
      spec = spec.withLimit(limit);
    }
    if (calls > 0) {
      spec = spec.withCount(calls);
    }
    if (callDuration != null) {
      spec = spec.withCallDuration(callDuration);
    }
    if (to != null) {
      spec = spec.withTo(to);
    }
    if (scenario != null) {
      spec = spec.withScenario(scenario);
    }
    sipp.connect();
    String runId = sipp.startLoad(spec);
    console.err("load run " + runId + " toward " + dest + " at " + rate + " calls/s");
    long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    LoadStats stats;
    try (StopSignal stop = new StopSignal()) {
      while (true) {
        stats = sipp.loadStats(runId);
        console.progress(progressLine(stats));
        if ("ENDED".equals(stats.state())) {
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || stop.await(Duration.ofNanos(Math.min(left, TICK.toNanos())))) {
          console.endProgress();
          console.err("stopping run " + runId);
          stats = sipp.stopLoad(runId);
          break;
        }
      }
      console.endProgress();
    }
    console.out(
        String.format(
            Locale.ROOT,
            "run %s %s: verdict %s, exit %s, created %d, succeeded %d, failed %d, %.1f calls/s%s",
            stats.runId(),
            stats.state(),
            stats.verdict(),
            stats.exitCode(),
            stats.totalCallCreated(),
            stats.successfulCalls(),
            stats.failedCalls(),
            stats.callRate(),
            stats.failureCauses().isEmpty() ? "" : ", causes " + stats.failureCauses()));
    return "PASSED".equals(stats.verdict()) && stats.failedCalls() == 0
        ? ExitCodes.OK
        : ExitCodes.NOT_OK;
  }

  private static String progressLine(LoadStats s) {
    return String.format(
        Locale.ROOT,
        "%-8s %6.1f calls/s  active %4d  succeeded %6d  failed %5d  created %6d",
        s.state(),
        s.callRate(),
        s.currentCalls(),
        s.successfulCalls(),
        s.failedCalls(),
        s.totalCallCreated());
  }
}
