package org.sipadapter.sipp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sipadapter.sipp.agent.SippAgentMain;

/**
 * The SIPp agent as its own process ({@code java ... SippAgentMain agent --port 0}), as users run
 * it, so tests can freeze it with SIGSTOP and thaw it with SIGCONT: the kernel then keeps accepting
 * connections and holds the requests, which the agent carries out when thawed.
 */
final class AgentProcess implements AutoCloseable {
  private static final String PREFIX = "SIPp agent listening on ";

  private final Process process;
  private final URI baseUri;

  private AgentProcess(Process process, URI baseUri) {
    this.process = process;
    this.baseUri = baseUri;
  }

  /**
   * Starts an agent with the default settings on a free loopback port.
   *
   * @param token the bearer token (passed in the environment, as users do)
   * @param log where the agent's log goes
   * @return the running agent
   */
  static AgentProcess start(String token, Path log) {
    return start(token, log, List.of());
  }

  /**
   * Starts an agent with the default settings and these extra command-line options.
   *
   * @param token the bearer token (passed in the environment, as users do)
   * @param log where the agent's log goes
   * @param options more options, such as {@code --work-dir DIR}
   * @return the running agent
   */
  static AgentProcess start(String token, Path log, List<String> options) {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(List.of("-cp", classPath, SippAgentMain.class.getName(), "agent", "--port", "0"));
    cmd.addAll(options);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    pb.environment().put("SIPP_AGENT_TOKEN", token);
    try {
      Process p = pb.start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(PREFIX)) {
          return new AgentProcess(p, URI.create(line.substring(PREFIX.length()).trim()));
        }
      }
      p.destroyForcibly();
      throw new IllegalStateException("the agent exited at start; see " + log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return baseUri.getPort();
  }

  URI baseUri() {
    return baseUri;
  }

  long pid() {
    return process.pid();
  }

  /** SIGSTOP: the agent stops dead; its sipp children go on. */
  void freeze() {
    signal("STOP");
  }

  /** SIGCONT: the agent carries out what it was sent while frozen. */
  void thaw() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      int rc =
          new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start()
              .waitFor();
      if (rc != 0 && process.isAlive()) {
        throw new IllegalStateException("kill -" + name + " failed with " + rc);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Thaws and stops the agent (SIGTERM: it ends its sipp runs first). */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    thaw();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
