package org.sipadapter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.sipadapter.CallState;
import org.sipadapter.Feature;
import org.sipadapter.cli.demo.DemoResult;
import org.sipadapter.cli.demo.DemoRunner;
import org.sipadapter.cli.demo.DemoServer;
import org.sipadapter.cli.demo.DemoTarget;
import org.sipadapter.cli.demo.DemoYaml;
import org.sipadapter.config.AdapterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code sipadapter demo}: the embedded default, no configuration needed. */
@Command(
    mixinStandardHelpOptions = true,
    name = "demo",
    sortOptions = false,
    description = {
      "Run the same scripted call through every adapter, with no configuration: starts the"
          + " testkit's protocol emulators in this process and the real Kamailio and SIPp when they"
          + " are installed, prints a live timeline of the unified events and a summary table.",
      "Script: connect, call, answer, hold/resume and DTMF where supported, hang up; plus a call"
          + " to a busy destination where the server has one.",
      "Exit code 0 only if every call reached its expected end state and the server reported"
          + " that end (a call the SDK had to end itself, because the server never reported the"
          + " end of a hangup, fails the run)."
    })
final class DemoCommand implements Callable<Integer> {
  @ParentCommand SipAdapterCli root;

  @Option(
      names = "--only",
      paramLabel = "TYPE",
      split = ",",
      description = "Run only these adapter types (for example --only asterisk,kamailio).")
  List<String> only = new ArrayList<>();

  @Option(
      names = "--serve",
      paramLabel = "FILE",
      description =
          "Instead of the scripted calls: start the demo servers, write an adapters YAML file for"
              + " them to FILE and keep them running until Ctrl-C, to try the other commands"
              + " (sipadapter health -c FILE).")
  Path serve;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "With --serve: stop the servers after this long (default: until Ctrl-C).")
  Duration serveFor;

  @Override
  public Integer call() throws Exception {
    Console console = root.console();
    List<DemoTarget> all = DemoRunner.discover();
    List<DemoTarget> targets = select(all);
    if (serve != null) {
      return serve(targets, console);
    }
    console.out("sipadapter demo: one scripted call through each adapter; no configuration used");
    console.out("");
    long start = System.nanoTime();
    DemoRunner runner = new DemoRunner(console::out, line -> console.out("        " + line));
    List<DemoResult> results = runner.run(targets);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    console.out("");
    printSummary(results, console);
    for (DemoRunner.Skipped s : runner.skipped()) {
      console.out("skipped " + s.adapterType() + ": " + s.reason());
    }
    long ok = results.stream().filter(DemoResult::ok).count();
    console.out("");
    for (DemoResult r : results) {
      if (!r.ok()) {
        console.out(
            "FAILED  "
                + r.adapterType()
                + (r.call() == null ? "" : " / " + r.call().label())
                + ": "
                + r.problem());
      }
    }
    console.out(
        ok
            + " of "
            + results.size()
            + " calls ended as expected, on "
            + results.stream().map(DemoResult::adapterType).distinct().count()
            + " adapters, in "
            + String.format("%.1f", took.toMillis() / 1000.0)
            + " s");
    if (results.isEmpty()) {
      console.err("error: no demo target could run here; the skip reasons above say why");
      return ExitCodes.NOT_OK;
    }
    return ok == results.size() ? ExitCodes.OK : ExitCodes.NOT_OK;
  }

  private int serve(List<DemoTarget> targets, Console console) throws Exception {
    Map<String, DemoServer> servers = new LinkedHashMap<>();
    try (StopSignal stop = new StopSignal()) {
      try {
        List<AdapterConfig> configs = new ArrayList<>();
        for (DemoTarget t : targets) {
          Optional<String> why = t.unavailableReason();
          if (why.isPresent()) {
            console.err("skipped " + t.adapterType() + ": " + why.get());
            continue;
          }
          DemoServer s = t.start();
          servers.put(t.adapterType(), s);
          if (!s.reachableFromConfig()) {
            console.err(
                "skipped "
                    + t.adapterType()
                    + ": "
                    + s.description()
                    + " exists only inside the demo's adapter; other commands cannot reach it");
            continue;
          }
          configs.add(s.config());
          console.err(
              "serving "
                  + t.adapterType()
                  + ": "
                  + s.description()
                  + (s.details().isEmpty() ? "" : " (" + s.details() + ")"));
        }
        if (configs.isEmpty()) {
          console.err("error: no demo server could start here");
          return ExitCodes.NOT_OK;
        }
        root.console().redactor().learn(configs);
        Files.writeString(serve, DemoYaml.write(configs));
        console.err("wrote " + serve + " (" + configs.size() + " adapters)");
        console.err(
            "try: sipadapter health -c "
                + serve
                + "   |   sipadapter watch -c "
                + serve
                + (serveFor == null ? "   (Ctrl-C stops the servers)" : ""));
        stop.await(serveFor);
        return ExitCodes.OK;
      } finally {
        // Before the StopSignal closes: on Ctrl-C its shutdown hook holds the JVM until then, so
        // real server processes (Kamailio, SIPp) are stopped instead of left running.
        for (Map.Entry<String, DemoServer> s : servers.entrySet()) {
          s.getValue().close();
          console.err("stopped " + s.getKey());
        }
      }
    }
  }

  private List<DemoTarget> select(List<DemoTarget> all) {
    if (only.isEmpty()) {
      return all;
    }
    Set<String> known = new LinkedHashSet<>();
    all.forEach(t -> known.add(t.adapterType()));
    List<String> unknown = new ArrayList<>(only);
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "--only: no demo for "
              + String.join(", ", unknown)
              + " (known: "
              + String.join(", ", known)
              + ")");
    }
    return all.stream().filter(t -> only.contains(t.adapterType())).toList();
  }

  private static void printSummary(List<DemoResult> results, Console console) {
    Table t =
        new Table(
            "ADAPTER",
            "SERVER",
            "CALL",
            "STATES SEEN",
            "SETUP",
            "HANGUP CAUSE",
            "FEATURES",
            "RESULT");
    String lastType = null;
    for (DemoResult r : results) {
      boolean first = !r.adapterType().equals(lastType);
      lastType = r.adapterType();
      t.row(
          first ? r.adapterType() : "",
          first ? r.server() : "",
          r.call() == null ? "-" : r.call().label(),
          r.states().isEmpty()
              ? "-"
              : String.join(">", r.states().stream().map(CallState::name).toList()),
          r.setup() == null ? "-" : r.setup().toMillis() + " ms",
          r.cause() == null ? "-" : r.cause().name() + " (" + r.cause().q850() + ")",
          first ? r.features().size() + " of " + Feature.values().length : "",
          r.ok() ? "ok" : "FAILED");
    }
    t.print(console);
    printFeatures(results, console);
  }

  /** One row per feature, one column per adapter: the list would not fit in the summary. */
  private static void printFeatures(List<DemoResult> results, Console console) {
    Map<String, List<String>> byType = new LinkedHashMap<>();
    results.forEach(r -> byType.putIfAbsent(r.adapterType(), r.features()));
    if (byType.isEmpty()) {
      return;
    }
    List<String> header = new ArrayList<>();
    header.add("FEATURE");
    header.addAll(byType.keySet());
    Table t = new Table(header.toArray(String[]::new));
    for (Feature f : Feature.values()) {
      List<String> row = new ArrayList<>();
      row.add(f.displayName());
      byType.values().forEach(names -> row.add(names.contains(f.displayName()) ? "yes" : "-"));
      t.row(row.toArray(String[]::new));
    }
    console.out("");
    t.print(console);
  }
}
