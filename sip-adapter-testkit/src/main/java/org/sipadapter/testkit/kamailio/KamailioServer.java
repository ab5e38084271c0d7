package org.sipadapter.testkit.kamailio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real Kamailio process on loopback for tests: writes a {@code kamailio.cfg} from the bundled
 * template into a fresh temporary directory, starts the installed {@code kamailio} in the
 * foreground on free loopback ports, waits until its JSON-RPC interface answers {@code
 * core.version}, and stops it with SIGTERM (then SIGKILL).
 *
 * <p>The generated configuration loads tm, sl, rr, pv, maxfwd, textops, siputils, usrloc,
 * registrar, xhttp, jsonrpcs (HTTP on the SIP TCP listener at {@link #rpcPath()}), dialog ({@code
 * dlg_manage()} on every INVITE, statistics on) and evapi (on {@link #evapiPort()}), and relays
 * these JSON events as evapi netstrings:
 *
 * <pre>
 * {"event":"dialog:early","h_entry":N,"h_id":N,"callid":"...","state":2}         (18x reply)
 * {"event":"dialog:start","h_entry":N,"h_id":N,"callid":"...","from_uri":"...","to_uri":"...","state":N}
 * {"event":"dialog:end","h_entry":N,"h_id":N,"callid":"...","state":N}
 * {"event":"dialog:failed","h_entry":N,"h_id":N,"callid":"...","state":N}
 * </pre>
 *
 * <p>New calls addressed to Kamailio itself are routed by the Request-URI user: {@link
 * Builder#route(String, int)} sends a user to a loopback port (for instance a SIPp UAS), {@link
 * Builder#defaultRoute(int)} catches the rest, then registered contacts are tried, else 404.
 * Requests whose Request-URI names another host are proxied there. In-dialog requests of known
 * dialogs are routed to the other party's contact even without Route headers.
 *
 * <p>For fault tests: {@link #restart()} (same ports, dialogs forgotten), {@link #freeze()} /
 * {@link #thaw()} (SIGSTOP/SIGCONT: connections stay open, nothing answers), and {@link
 * Builder#rpcToken(String)} to require {@code Authorization: Bearer <token>} on RPC requests.
 *
 * <p>Which Kamailio: the installed one ({@code /usr/sbin/kamailio}), or the one installed in
 * another root file system (for instance a Debian unstable root made with {@code debootstrap})
 * named by {@link Builder#installRoot(Path)} or the system property {@value #ROOT_PROPERTY}; that
 * one runs with the root's own dynamic loader and libraries, without chroot.
 *
 * <p>Kamailio writes its log (stderr) to {@link #logPath()}; the working directory is kept after
 * {@link #close()} so the log of a failed test can be read. Instances are not thread-safe: start,
 * restart and stop from one thread.
 */
public final class KamailioServer implements AutoCloseable {

  /** The loopback address every listener binds to. */
  public static final String HOST = "127.0.0.1";

  /** System property naming a root file system whose Kamailio the tests run instead. */
  public static final String ROOT_PROPERTY = "sipadapter.kamailio.root";

  private static final String TEMPLATE = "kamailio.cfg";
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.+*#-]+");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{4,}");
  private static final List<Path> EXECUTABLES =
      List.of(Path.of("/usr/sbin/kamailio"), Path.of("/usr/local/sbin/kamailio"));
  private static final List<Path> MODULE_DIRS =
      List.of(
          Path.of("/usr/lib/x86_64-linux-gnu/kamailio/modules"),
          Path.of("/usr/lib/aarch64-linux-gnu/kamailio/modules"),
          Path.of("/usr/lib64/kamailio/modules"),
          Path.of("/usr/lib/kamailio/modules"),
          Path.of("/usr/local/lib64/kamailio/modules"),
          Path.of("/usr/local/lib/kamailio/modules"));

  private final Path executable;
  private final Path moduleDir;
  private final List<String> launcher;
  private final Map<String, Integer> routes;
  private final OptionalInt defaultRoute;
  private final String rpcPath;
  private final String rpcToken;
  private final Duration startTimeout;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private Path workDir;
  private int sipPort;
  private int evapiPort;
  private Process process;
  private int starts;

  private KamailioServer(Builder b) {
    this.executable = b.executable;
    this.moduleDir = b.moduleDir;
    this.launcher = b.launcher;
    this.routes = Map.copyOf(b.routes);
    this.defaultRoute = b.defaultRoute;
    this.rpcPath = b.rpcPath;
    this.rpcToken = b.rpcToken;
    this.startTimeout = b.startTimeout;
  }

  /** Returns a builder with no routes, RPC path {@code /RPC} and a 20 s start timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Tells whether a Kamailio executable and its module directory (with jsonrpcs, dialog and evapi)
   * are installed; tests use it to skip cleanly where Kamailio is missing.
   */
  public static boolean isInstalled() {
    Optional<Path> root = rootFromProperty();
    if (root.isPresent()) {
      return Files.isExecutable(root.get().resolve("usr/sbin/kamailio"));
    }
    return findExecutable().isPresent() && findModuleDir().isPresent();
  }

  private static Optional<Path> rootFromProperty() {
    String root = System.getProperty(ROOT_PROPERTY, "");
    return root.isBlank() ? Optional.empty() : Optional.of(Path.of(root));
  }

  /**
   * Writes the configuration, starts Kamailio and waits until {@code core.version} answers.
   *
   * @return this server
   * @throws IllegalStateException if it is already running, or Kamailio exits or does not answer
   *     within the start timeout (the message carries the end of its log)
   */
  public KamailioServer start() {
    if (isRunning()) {
      throw new IllegalStateException("Kamailio is already running (pid " + process.pid() + ")");
    }
    try {
      if (workDir == null) {
        workDir = Files.createTempDirectory("kamailio-");
        Files.createDirectories(workDir.resolve("run"));
        sipPort = freePort(true);
        evapiPort = freePort(false);
      }
      Files.writeString(configPath(), renderConfig(), StandardCharsets.UTF_8);
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Kamailio in " + workDir, e);
    }
    awaitRpc();
    return this;
  }

  /**
   * Stops Kamailio and starts it again on the same ports with the same configuration, so clients
   * can reconnect; Kamailio forgets every dialog it had (the dialog module keeps them in memory).
   *
   * @return this server
   */
  public KamailioServer restart() {
    stop();
    return start();
  }

  /**
   * Stops Kamailio: SIGTERM, and SIGKILL for it and its child processes if it has not exited within
   * 5 s. Does nothing when it is not running. Never throws.
   */
  public void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    List<ProcessHandle> children = new ArrayList<>(p.descendants().toList());
    try {
      // A frozen Kamailio would not act on SIGTERM.
      signalAll("CONT");
    } catch (RuntimeException ignored) {
      // not running any more
    }
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    // Kamailio's children normally follow the main process; never leave one holding the ports.
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    process = null;
  }

  /**
   * Suspends every Kamailio process (SIGSTOP): connections stay open but nothing is answered, as
   * with a hung server. {@link #thaw()} resumes it.
   *
   * @throws IllegalStateException if it is not running
   */
  public void freeze() {
    signalAll("STOP");
  }

  /** Resumes Kamailio after {@link #freeze()} (SIGCONT). */
  public void thaw() {
    signalAll("CONT");
  }

  private void signalAll(String signal) {
    if (!isRunning()) {
      throw new IllegalStateException("Kamailio is not running");
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(process.pid())));
    process.descendants().forEach(h -> cmd.add(Long.toString(h.pid())));
    try {
      Process kill = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " failed for Kamailio");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling Kamailio", e);
    }
  }

  /** Stops Kamailio (see {@link #stop()}); the working directory and log are kept. */
  @Override
  public void close() {
    stop();
  }

  /** Tells whether the Kamailio main process is alive. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The pid of the Kamailio main process, if running. */
  public OptionalInt pid() {
    return isRunning() ? OptionalInt.of((int) process.pid()) : OptionalInt.empty();
  }

  /** The loopback host, {@value #HOST}. */
  public String host() {
    return HOST;
  }

  /** The SIP port (UDP and TCP); JSON-RPC over HTTP is served on its TCP side. */
  public int sipPort() {
    requireStarted();
    return sipPort;
  }

  /** The evapi TCP port on which dialog events are pushed as netstrings. */
  public int evapiPort() {
    requireStarted();
    return evapiPort;
  }

  /** The HTTP path that reaches {@code jsonrpc_dispatch()}, {@code /RPC} by default. */
  public String rpcPath() {
    return rpcPath;
  }

  /** The full JSON-RPC endpoint, {@code http://127.0.0.1:<sipPort><rpcPath>}. */
  public URI rpcUri() {
    return URI.create("http://" + HOST + ":" + sipPort() + rpcPath);
  }

  /** A SIP URI for {@code user} at this proxy, e.g. {@code sip:2000@127.0.0.1:5060}. */
  public String sipUri(String user) {
    return "sip:" + checkUser(user) + "@" + HOST + ":" + sipPort();
  }

  /** The temporary directory holding the configuration, log, pid file and runtime directory. */
  public Path workDir() {
    requireStarted();
    return workDir;
  }

  /** The generated {@code kamailio.cfg}. */
  public Path configPath() {
    return workDir().resolve("kamailio.cfg");
  }

  /** Kamailio's log (its stderr and stdout, appended across restarts). */
  public Path logPath() {
    return workDir().resolve("kamailio.log");
  }

  /** The whole log as text; empty if nothing has been written. */
  public String logText() {
    try {
      return Files.exists(logPath()) ? Files.readString(logPath(), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + logPath() + ": " + e.getMessage() + ")";
    }
  }

  /** The last {@code lines} lines of the log, for failure messages. */
  public String logTail(int lines) {
    String[] all = logText().split("\n", -1);
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
  }

  /**
   * Sends one JSON-RPC request over HTTP and returns the response body as Kamailio sent it.
   *
   * @param method the RPC command, e.g. {@code dlg.list}
   * @param params positional parameters: {@link Number}s go as JSON numbers, everything else as
   *     JSON strings
   * @throws UncheckedIOException if the request fails or gets no answer within 5 s
   */
  public String rpc(String method, Object... params) {
    StringBuilder json = new StringBuilder("{\"jsonrpc\":\"2.0\",\"method\":\"");
    json.append(escape(method)).append('"');
    if (params.length > 0) {
      json.append(",\"params\":[");
      for (int i = 0; i < params.length; i++) {
        if (i > 0) {
          json.append(',');
        }
        Object p = Objects.requireNonNull(params[i], "params must not contain null");
        if (p instanceof Number) {
          json.append(p);
        } else {
          json.append('"').append(escape(p.toString())).append('"');
        }
      }
      json.append(']');
    }
    json.append(",\"id\":1}");
    HttpRequest request =
        authorized(HttpRequest.newBuilder(rpcUri()))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json.toString()))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException("RPC " + method + " to " + rpcUri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during RPC " + method, e);
    }
  }

  @Override
  public String toString() {
    return workDir == null
        ? "KamailioServer[not started]"
        : "KamailioServer[sip=" + HOST + ":" + sipPort + ", evapi=" + evapiPort + "]";
  }

  /** The token the RPC endpoint requires as {@code Authorization: Bearer <token>}, if any. */
  public Optional<String> rpcToken() {
    return Optional.ofNullable(rpcToken);
  }

  // --- internals -----------------------------------------------------------------------------

  private HttpRequest.Builder authorized(HttpRequest.Builder b) {
    return rpcToken == null ? b : b.header("Authorization", "Bearer " + rpcToken);
  }

  private void launch() throws IOException {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.addAll(
        List.of(
            executable.toString(),
            "-DD",
            "-E",
            "-f",
            configPath().toString(),
            "-Y",
            workDir.resolve("run").toString(),
            "-P",
            workDir.resolve("run/kamailio.pid").toString(),
            "-w",
            workDir.toString(),
            "-m",
            "64",
            "-M",
            "8"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logPath().toFile()));
    Files.writeString(
        logPath(),
        "==== start " + (++starts) + ": " + String.join(" ", cmd) + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    process = pb.start();
  }

  private void awaitRpc() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    HttpRequest probe =
        authorized(HttpRequest.newBuilder(rpcUri()))
            .timeout(Duration.ofSeconds(1))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"jsonrpc\":\"2.0\",\"method\":\"core.version\",\"id\":1}"))
            .build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        int code = process.exitValue();
        process = null;
        throw new IllegalStateException(
            "Kamailio exited with status " + code + " while starting; log:\n" + logTail(40));
      }
      try {
        HttpResponse<String> r = http.send(probe, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"result\"")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop();
        throw new IllegalStateException("interrupted while waiting for Kamailio", e);
      }
      try {
        // Polling a process that has no readiness signal of its own.
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop();
        throw new IllegalStateException("interrupted while waiting for Kamailio", e);
      }
    }
    stop();
    throw new IllegalStateException(
        "Kamailio did not answer core.version within " + startTimeout + "; log:\n" + logTail(40));
  }

  String renderConfig() {
    String template;
    try (InputStream in = KamailioServer.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + TEMPLATE);
      }
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringBuilder rules = new StringBuilder();
    routes.forEach(
        (user, port) ->
            rules
                .append("\tif ($rU == \"")
                .append(user)
                .append("\") { $du = \"sip:")
                .append(HOST)
                .append(':')
                .append(port)
                .append("\"; return; }\n"));
    defaultRoute.ifPresent(
        port ->
            rules
                .append("\t$du = \"sip:")
                .append(HOST)
                .append(':')
                .append(port)
                .append("\";\n")
                .append("\treturn;\n"));
    return template
        .replace("@@SIP_PORT@@", Integer.toString(sipPort))
        .replace("@@EVAPI_PORT@@", Integer.toString(evapiPort))
        .replace("@@RPC_PATH@@", rpcPath)
        .replace("@@MODULE_PATH@@", moduleDir.toString() + "/")
        .replace("@@ROUTES@@\n", rules.toString())
        .replace(
            "@@RPC_AUTH@@",
            rpcToken == null
                ? ""
                : "\tif ($hdr(Authorization) != \"Bearer "
                    + rpcToken
                    + "\") { xhttp_reply(\"401\", \"Unauthorized\", \"text/plain\", \"\"); exit; }\n");
  }

  private void requireStarted() {
    if (workDir == null) {
      throw new IllegalStateException("KamailioServer has not been started");
    }
  }

  private static int freePort(boolean alsoUdp) throws IOException {
    InetAddress loopback = InetAddress.getByName(HOST);
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(loopback, 0));
        port = s.getLocalPort();
      }
      if (!alsoUdp) {
        return port;
      }
      try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(loopback, port))) {
        return port;
      } catch (IOException busy) {
        // UDP side taken; try another port
      }
    }
    throw new IOException("no free loopback port found");
  }

  private static String checkUser(String user) {
    Objects.requireNonNull(user, "user");
    if (!USER.matcher(user).matches()) {
      throw new IllegalArgumentException(
          "SIP user must match " + USER.pattern() + " to be written into kamailio.cfg: " + user);
    }
    return user;
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static Optional<Path> findExecutable() {
    return EXECUTABLES.stream().filter(Files::isExecutable).findFirst();
  }

  private static Optional<Path> findModuleDir() {
    return MODULE_DIRS.stream()
        .filter(d -> Files.exists(d.resolve("jsonrpcs.so")) && Files.exists(d.resolve("evapi.so")))
        .findFirst();
  }

  /** Configures a {@link KamailioServer}; not thread-safe. */
  public static final class Builder {
    private Path executable;
    private Path moduleDir;
    private List<String> launcher = List.of();
    private final Map<String, Integer> routes = new LinkedHashMap<>();
    private OptionalInt defaultRoute = OptionalInt.empty();
    private String rpcPath = "/RPC";
    private String rpcToken;
    private Duration startTimeout = Duration.ofSeconds(20);

    private Builder() {
      Optional<Path> root = rootFromProperty();
      if (root.isPresent()) {
        installRoot(root.get());
      } else {
        findExecutable().ifPresent(p -> executable = p);
        findModuleDir().ifPresent(p -> moduleDir = p);
      }
    }

    /**
     * Runs the Kamailio installed in another root file system (a Debian root with the {@code
     * kamailio} and {@code kamailio-extra-modules} packages): its {@code usr/sbin/kamailio},
     * started by the root's dynamic loader with the root's libraries, and its module directory.
     *
     * @param root the root directory
     * @throws IllegalArgumentException if it holds no Kamailio with evapi
     */
    public Builder installRoot(Path root) {
      Objects.requireNonNull(root, "root");
      Path exe = root.resolve("usr/sbin/kamailio");
      Optional<Path> modules =
          MODULE_DIRS.stream()
              .map(d -> root.resolve(d.toString().substring(1)))
              .filter(d -> Files.exists(d.resolve("evapi.so")))
              .findFirst();
      Path loader = root.resolve("lib64/ld-linux-x86-64.so.2");
      if (!Files.isExecutable(exe) || modules.isEmpty() || !Files.exists(loader)) {
        throw new IllegalArgumentException(
            root + " holds no Kamailio with evapi (usr/sbin/kamailio, modules, lib64 loader)");
      }
      executable = exe;
      moduleDir = modules.get();
      launcher =
          List.of(
              loader.toString(),
              "--library-path",
              root.resolve("usr/lib/x86_64-linux-gnu")
                  + ":"
                  + root.resolve("lib/x86_64-linux-gnu"));
      return this;
    }

    /** Sends new calls for R-URI user {@code user} to {@code 127.0.0.1:port}. */
    public Builder route(String user, int port) {
      routes.put(checkUser(user), checkPort(port));
      return this;
    }

    /** Sends new calls for every user without its own route to {@code 127.0.0.1:port}. */
    public Builder defaultRoute(int port) {
      defaultRoute = OptionalInt.of(checkPort(port));
      return this;
    }

    /** The HTTP path for JSON-RPC, starting with {@code /}; default {@code /RPC}. */
    public Builder rpcPath(String path) {
      Objects.requireNonNull(path, "path");
      if (!path.matches("/[A-Za-z0-9_/-]*")) {
        throw new IllegalArgumentException("rpc path must match /[A-Za-z0-9_/-]*: " + path);
      }
      rpcPath = path;
      return this;
    }

    /**
     * Requires {@code Authorization: Bearer <token>} on every RPC request (answered 401 otherwise),
     * as a production script would; {@link KamailioServer#rpc} sends it.
     *
     * @param token at least 4 characters of {@code [A-Za-z0-9._~+/=-]}
     */
    public Builder rpcToken(String token) {
      Objects.requireNonNull(token, "token");
      if (!TOKEN.matcher(token).matches()) {
        throw new IllegalArgumentException("token must match " + TOKEN.pattern());
      }
      rpcToken = token;
      return this;
    }

    /** How long {@link KamailioServer#start()} waits for {@code core.version}; default 20 s. */
    public Builder startTimeout(Duration timeout) {
      startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The Kamailio binary; found in /usr/sbin or /usr/local/sbin by default. */
    public Builder executable(Path path) {
      executable = Objects.requireNonNull(path, "path");
      return this;
    }

    /** The directory holding Kamailio's modules (*.so); found in the usual places by default. */
    public Builder moduleDir(Path dir) {
      moduleDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Builds the (not yet started) server.
     *
     * @throws IllegalStateException if no Kamailio executable or module directory was found
     */
    public KamailioServer build() {
      if (executable == null || moduleDir == null) {
        throw new IllegalStateException(
            "Kamailio is not installed (need the kamailio and kamailio-extra-modules packages)");
      }
      return new KamailioServer(this);
    }

    private static int checkPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      return port;
    }
  }
}
