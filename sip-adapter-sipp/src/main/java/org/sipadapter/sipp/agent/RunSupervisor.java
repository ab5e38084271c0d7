package org.sipadapter.sipp.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, watches and stops sipp processes for the agent.
 *
 * <p>Processes are started from an argument vector, never through a shell, in the foreground with
 * {@code -nostdin} so their exit code is SIPp's own. One trace thread reads the message traces of
 * running runs every 100 ms and publishes call state changes to the {@link EventLog}; when a
 * process ends, the same thread reads its final stats and publishes {@code run-ended}. Thread-safe.
 */
public final class RunSupervisor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RunSupervisor.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  // SIPp's exit code when a bind failed with EADDRINUSE
  private static final int EXIT_BIND_ERROR = 254;

  private final AgentConfig config;
  private final ScenarioStore scenarios;
  private final EventLog events;
  private final Path runsDir;
  private final InetAddress sipAddress;
  private static final int MAX_HUNG_UP_MARKERS = 10_000;

  private final Map<String, SippRun> runs = new LinkedHashMap<>();
  // Markers whose calls a client hung up: a run carrying one is refused or stopped at once, so a
  // hangup holds whichever of the start and the hangup the agent reads first. Oldest dropped.
  private final Set<String> hungUpMarkers = new LinkedHashSet<>();
  private int starting;
  private final AtomicLong expiredRequests = new AtomicLong();
  private final java.util.concurrent.ExecutorService stoppers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sipp-agent-stop");
            t.setDaemon(true);
            return t;
          });
  private final ScheduledExecutorService traceThread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sipp-agent-trace");
            t.setDaemon(true);
            return t;
          });

  RunSupervisor(
      AgentConfig config,
      ScenarioStore scenarios,
      EventLog events,
      Path runsDir,
      InetAddress sipAddress) {
    this.config = config;
    this.scenarios = scenarios;
    this.events = events;
    this.runsDir = runsDir;
    this.sipAddress = sipAddress;
    traceThread.scheduleWithFixedDelay(this::readTraces, 100, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts a run.
   *
   * @param spec the request
   * @return the started run (possibly already ended, for a short UAC run)
   * @throws ApiException 400 bad spec, 404 unknown scenario, 429 too many runs, 422 SIPp refused to
   *     start
   */
  public SippRun start(RunSpec spec) {
    if (spec == null || spec.scenario() == null) {
      throw new ApiException(400, "scenario is required");
    }
    if (!ScenarioStore.NAME.matcher(spec.scenario()).matches()) {
      throw new ApiException(400, "scenario name must match [A-Za-z0-9_-]{1,64}");
    }
    Scenario scenario =
        scenarios
            .find(spec.scenario())
            .orElseThrow(
                () ->
                    new ApiException(
                        404, "unknown scenario '" + spec.scenario() + "'; see GET /scenarios"));
    spec.validate(scenario.role());
    refuseIfExpired(spec);
    synchronized (this) {
      if (spec.marker() != null && hungUpMarkers.contains(spec.marker())) {
        throw new ApiException(
            409, "the call with marker " + spec.marker() + " was hung up; nothing was started");
      }
      long running = runs.values().stream().filter(r -> r.state != RunState.ENDED).count();
      if (running + starting >= config.maxRuns()) {
        throw new ApiException(
            429, "at most " + config.maxRuns() + " runs at once; stop one first");
      }
      starting++; // reserved until the run is registered or has failed to start
    }
    try {
      return startReserved(spec, scenario);
    } finally {
      synchronized (this) {
        starting--;
      }
    }
  }

  /**
   * Refuses a request read after the client's deadline: the client has stopped waiting for the
   * reply (the agent was frozen, or the request queued), so a run started now would be a call
   * nobody controls.
   */
  private void refuseIfExpired(RunSpec spec) {
    Long deadline = spec.deadlineMillis();
    long now = System.currentTimeMillis();
    if (deadline != null && now > deadline) {
      expiredRequests.incrementAndGet();
      throw new ApiException(
          408,
          "request read "
              + (now - deadline)
              + " ms after its deadline; the client stopped waiting, nothing was started");
    }
  }

  private SippRun startReserved(RunSpec spec, Scenario scenario) {
    String id = "r-" + HexFormat.of().formatHex(randomBytes());
    Path dir = runsDir.resolve(id);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean traced = spec.effectiveTrace(scenario.role());
    int attempts = spec.localPort() == null ? 3 : 1;
    ApiException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        try {
          refuseIfExpired(spec);
        } catch (ApiException e) {
          deleteTree(dir);
          throw e;
        }
        // the failed attempt's stat row and logs must not be read as this attempt's
        for (String file : new String[] {"stat.csv", "errors.log", "messages.log", "stderr.log"}) {
          try {
            Files.deleteIfExists(dir.resolve(file));
          } catch (IOException e) {
            LOG.debug("cannot delete {} of run {}: {}", file, id, e.toString());
          }
        }
      }
      int port =
          spec.localPort() != null ? spec.localPort() : LocalPorts.freeUdpPort(sipAddress, -1);
      int controlPort = LocalPorts.freeUdpPort(InetAddress.getLoopbackAddress(), port);
      // SIPp's default media ports start at 6000 in every process and run out after a few dozen
      // processes; the agent hands out its own.
      int mediaPort = LocalPorts.mediaPortPair(sipAddress);
      List<String> argv = argv(spec, scenario, dir, port, controlPort, traced);
      argv.addAll(1, List.of("-mp", Integer.toString(mediaPort)));
      Process process;
      try {
        process =
            new ProcessBuilder(argv)
                .directory(dir.toFile())
                // stdout is SIPp's screen, redrawn every second: it would grow without end and
                // says nothing the stat CSV does not; its complaints go to stderr
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("stderr.log").toFile())
                .start();
      } catch (IOException e) {
        LocalPorts.release(port, controlPort);
        throw new ApiException(500, "cannot start " + config.sippBinary() + ": " + e.getMessage());
      }
      SippRun run =
          new SippRun(id, spec, scenario, dir, process, port, controlPort, sipAddress, traced);
      Optional<Integer> earlyExit;
      try {
        earlyExit = awaitStarted(run, mediaPort + 2);
      } catch (ApiException notStarted) {
        LocalPorts.release(port, controlPort);
        deleteTree(dir);
        throw notStarted;
      }
      if (earlyExit.isPresent()) {
        LocalPorts.release(port, controlPort);
      } else {
        run.process.onExit().thenRun(() -> LocalPorts.release(run.localPort, run.controlPort));
      }
      // Exited before its ports were all up with 254 (a port was taken: SIPp binds nothing after
      // its setup, so no call was placed), or with another error before writing its first stat
      // row: SIPp refused the options or the scenario (bad XML exits 1, fatal errors 255). A 254
      // exit does write a stat row (the final one); counting that as a run reported a start that
      // had failed, and the call ended FAILED instead of being retried on other ports.
      boolean neverRan =
          earlyExit.isPresent()
              && earlyExit.get() != 0
              && (earlyExit.get() == EXIT_BIND_ERROR || run.readStats().rows() == 0);
      if (neverRan) {
        last =
            new ApiException(
                422, "sipp exited with code " + earlyExit.get() + " at start: " + startError(run));
        if (earlyExit.get() == EXIT_BIND_ERROR) {
          LOG.info(
              "run {}: sipp exited 254 at start (attempt {} of {}): {}",
              id,
              attempt,
              attempts,
              startError(run).lines().reduce((first, second) -> second).orElse(""));
          continue;
        }
        break;
      }
      register(run);
      LOG.info(
          "run {} started: scenario {} pid {} port {}", id, scenario.name(), process.pid(), port);
      return run;
    }
    deleteTree(dir);
    throw last;
  }

  /** SIPp's own complaint: the first distinct lines of its stderr, else of its error log. */
  private static String startError(SippRun run) {
    for (String file : new String[] {"stderr.log", "errors.log"}) {
      List<String> lines = new ArrayList<>();
      for (String line : run.tail(file, 16 * 1024).split("\n")) {
        String l = line.strip();
        if (!l.isEmpty() && !lines.contains(l) && lines.size() < 5) {
          lines.add(l);
        }
      }
      if (!lines.isEmpty()) {
        return String.join("\n", lines);
      }
    }
    return "(no message; see GET /logs)";
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return b;
  }

  private synchronized void register(SippRun run) {
    runs.put(run.id, run);
    if (run.spec.marker() != null && hungUpMarkers.contains(run.spec.marker())) {
      // hung up while it was starting
      LOG.info("run {}: its marker was hung up while it started; stopping it", run.id);
      beginStop(run, false, config.stopGrace());
    }
    events.publish(run.id, run.spec.marker(), "run-started", null, null, null);
    run.process.onExit().thenRun(() -> traceThread.execute(() -> finish(run)));
    evictEnded();
  }

  /**
   * Waits until SIPp itself has bound its SIP port, its media ports and its control port (bound
   * last; from then on SIPp binds nothing more, so it can no longer exit with a bind error) or has
   * exited; returns the exit code if it exited. A port another program took meanwhile does not
   * count: SIPp exits with 254 then, and the start is retried on other ports. A process that has
   * done neither within the start timeout is killed and the start refused: reporting it started
   * would hand out a call that may still fail to bind (on a loaded host a start once took more than
   * 5 s, was reported started, and exited with 254 right after).
   *
   * @throws ApiException 503 when the start timeout passed
   */
  private Optional<Integer> awaitStarted(SippRun run, int lastMediaPort) {
    long deadline = System.nanoTime() + config.startTimeout().toNanos();
    long pid = run.process.pid();
    try {
      while (true) {
        if (!run.process.isAlive()) {
          return Optional.of(run.process.exitValue());
        }
        if (LocalPorts.udpPortBoundBy(pid, run.controlPort)
            && LocalPorts.udpPortBoundBy(pid, run.localPort)
            && LocalPorts.udpPortBoundBy(pid, lastMediaPort)) {
          return Optional.empty();
        }
        if (System.nanoTime() - deadline > 0) {
          break;
        }
        // SIPp signals nothing when its sockets are up; poll the kernel's socket table.
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    run.process.destroyForcibly();
    try {
      run.process.waitFor(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.warn(
        "sipp pid {} had not bound its ports after {} ms; killed, start refused",
        pid,
        config.startTimeout().toMillis());
    throw new ApiException(
        503,
        "sipp did not bind its SIP, media and control ports within "
            + config.startTimeout().toMillis()
            + " ms (host overloaded?); nothing was started");
  }

  private List<String> argv(
      RunSpec spec, Scenario scenario, Path dir, int port, int controlPort, boolean traced) {
    List<String> argv = new ArrayList<>();
    argv.add(config.sippBinary());
    if (scenario.sippName() != null) {
      argv.addAll(List.of("-sn", scenario.sippName()));
    } else {
      argv.addAll(List.of("-sf", scenario.file().toString()));
    }
    argv.addAll(List.of("-i", sipAddress.getHostAddress(), "-p", Integer.toString(port)));
    argv.addAll(List.of("-ci", "127.0.0.1", "-cp", Integer.toString(controlPort)));
    argv.add("-nostdin");
    argv.addAll(List.of("-trace_stat", "-stf", dir.resolve("stat.csv").toString(), "-fd", "1"));
    argv.addAll(List.of("-trace_err", "-error_file", dir.resolve("errors.log").toString()));
    if (traced) {
      argv.addAll(List.of("-trace_msg", "-message_file", dir.resolve("messages.log").toString()));
    }
    // Long runs (an inbound UAS) must not fill the disk: traces rotate at 50 MB, two kept.
    argv.addAll(List.of("-ringbuffer_size", Integer.toString(50 << 20), "-ringbuffer_files", "2"));
    Integer count = spec.effectiveCount(scenario.role());
    if (count != null) {
      argv.addAll(List.of("-m", count.toString()));
    }
    if (spec.rate() != null) {
      double r = spec.rate();
      argv.addAll(List.of("-r", r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r)));
    }
    if (spec.ratePeriodMs() != null) {
      argv.addAll(List.of("-rp", spec.ratePeriodMs() + "ms"));
    }
    if (spec.limit() != null) {
      argv.addAll(List.of("-l", spec.limit().toString()));
    }
    if (spec.callDurationMs() != null) {
      argv.addAll(List.of("-d", spec.callDurationMs().toString()));
    }
    if (spec.to() != null) {
      argv.addAll(List.of("-s", spec.to()));
    }
    argv.addAll(List.of("-key", "from_user", spec.from() != null ? spec.from() : "sipp"));
    argv.addAll(
        List.of("-key", "transfer_to", spec.transferTo() != null ? spec.transferTo() : "transfer"));
    if ("tcp".equals(spec.transport())) {
      argv.addAll(List.of("-t", "t1"));
    }
    if (spec.timeoutSec() != null) {
      argv.addAll(List.of("-timeout", spec.timeoutSec() + "s"));
    }
    if (spec.target() != null) {
      argv.add(spec.target());
    }
    return argv;
  }

  private void readTraces() {
    List<SippRun> traced;
    synchronized (this) {
      traced =
          runs.values().stream().filter(r -> r.trace != null && r.state != RunState.ENDED).toList();
    }
    for (SippRun run : traced) {
      pollTrace(run);
    }
  }

  private void pollTrace(SippRun run) {
    if (run.trace == null) {
      return;
    }
    try {
      for (CallProgress change : run.apply(run.trace.poll())) {
        events.publish(run.id, run.spec.marker(), "call", change, null, null);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("run {}: cannot read message trace: {}", run.id, e.toString());
    }
  }

  /** Runs on the trace thread once the process has ended. */
  private void finish(SippRun run) {
    pollTrace(run);
    int code = run.process.exitValue();
    StatCsv.RunStats stats = run.readStats();
    run.finalStats = stats;
    run.exitCode = code;
    run.verdict = Verdict.judge(code, stats, run.stopRequested);
    run.endedAt = System.currentTimeMillis();
    synchronized (run) {
      run.state = RunState.ENDED;
    }
    events.publish(run.id, run.spec.marker(), "run-ended", null, code, run.verdict);
    LOG.info(
        "run {} ended: exit code {}, verdict {}, {} ok / {} failed",
        run.id,
        code,
        run.verdict,
        stats.successfulCalls(),
        stats.failedCalls());
    run.finished.complete(null);
  }

  /** How many start requests were refused because the agent read them after their deadline. */
  public long expiredRequests() {
    return expiredRequests.get();
  }

  /** The run with this id. @throws ApiException 400 for a malformed id, 404 if unknown */
  public synchronized SippRun get(String id) {
    if (id == null || !ScenarioStore.NAME.matcher(id).matches()) {
      throw new ApiException(400, "run id must match [A-Za-z0-9_-]{1,64}");
    }
    SippRun run = runs.get(id);
    if (run == null) {
      throw new ApiException(404, "no run '" + id + "'");
    }
    return run;
  }

  /** All known runs, oldest first. */
  public synchronized List<SippRun> list() {
    return new ArrayList<>(runs.values());
  }

  /**
   * Stops a run and waits until it has ended: each call the run's message trace shows is hung up
   * (for a {@code call} run over UDP: BYE when answered, CANCEL while ringing), also calls that
   * appear while stopping; SIGUSR1 makes SIPp start no new call and end when its calls have ended;
   * after the grace period SIGTERM, 2 s later SIGKILL. A second stop of the same run joins the
   * first.
   *
   * @param id the run
   * @param force skip the graceful steps
   * @param grace how long the graceful steps may take
   * @return the ended run
   */
  public SippRun stop(String id, boolean force, Duration grace) {
    SippRun run = get(id);
    beginStop(run, force, grace);
    try {
      run.finished.get(grace.toMillis() + 15_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("run {}: stop did not complete: {}", run.id, e.toString());
    }
    return run;
  }

  /**
   * Hangs up the runs that carry a client's marker, as {@link #stop} does, and refuses or stops at
   * once any run with that marker that the agent starts later (a start request read after the
   * hangup, or still starting).
   *
   * @param marker the marker
   * @param force skip the graceful steps
   * @param grace how long the graceful steps may take
   * @param wait whether to wait until the runs have ended
   * @return the runs found
   * @throws ApiException 400 for a malformed marker
   */
  public List<SippRun> stopMarked(String marker, boolean force, Duration grace, boolean wait) {
    if (marker == null || !RunSpec.MARKER.matcher(marker).matches()) {
      throw new ApiException(400, "marker must be 1..100 of letters, digits and . _ -");
    }
    List<SippRun> marked;
    synchronized (this) {
      hungUpMarkers.remove(marker);
      hungUpMarkers.add(marker);
      if (hungUpMarkers.size() > MAX_HUNG_UP_MARKERS) {
        Iterator<String> oldest = hungUpMarkers.iterator();
        oldest.next();
        oldest.remove();
      }
      marked = runs.values().stream().filter(r -> marker.equals(r.spec.marker())).toList();
    }
    for (SippRun r : marked) {
      beginStop(r, force, grace);
    }
    if (wait) {
      for (SippRun r : marked) {
        try {
          r.finished.get(grace.toMillis() + 15_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          LOG.warn("run {}: stop did not complete: {}", r.id, e.toString());
        }
      }
    }
    return marked;
  }

  /**
   * Starts stopping a run as {@link #stop} does, without waiting for the end.
   *
   * @return the run, in state STOPPING (or ENDED)
   */
  public SippRun stopLater(String id, boolean force, Duration grace) {
    SippRun run = get(id);
    beginStop(run, force, grace);
    return run;
  }

  private void beginStop(SippRun run, boolean force, Duration grace) {
    synchronized (run) {
      if (run.state == RunState.ENDED) {
        return;
      }
      run.stopRequested = true;
      run.state = RunState.STOPPING;
    }
    if (run.stopping.compareAndSet(false, true)) {
      stoppers.execute(() -> stopNow(run, force, grace));
    } else if (force) {
      run.process.destroy(); // a forced stop overtakes a graceful one under way
    }
  }

  private void stopNow(SippRun run, boolean force, Duration grace) {
    Process p = run.process;
    try {
      if (!force) {
        long deadline = System.nanoTime() + grace.toNanos();
        // No new call from now on; SIPp ends once its calls have ended.
        signal(p, "USR1");
        while (p.isAlive() && System.nanoTime() < deadline) {
          pollTraceNow(run);
          run.requestHangups();
          p.waitFor(50, TimeUnit.MILLISECONDS);
        }
      }
      if (p.isAlive()) {
        p.destroy();
        p.waitFor(2, TimeUnit.SECONDS);
      }
      if (p.isAlive()) {
        LOG.warn("run {}: sipp pid {} ignored SIGTERM; killing it", run.id, p.pid());
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    } catch (RuntimeException e) {
      LOG.warn("run {}: graceful stop failed, killing it: {}", run.id, e.toString());
      p.destroyForcibly();
    }
  }

  private void pollTraceNow(SippRun run) {
    try {
      traceThread.submit(() -> pollTrace(run)).get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("run {}: trace read before stop failed: {}", run.id, e.toString());
    }
  }

  private static void signal(Process p, String name) {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(p.pid()))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      LOG.warn("cannot send SIG{} to pid {}: {}", name, p.pid(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Changes a running run's rate and/or call limit through SIPp's control socket. SIPp does not
   * answer; the change shows in the stats ({@code targetRate}) within a second.
   *
   * @return the commands sent
   */
  public List<String> update(String id, Double rate, Integer limit) {
    SippRun run = get(id);
    if (run.state == RunState.ENDED) {
      throw new ApiException(409, "run '" + id + "' has ended");
    }
    if (rate == null && limit == null) {
      throw new ApiException(400, "give rate and/or limit");
    }
    if (rate != null && (!(rate > 0) || rate > 10_000 || rate.isInfinite())) {
      throw new ApiException(400, "rate must be greater than 0 and at most 10000");
    }
    if (limit != null && (limit < 1 || limit > 100_000)) {
      throw new ApiException(400, "limit must be 1..100000");
    }
    List<String> sent = new ArrayList<>();
    if (rate != null) {
      String cmd =
          "set rate "
              + (rate == Math.rint(rate) ? Long.toString(rate.longValue()) : rate.toString());
      run.control("c" + cmd);
      sent.add(cmd);
    }
    if (limit != null) {
      String cmd = "set limit " + limit;
      run.control("c" + cmd);
      sent.add(cmd);
    }
    LOG.info("run {}: {}", id, sent);
    return sent;
  }

  private synchronized void evictEnded() {
    List<SippRun> ended = runs.values().stream().filter(r -> r.state == RunState.ENDED).toList();
    int excess = ended.size() - config.keepFinishedRuns();
    for (int i = 0; i < excess; i++) {
      SippRun r = ended.get(i);
      runs.remove(r.id);
      deleteTree(r.dir);
    }
  }

  /**
   * Ends every running sipp process as cleanly as SIPp allows, all at once: calls are hung up and
   * SIPp is asked to quit ({@link #stop} without waiting), for at most the configured stop grace;
   * then SIGTERM and SIGKILL for what is left. Stops the trace thread.
   */
  @Override
  public void close() {
    List<SippRun> live = list().stream().filter(r -> r.process.isAlive()).toList();
    for (SippRun r : live) {
      beginStop(r, false, config.stopGrace());
    }
    long deadline = System.nanoTime() + config.stopGrace().toNanos() + 3_000_000_000L;
    for (SippRun r : live) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !r.process.waitFor(left, TimeUnit.NANOSECONDS)) {
          r.process.destroyForcibly();
          r.process.waitFor(2, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        r.process.destroyForcibly();
      }
    }
    traceThread.shutdownNow();
    stoppers.shutdownNow();
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", dir, e.toString());
    }
  }
}
