package org.sipadapter.testkit.yate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Yate on loopback for tests, set up as the {@code yate-extmodule} recordings from file 14
 * on: only the modules the call features need, an extmodule listener without preset role ({@link
 * #extmodulePort()}) and one with {@code role=global} ({@link #globalListenerPort()}), the console
 * ({@code rmanager}) with a random password, and ysipchan on a free UDP port whose test numbers
 * route back to Yate itself (a SIP self-loop), so both ends of a call are Yate channels:
 *
 * <ul>
 *   <li>{@code 100}: answered at once (the incoming loop leg goes to {@code tone/ring});
 *   <li>{@code 200}: answered, ends after 2 s;
 *   <li>{@code 408}: rings, never answered (the loop leg goes to {@code dumb/});
 *   <li>{@code 1486}: refused with SIP 486 ({@code -;error=busy} on the loop leg);
 *   <li>{@code in<number>}: arrives at Yate as an incoming SIP call for {@code <number>} (an
 *       inbound call for an adapter's {@code call.route} handler; unhandled, it is refused {@code
 *       noroute});
 *   <li>anything else: {@code -;error=noroute}.
 * </ul>
 *
 * <p>Files live in a fresh temporary directory ({@link #directory()}), deleted by {@link #close()}:
 * {@code conf/} (the generated configuration), {@code yate.log}, and {@code rec/} for recordings.
 * For fault tests: {@link #freeze()} / {@link #thaw()} (SIGSTOP/SIGCONT: sockets stay open, nothing
 * answers). Not thread-safe: start and stop from one thread.
 */
public final class YateServer implements AutoCloseable {

  /** The address every listener binds to. */
  public static final String HOST = "127.0.0.1";

  private static final List<String> MODULES =
      List.of(
          "extmodule",
          "rmanager",
          "regexroute",
          "tonegen",
          "dumbchan",
          "wavefile",
          "ysipchan",
          "yrtpchan",
          "conference",
          "callfork",
          "pbx",
          "cdrbuild");

  private final YateInstall install;
  private final Map<String, String> extraRoutes;
  private final Duration startTimeout;
  private final String rmanagerPassword = UUID.randomUUID().toString();
  private Path dir;
  private int extmodulePort;
  private int globalListenerPort;
  private int sipPort;
  private int rmanagerPort;
  private Process process;

  private YateServer(Builder b) {
    this.install = b.install;
    this.extraRoutes = new LinkedHashMap<>(b.routes);
    this.startTimeout = b.startTimeout;
  }

  /**
   * A builder for the Yate named by {@link YateInstall#fromEnvironment()}.
   *
   * @return the builder
   * @throws IllegalStateException if no Yate is named
   */
  public static Builder builder() {
    return new Builder(
        YateInstall.fromEnvironment()
            .orElseThrow(
                () ->
                    new IllegalStateException(YateInstall.unavailableReason().orElse("no Yate"))));
  }

  /**
   * Writes the configuration, starts Yate and waits until its extmodule listener answers.
   *
   * @return this server
   */
  public YateServer start() {
    try {
      dir = Files.createTempDirectory("sip-adapter-yate-");
      Files.createDirectories(dir.resolve("conf"));
      Files.createDirectories(dir.resolve("rec"));
      extmodulePort = freeTcpPort();
      globalListenerPort = freeTcpPort();
      rmanagerPort = freeTcpPort();
      sipPort = freeUdpPort();
      for (Map.Entry<String, String> f : config().entrySet()) {
        Files.writeString(dir.resolve("conf").resolve(f.getKey()), f.getValue());
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(install.executable().toString());
      cmd.addAll(
          List.of(
              "-c",
              dir.resolve("conf").toString(),
              "-m",
              install.moduleDir().toString(),
              "-e",
              install.shareDir().toString(),
              "-l",
              logPath().toString(),
              "-vv"));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("LD_LIBRARY_PATH", install.libraryDir().toString());
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("output.txt").toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Yate", e);
    }
    awaitListening();
    return this;
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String log = logTail();
        int status = process.exitValue();
        close();
        throw new IllegalStateException(
            "Yate exited with status " + status + " while starting; log:\n" + log);
      }
      try (YateProbe p = probe()) {
        p.dispatch("engine.status", "module", "sip");
        return;
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        // Yate has no readiness signal before its listener accepts
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    String log = logTail();
    close();
    throw new IllegalStateException(
        "Yate's extmodule listener did not answer within " + startTimeout + "; log:\n" + log, last);
  }

  /**
   * Opens a {@link YateProbe} on the listener without preset role.
   *
   * @return a connected probe; close it
   */
  public YateProbe probe() {
    return new YateProbe(HOST, extmodulePort, Duration.ofSeconds(10));
  }

  /** Stops the process (SIGSTOP): its sockets stay open and nothing answers. */
  public void freeze() {
    signal("STOP");
  }

  /** Resumes a {@link #freeze()}d process (SIGCONT). */
  public void thaw() {
    signal("CONT");
  }

  private void signal(String signal) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("Yate is not running");
    }
    try {
      Process p =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Stops Yate (SIGCONT first, in case it is frozen, then SIGTERM, SIGKILL after 10 s). */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    if (process.isAlive()) {
      try {
        signal("CONT");
      } catch (RuntimeException ignored) {
        // it may have exited meanwhile
      }
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    process = null;
    deleteDirectory();
  }

  private void deleteDirectory() {
    if (dir == null) {
      return;
    }
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind
    }
  }

  /** Returns the host of every listener. */
  public String host() {
    return HOST;
  }

  /** Returns the port of the extmodule listener without preset role. */
  public int extmodulePort() {
    return extmodulePort;
  }

  /** Returns the port of the extmodule listener with {@code role=global}. */
  public int globalListenerPort() {
    return globalListenerPort;
  }

  /** Returns ysipchan's UDP port. */
  public int sipPort() {
    return sipPort;
  }

  /** Returns the console's port. */
  public int rmanagerPort() {
    return rmanagerPort;
  }

  /** Returns the console's password ({@code rmanager.conf} {@code password=}). */
  public String rmanagerPassword() {
    return rmanagerPassword;
  }

  /** Returns the instance directory. */
  public Path directory() {
    return dir;
  }

  /** Returns the directory recordings may be written to. */
  public Path recordingDir() {
    return dir.resolve("rec");
  }

  /** Returns Yate's log file. */
  public Path logPath() {
    return dir.resolve("yate.log");
  }

  /** Returns the pid, while running. */
  public OptionalLong pid() {
    return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
  }

  /**
   * Returns the last lines of Yate's log, for failure messages.
   *
   * @return up to 60 lines
   */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(logPath(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The configuration files, by name. */
  Map<String, String> config() {
    Map<String, String> files = new LinkedHashMap<>();
    StringBuilder yate = new StringBuilder("[general]\nmodload=disable\n\n[modules]\n");
    MODULES.forEach(m -> yate.append(m).append(".yate=true\n"));
    files.put("yate.conf", yate.toString());
    files.put(
        "extmodule.conf",
        "[general]\n\n[listener sdk]\ntype=tcp\naddr="
            + HOST
            + "\nport="
            + extmodulePort
            + "\n\n[listener sdk-global]\ntype=tcp\naddr="
            + HOST
            + "\nport="
            + globalListenerPort
            + "\nrole=global\n");
    files.put(
        "rmanager.conf",
        "[general]\naddr="
            + HOST
            + "\nport="
            + rmanagerPort
            + "\npassword="
            + rmanagerPassword
            + "\n");
    files.put("ysipchan.conf", "[general]\naddr=" + HOST + "\nport=" + sipPort + "\n");
    String self = "@" + HOST + ":" + sipPort;
    StringBuilder routes = new StringBuilder("[default]\n");
    extraRoutes.forEach((k, v) -> routes.append(k).append('=').append(v).append('\n'));
    routes
        .append("^100$=sip/sip:loop100")
        .append(self)
        .append('\n')
        .append("^200$=sip/sip:loop200")
        .append(self)
        .append('\n')
        .append("^408$=sip/sip:loop408")
        .append(self)
        .append('\n')
        .append("^1486$=sip/sip:loop486")
        .append(self)
        .append('\n')
        .append("^in\\(.*\\)$=sip/sip:\\1")
        .append(self)
        .append('\n')
        .append("^loop100$=tone/ring\n")
        .append("^loop200$=tone/ring;timeout=2000\n")
        .append("^loop408$=dumb/\n")
        .append("^loop486$=-;error=busy\n")
        .append("^.*$=-;error=noroute\n");
    files.put("regexroute.conf", routes.toString());
    return files;
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  /** Builds a {@link YateServer}. */
  public static final class Builder {
    private final YateInstall install;
    private final Map<String, String> routes = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder(YateInstall install) {
      this.install = install;
    }

    /**
     * Adds a regexroute rule before the built-in ones.
     *
     * @param regex the called number's pattern, such as {@code ^4000$}
     * @param target the route, such as {@code tone/busy}
     * @return this builder
     */
    public Builder route(String regex, String target) {
      routes.put(regex, target);
      return this;
    }

    /**
     * Sets how long {@link YateServer#start()} waits for the listener.
     *
     * @param timeout the time
     * @return this builder
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Returns the server, not yet started.
     *
     * @return the server
     */
    public YateServer build() {
      return new YateServer(this);
    }
  }
}
