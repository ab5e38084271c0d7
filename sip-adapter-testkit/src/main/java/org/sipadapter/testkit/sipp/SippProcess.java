package org.sipadapter.testkit.sipp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code sipp} process on free loopback ports: a user agent server running one of the {@link
 * UasScenario}s, or a user agent client placing calls toward a target.
 *
 * <p>The process is started from an argument vector (never through a shell) in the foreground with
 * {@code -nostdin}, so its exit code is SIPp's own. It binds its SIP socket on {@code
 * 127.0.0.1:}{@link #port()} and its UDP control socket on {@code 127.0.0.1:}{@link
 * #controlPort()}. Statistics ({@code -trace_stat}, one row a second), the error log and, unless
 * turned off, the message trace are written into a private temporary directory ({@link #workDir()})
 * that {@link #close()} deletes.
 *
 * <pre>{@code
 * try (SippProcess uas = SippProcess.uas(UasScenario.BUSY).start();
 *     SippProcess uac = SippProcess.uac("127.0.0.1", uas.port()).calls(1).start()) {
 *   assertThat(uac.awaitExit(Duration.ofSeconds(10))).isEqualTo(1);
 *   assertThat(uac.stats().failedCalls()).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>Thread-safety: all methods may be called from any thread. {@link #stop()} and {@link #close()}
 * are idempotent.
 */
public final class SippProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SippProcess.class);
  private static final int EXIT_BIND_FAILURE = 254;
  private static final int START_ATTEMPTS = 3;
  private static final int MAX_LOG_CHARS = 1 << 20;
  private static final String LOOPBACK = "127.0.0.1";

  private final Process process;
  private final int port;
  private final int controlPort;
  private final Path workDir;
  private final boolean keepFiles;
  private final List<String> command;
  private final boolean server;
  private volatile boolean closed;

  private SippProcess(
      Process process,
      int port,
      int controlPort,
      Path workDir,
      boolean keepFiles,
      List<String> command,
      boolean server) {
    this.process = process;
    this.server = server;
    this.port = port;
    this.controlPort = controlPort;
    this.workDir = workDir;
    this.keepFiles = keepFiles;
    this.command = command;
  }

  /**
   * Starts building a user agent server.
   *
   * @param scenario what the server does with each INVITE; never null
   * @return a builder; call {@link Builder#start()} to run the process
   */
  public static Builder uas(UasScenario scenario) {
    Objects.requireNonNull(scenario, "scenario");
    return new Builder(scenario, null, 0);
  }

  /**
   * Starts building a user agent client that calls {@code host:port}. Defaults: SIPp's built-in
   * {@code uac} scenario, one call, request-URI user {@code service}.
   *
   * @param host the target address, for tests normally {@code 127.0.0.1}; never null
   * @param port the target SIP port
   * @return a builder; call {@link Builder#start()} to run the process
   */
  public static Builder uac(String host, int port) {
    Objects.requireNonNull(host, "host");
    checkToken("host", host);
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    return new Builder(null, host, port);
  }

  /** The local SIP port (UDP unless the transport was changed), bound on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The UDP control port ({@code -cp}), bound on 127.0.0.1. */
  public int controlPort() {
    return controlPort;
  }

  /** SIPp's process id; trace files that SIPp names itself carry it. */
  public long pid() {
    return process.pid();
  }

  /** The private directory holding the stat CSV, logs and scenario copies. */
  public Path workDir() {
    return workDir;
  }

  /** The argument vector the process was started with, as an unmodifiable list. */
  public List<String> command() {
    return command;
  }

  /** Whether the process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The exit code, once the process has ended: 0 every call succeeded, 1 at least one failed, 97
   * internal exit or global timeout, 99 no call processed, 255 fatal error, 254 bind failure.
   *
   * @return the code, or empty while running
   */
  public OptionalInt exitCode() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  /** Completes with the exit code when the process ends (on a JDK thread). */
  public CompletableFuture<Integer> onExit() {
    return process.onExit().thenApply(Process::exitValue);
  }

  /**
   * Waits for the process to end on its own (a UAC after its {@code -m} calls).
   *
   * @param timeout how long to wait
   * @return the exit code
   * @throws IllegalStateException if the process is still running after {@code timeout}; the
   *     message carries the end of SIPp's output
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          "sipp still running after " + timeout + "; output:\n" + tail(logText(), 4000));
    }
    return process.exitValue();
  }

  /**
   * The last row of the {@code -trace_stat} CSV as written so far (a row a second, and a final row
   * at exit).
   *
   * @return the stats, or {@link SippStats#EMPTY} before the first row
   */
  public SippStats stats() {
    Path file = statFile();
    if (!Files.isRegularFile(file)) {
      return SippStats.EMPTY;
    }
    try {
      return SippStats.parse(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code -trace_stat} file. */
  public Path statFile() {
    return workDir.resolve("stat.csv");
  }

  /** The {@code -trace_msg} file (absent when message tracing was turned off). */
  public Path messageFile() {
    return workDir.resolve("messages.log");
  }

  /** The {@code -trace_err} file (created by SIPp on the first error). */
  public Path errorFile() {
    return workDir.resolve("errors.log");
  }

  /** SIPp's standard output and error, merged. */
  public Path outputFile() {
    return workDir.resolve("sipp.out");
  }

  /**
   * Every SIP message SIPp sent and received so far, as it traced them.
   *
   * @return the trace text (at most its last MiB), or an empty string
   */
  public String messageTrace() {
    return readCapped(messageFile());
  }

  /**
   * SIPp's output followed by its error log, for assertion messages and failed-test reports.
   *
   * @return the text (each part at most its last MiB), never null
   */
  public String logText() {
    String output = readCapped(outputFile());
    String errors = readCapped(errorFile());
    return errors.isEmpty() ? output : output + "\n--- errors.log ---\n" + errors;
  }

  /**
   * Sends a hot key through the control socket, such as {@code '+'}, {@code 'p'} or {@code 'q'}.
   * SIPp never answers; look at {@link #stats()} for the effect.
   *
   * @param key the key
   */
  public void sendKey(char key) {
    if (key < 0x21 || key > 0x7e) {
      throw new IllegalArgumentException("hot key must be a printable ASCII character");
    }
    sendControl(String.valueOf(key));
  }

  /**
   * Sends a control command such as {@code "set rate 20"} or {@code "set limit 5"}.
   *
   * @param command the command without the leading {@code c}; no CR, LF or NUL
   */
  public void sendCommand(String command) {
    Objects.requireNonNull(command, "command");
    if (command.isBlank() || command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("command must be one non-blank line");
    }
    if (command.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("command must not contain NUL");
    }
    sendControl("c" + command);
  }

  private void sendControl(String datagram) {
    byte[] bytes = datagram.getBytes(StandardCharsets.US_ASCII);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.send(
          new DatagramPacket(
              bytes,
              bytes.length,
              new InetSocketAddress(InetAddress.getByName(LOOPBACK), controlPort)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops the process. A UAC gets SIGUSR1 (graceful: no new calls, running calls finish), then
   * SIGTERM after 3 s, then SIGKILL after 2 more seconds. A UAS gets SIGTERM at once: SIPp's
   * graceful quit would wait seconds for the retransmission window of calls it already ended.
   * SIGTERM makes SIPp exit at once and still write its final stat row and exit code.
   *
   * @return the exit code
   */
  public int stop() {
    return stop(server ? Duration.ZERO : Duration.ofSeconds(3));
  }

  /**
   * Stops the process as {@link #stop()} does, with the given grace period for SIGUSR1.
   *
   * @param grace how long running calls may take to finish; {@link Duration#ZERO} goes straight to
   *     SIGTERM
   * @return the exit code
   */
  public int stop(Duration grace) {
    try {
      if (process.isAlive() && !grace.isZero()) {
        signal("USR1");
        process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
      if (process.isAlive()) {
        process.destroy();
        process.waitFor(2, TimeUnit.SECONDS);
      }
      if (process.isAlive()) {
        LOG.warn("sipp pid {} ignored SIGTERM; killing it", process.pid());
        process.destroyForcibly();
      }
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    }
  }

  private void signal(String name) throws InterruptedException {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      kill.waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      LOG.warn("could not send SIG{} to sipp pid {}: {}", name, process.pid(), e.toString());
    }
  }

  /** Stops the process and deletes its directory (unless the builder asked to keep files). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    int code = stop();
    LOG.info("sipp pid {} on port {} ended with exit code {}", process.pid(), port, code);
    if (!keepFiles) {
      deleteTree(workDir);
    }
  }

  @Override
  public String toString() {
    return "SippProcess[pid="
        + process.pid()
        + ", port="
        + port
        + ", controlPort="
        + controlPort
        + ", alive="
        + process.isAlive()
        + "]";
  }

  private static String readCapped(Path file) {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    try {
      long size = Files.size(file);
      byte[] bytes;
      if (size <= MAX_LOG_CHARS) {
        bytes = Files.readAllBytes(file);
      } else {
        try (InputStream in = Files.newInputStream(file)) {
          in.skipNBytes(size - MAX_LOG_CHARS);
          bytes = in.readNBytes(MAX_LOG_CHARS);
        }
      }
      return new String(bytes, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static String tail(String text, int chars) {
    return text.length() <= chars ? text : text.substring(text.length() - chars);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", dir, e.toString());
    }
  }

  private static void checkToken(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ';') {
        throw new IllegalArgumentException(
            field + " must not contain whitespace, control characters or <>\";");
      }
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
  }

  /**
   * Allocates a UDP port that is free on 127.0.0.1 right now. Another process may take it before
   * SIPp binds it; {@link Builder#start()} retries on SIPp's bind failure.
   */
  static int freeUdpPort(Set<Integer> avoid) {
    for (int i = 0; i < 20; i++) {
      try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
        int candidate = socket.getLocalPort();
        if (!avoid.contains(candidate)) {
          return candidate;
        }
      } catch (SocketException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free UDP port on " + LOOPBACK);
  }

  private static final int MEDIA_FIRST = 32_000;
  private static final int MEDIA_LAST = 43_996;
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_MEDIA =
      new java.util.concurrent.atomic.AtomicInteger(MEDIA_FIRST);

  /** A free pair of media ports (p, p + 2), handed out round robin from 32000-43999. */
  static int mediaPortPair() {
    for (int i = 0; i < (MEDIA_LAST - MEDIA_FIRST) / 4; i++) {
      int p = NEXT_MEDIA.getAndUpdate(n -> n + 4 > MEDIA_LAST ? MEDIA_FIRST : n + 4);
      if (!udpPortBound(p) && !udpPortBound(p + 2)) {
        return p;
      }
    }
    throw new IllegalStateException("no free media port pair in 32000-43999");
  }

  /**
   * Whether a UDP socket is bound to {@code port}, read from {@code /proc/net/udp} so the check
   * never competes with SIPp for the port.
   */
  static boolean udpPortBound(int port) {
    return portBound(Path.of("/proc/net/udp"), port);
  }

  /**
   * Whether a TCP socket is bound to {@code port} ({@code /proc/net/tcp}): the SIP socket of a SIPp
   * started with {@code -t t1} or {@code -t tn}.
   */
  static boolean tcpPortBound(int port) {
    return portBound(Path.of("/proc/net/tcp"), port);
  }

  private static boolean portBound(Path table, int port) {
    String wanted = String.format(Locale.ROOT, ":%04X ", port);
    try {
      byte[] bytes = Files.readAllBytes(table);
      String text = new String(bytes, StandardCharsets.US_ASCII);
      int lineStart = text.indexOf('\n') + 1;
      while (lineStart > 0 && lineStart < text.length()) {
        int lineEnd = text.indexOf('\n', lineStart);
        if (lineEnd < 0) {
          lineEnd = text.length();
        }
        // "  sl  local_address rem_address ...": the local address is the second field.
        int local = text.indexOf(':', lineStart) + 1;
        int addrEnd = text.indexOf(' ', text.indexOf(':', local) + 1);
        if (local > 0 && addrEnd > 0 && addrEnd < lineEnd) {
          int portStart = text.lastIndexOf(':', addrEnd);
          if (text.regionMatches(portStart, wanted, 0, wanted.length())) {
            return true;
          }
        }
        lineStart = lineEnd + 1;
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + table, e);
    }
  }

  /**
   * Options of a SIPp run. A builder is not thread-safe; {@link #start()} may be called more than
   * once, each call starting a new process.
   */
  public static final class Builder {
    private final UasScenario uasScenario;
    private final String targetHost;
    private final int targetPort;
    private String builtIn;
    private String scenarioResource;
    private Path scenarioFile;
    private Integer calls;
    private Double rate;
    private Duration ratePeriod;
    private Integer limit;
    private Duration callDuration;
    private String service;
    private Duration recvTimeout;
    private Duration globalTimeout;
    private boolean traceMessages = true;
    private boolean keepFiles;
    private Duration startTimeout = Duration.ofSeconds(10);
    private String binary = defaultBinary();
    private final List<String> extraArgs = new ArrayList<>();

    private Builder(UasScenario uasScenario, String targetHost, int targetPort) {
      this.uasScenario = uasScenario;
      this.targetHost = targetHost;
      this.targetPort = targetPort;
    }

    private static String defaultBinary() {
      String configured = System.getProperty("sipadapter.sipp.binary");
      if (configured != null && !configured.isBlank()) {
        return configured;
      }
      return Files.isExecutable(Path.of("/usr/bin/sipp")) ? "/usr/bin/sipp" : "sipp";
    }

    /**
     * Uses a SIPp built-in scenario ({@code -sn}), such as {@code uac} or {@code uas}.
     *
     * @param name the built-in name
     * @return this builder
     */
    public Builder builtInScenario(String name) {
      checkToken("scenario name", Objects.requireNonNull(name, "name"));
      this.builtIn = name;
      this.scenarioResource = null;
      this.scenarioFile = null;
      return this;
    }

    /**
     * Uses a scenario XML from the classpath ({@code -sf} on a private copy).
     *
     * @param resource an absolute resource name such as {@code /scenarios/uac-hold.xml}
     * @return this builder
     */
    public Builder scenarioResource(String resource) {
      this.scenarioResource = Objects.requireNonNull(resource, "resource");
      this.builtIn = null;
      this.scenarioFile = null;
      return this;
    }

    /**
     * Uses a scenario XML file ({@code -sf}).
     *
     * @param file the file
     * @return this builder
     */
    public Builder scenarioFile(Path file) {
      this.scenarioFile = Objects.requireNonNull(file, "file");
      this.builtIn = null;
      this.scenarioResource = null;
      return this;
    }

    /**
     * Stops after this many calls ({@code -m}); a UAC defaults to 1, a UAS to unlimited.
     *
     * @param calls at least 1
     * @return this builder
     */
    public Builder calls(int calls) {
      if (calls < 1) {
        throw new IllegalArgumentException("calls must be at least 1");
      }
      this.calls = calls;
      return this;
    }

    /**
     * Calls per rate period ({@code -r}; SIPp's default is 10 per second).
     *
     * @param rate greater than 0
     * @return this builder
     */
    public Builder rate(double rate) {
      if (!(rate > 0)) {
        throw new IllegalArgumentException("rate must be greater than 0");
      }
      this.rate = rate;
      return this;
    }

    /**
     * The rate period ({@code -rp}); default one second.
     *
     * @param period at least 1 ms
     * @return this builder
     */
    public Builder ratePeriod(Duration period) {
      if (period.toMillis() < 1) {
        throw new IllegalArgumentException("rate period must be at least 1 ms");
      }
      this.ratePeriod = period;
      return this;
    }

    /**
     * Maximum simultaneous calls ({@code -l}).
     *
     * @param limit at least 1
     * @return this builder
     */
    public Builder limit(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1");
      }
      this.limit = limit;
      return this;
    }

    /**
     * Length of the scenario's {@code <pause/>} steps ({@code -d}): how long a UAC call stays up
     * before its BYE.
     *
     * @param duration zero or more
     * @return this builder
     */
    public Builder callDuration(Duration duration) {
      if (duration.isNegative()) {
        throw new IllegalArgumentException("duration must not be negative");
      }
      this.callDuration = duration;
      return this;
    }

    /**
     * How long {@link UasScenario#RING_THEN_ANSWER} rings before answering (the same {@code -d}
     * option as {@link #callDuration}).
     *
     * @param delay zero or more
     * @return this builder
     */
    public Builder ringDelay(Duration delay) {
      return callDuration(delay);
    }

    /**
     * The request-URI user part of a UAC's INVITEs ({@code -s}).
     *
     * @param service a SIP user part: no whitespace, control characters or {@code <>";}
     * @return this builder
     */
    public Builder service(String service) {
      checkToken("service", Objects.requireNonNull(service, "service"));
      this.service = service;
      return this;
    }

    /**
     * Per-message receive timeout ({@code -recv_timeout}); a call waiting longer fails.
     *
     * @param timeout at least 1 ms
     * @return this builder
     */
    public Builder recvTimeout(Duration timeout) {
      this.recvTimeout = timeout;
      return this;
    }

    /**
     * Global timeout ({@code -timeout}): SIPp ends by itself after this long.
     *
     * @param timeout at least 1 s
     * @return this builder
     */
    public Builder globalTimeout(Duration timeout) {
      this.globalTimeout = timeout;
      return this;
    }

    /**
     * Whether to trace every SIP message ({@code -trace_msg}); on by default. Turn it off for load
     * runs.
     *
     * @param trace whether to trace
     * @return this builder
     */
    public Builder traceMessages(boolean trace) {
      this.traceMessages = trace;
      return this;
    }

    /**
     * Keeps the work directory after {@link SippProcess#close()} (for post-mortems).
     *
     * @param keep whether to keep it
     * @return this builder
     */
    public Builder keepFiles(boolean keep) {
      this.keepFiles = keep;
      return this;
    }

    /**
     * How long {@link #start()} waits for SIPp to bind its SIP socket; default 10 s.
     *
     * @param timeout the wait
     * @return this builder
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * The SIPp executable; default {@code /usr/bin/sipp} (or the system property {@code
     * sipadapter.sipp.binary}).
     *
     * @param executable path or name on the PATH
     * @return this builder
     */
    public Builder binary(String executable) {
      this.binary = Objects.requireNonNull(executable, "executable");
      return this;
    }

    /**
     * More SIPp options, passed verbatim as separate arguments before the target.
     *
     * @param args the arguments; none may contain NUL
     * @return this builder
     */
    public Builder extraArgs(String... args) {
      for (String arg : args) {
        if (Objects.requireNonNull(arg, "arg").indexOf('\0') >= 0) {
          throw new IllegalArgumentException("argument must not contain NUL");
        }
        extraArgs.add(arg);
      }
      return this;
    }

    /**
     * Starts SIPp and waits until its SIP socket is bound (or, for a UAC, until it is bound or the
     * run already ended). A port taken between allocation and bind is retried on new ports.
     *
     * @return the running process; close it
     * @throws IllegalStateException if SIPp exits at once or does not bind in time; the message
     *     carries its output
     */
    public SippProcess start() {
      Path dir;
      try {
        dir = Files.createTempDirectory("sipp-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        List<String> scenarioArgs = scenarioArgs(dir);
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
          Set<Integer> avoid = new HashSet<>();
          int port = freeUdpPort(avoid);
          avoid.add(port);
          int controlPort = freeUdpPort(avoid);
          avoid.add(controlPort);
          // SIPp's default media ports start at 6000 in every process and run out after a few
          // dozen processes; each fixture gets its own pair (audio on it, video two above).
          int mediaPort = mediaPortPair();
          List<String> argv = argv(dir, scenarioArgs, port, controlPort);
          argv.addAll(1, List.of("-mp", Integer.toString(mediaPort)));
          Process process =
              new ProcessBuilder(argv)
                  .directory(dir.toFile())
                  .redirectErrorStream(true)
                  .redirectOutput(dir.resolve("sipp.out").toFile())
                  .start();
          SippProcess sipp =
              new SippProcess(
                  process,
                  port,
                  controlPort,
                  dir,
                  keepFiles,
                  Collections.unmodifiableList(argv),
                  uasScenario != null);
          try {
            awaitBound(sipp, mediaPort + 2);
            LOG.info("sipp pid {} started on 127.0.0.1:{} ({})", process.pid(), port, describe());
            return sipp;
          } catch (IllegalStateException e) {
            process.destroyForcibly();
            process.waitFor();
            last = e;
            if (process.exitValue() != EXIT_BIND_FAILURE) {
              break;
            }
            LOG.info("sipp could not bind port {} (attempt {}); retrying", port, attempt);
          }
        }
        deleteTree(dir);
        throw last;
      } catch (IOException e) {
        deleteTree(dir);
        throw new UncheckedIOException("cannot start " + binary, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        deleteTree(dir);
        throw new IllegalStateException("interrupted while starting sipp", e);
      }
    }

    private String describe() {
      if (uasScenario != null) {
        return "UAS " + uasScenario;
      }
      return "UAC toward " + targetHost + ":" + targetPort;
    }

    /** Whether {@link #extraArgs} chose a TCP transport ({@code -t t1} or {@code -t tn}). */
    private boolean tcp() {
      int t = extraArgs.indexOf("-t");
      return t >= 0 && t + 1 < extraArgs.size() && extraArgs.get(t + 1).startsWith("t");
    }

    private void awaitBound(SippProcess sipp, int lastMediaPort) throws InterruptedException {
      long deadline = System.nanoTime() + startTimeout.toNanos();
      while (System.nanoTime() < deadline) {
        // the video media socket is bound last; once it is up, SIPp can no longer fail to bind
        boolean sipBound = tcp() ? tcpPortBound(sipp.port) : udpPortBound(sipp.port);
        if (sipBound && udpPortBound(lastMediaPort)) {
          return;
        }
        if (!sipp.process.isAlive()) {
          int code = sipp.process.exitValue();
          if (uasScenario == null && code != EXIT_BIND_FAILURE && code != 255) {
            return; // a short UAC run may finish before the first look
          }
          throw new IllegalStateException(
              "sipp exited with code "
                  + code
                  + " at start; output:\n"
                  + tail(sipp.logText(), 4000));
        }
        // No readiness signal exists: SIPp prints nothing parseable when its socket is up.
        Thread.sleep(10);
      }
      throw new IllegalStateException(
          "sipp did not bind 127.0.0.1:"
              + sipp.port
              + " within "
              + startTimeout
              + "; output:\n"
              + tail(sipp.logText(), 4000));
    }

    private List<String> scenarioArgs(Path dir) throws IOException {
      if (scenarioFile != null) {
        return List.of("-sf", scenarioFile.toAbsolutePath().toString());
      }
      if (scenarioResource != null) {
        return List.of("-sf", copyResource(scenarioResource, dir).toString());
      }
      if (builtIn != null) {
        return List.of("-sn", builtIn);
      }
      if (uasScenario == null) {
        return List.of("-sn", "uac");
      }
      if (uasScenario.resource().isEmpty()) {
        return List.of("-sn", "uas");
      }
      return List.of("-sf", copyResource(uasScenario.resource().get(), dir).toString());
    }

    private static Path copyResource(String resource, Path dir) throws IOException {
      try (InputStream in = SippProcess.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalArgumentException("no scenario resource " + resource);
        }
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        Path target = dir.resolve(name.endsWith(".xml") ? name : name + ".xml");
        Files.copy(in, target);
        return target;
      }
    }

    private List<String> argv(Path dir, List<String> scenarioArgs, int port, int controlPort) {
      List<String> argv = new ArrayList<>();
      argv.add(binary);
      argv.addAll(scenarioArgs);
      argv.addAll(List.of("-i", LOOPBACK, "-p", Integer.toString(port)));
      argv.addAll(List.of("-ci", LOOPBACK, "-cp", Integer.toString(controlPort)));
      argv.add("-nostdin");
      argv.addAll(List.of("-trace_stat", "-stf", dir.resolve("stat.csv").toString(), "-fd", "1"));
      argv.addAll(List.of("-trace_err", "-error_file", dir.resolve("errors.log").toString()));
      if (traceMessages) {
        argv.addAll(List.of("-trace_msg", "-message_file", dir.resolve("messages.log").toString()));
      }
      Integer maxCalls = calls != null ? calls : (uasScenario == null ? Integer.valueOf(1) : null);
      if (maxCalls != null) {
        argv.addAll(List.of("-m", Integer.toString(maxCalls)));
      }
      if (rate != null) {
        argv.addAll(List.of("-r", formatRate(rate)));
      }
      if (ratePeriod != null) {
        argv.addAll(List.of("-rp", ratePeriod.toMillis() + "ms"));
      }
      if (limit != null) {
        argv.addAll(List.of("-l", Integer.toString(limit)));
      }
      if (callDuration != null) {
        argv.addAll(List.of("-d", Long.toString(callDuration.toMillis())));
      }
      if (service != null) {
        argv.addAll(List.of("-s", service));
      }
      if (recvTimeout != null) {
        argv.addAll(List.of("-recv_timeout", Long.toString(recvTimeout.toMillis())));
      }
      if (globalTimeout != null) {
        argv.addAll(List.of("-timeout", Math.max(1, globalTimeout.toSeconds()) + "s"));
      }
      argv.addAll(extraArgs);
      if (targetHost != null) {
        argv.add(targetHost + ":" + targetPort);
      }
      return argv;
    }

    private static String formatRate(double rate) {
      return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
  }
}
