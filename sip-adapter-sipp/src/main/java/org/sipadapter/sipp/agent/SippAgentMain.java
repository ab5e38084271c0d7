package org.sipadapter.sipp.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Command line of the SIPp agent.
 *
 * <pre>
 * java -jar sip-adapter-sipp-VERSION-agent.jar agent --port 8080 [--bind 127.0.0.1]
 *     [--token-file FILE] [--max-runs 256] [--max-upload-bytes 262144] [--sipp /usr/bin/sipp]
 *     [--work-dir DIR] [--stop-grace-ms 5000] [--start-timeout-ms 60000]
 * </pre>
 *
 * <p>The token may also come from the environment variable {@code SIPP_AGENT_TOKEN}; it is never
 * accepted on the command line, where other local users could read it. Binding anything but
 * loopback without a token is refused. A shutdown hook kills every sipp child on exit.
 */
public final class SippAgentMain {

  private SippAgentMain() {}

  /**
   * Runs the agent until the JVM is stopped.
   *
   * @param args the options above; a leading {@code agent} word is accepted
   */
  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      // INFO to stderr unless the user brings a logging config; set before any logger exists
      System.setProperty(
          "logback.configurationFile", "org/sipadapter/sipp/agent/agent-logback.xml");
    }
    try {
      AgentConfig config = parse(args, System.getenv("SIPP_AGENT_TOKEN"));
      SippAgent agent = SippAgent.start(config);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    agent.close();
                    stopped.countDown();
                  },
                  "sipp-agent-shutdown"));
      System.out.println("SIPp agent listening on " + agent.baseUri());
      stopped.await();
    } catch (IllegalArgumentException e) {
      usage(System.err, e.getMessage());
      System.exit(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Parses the command line.
   *
   * @param args the arguments
   * @param envToken the token from the environment, or null
   * @return the config
   * @throws IllegalArgumentException for an unknown or malformed option
   */
  static AgentConfig parse(String[] args, String envToken) {
    AgentConfig.Builder b = AgentConfig.builder().port(8080);
    String token = envToken == null || envToken.isBlank() ? null : envToken.trim();
    int i = 0;
    if (args.length > 0 && args[0].equals("agent")) {
      i++;
    }
    for (; i < args.length; i++) {
      String opt = args[i];
      if (opt.equals("--help") || opt.equals("-h")) {
        throw new IllegalArgumentException("");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + opt);
      }
      String v = args[++i];
      switch (opt) {
        case "--port" -> b.port(intValue(opt, v));
        case "--bind" -> b.bind(v);
        case "--token-file" -> token = readToken(Path.of(v));
        case "--max-runs" -> b.maxRuns(intValue(opt, v));
        case "--max-upload-bytes" -> b.maxUploadBytes(intValue(opt, v));
        case "--max-scenarios" -> b.maxScenarios(intValue(opt, v));
        case "--log-cap-bytes" -> b.logCapBytes(intValue(opt, v));
        case "--sipp" -> b.sippBinary(v);
        case "--work-dir" -> b.workDir(Path.of(v));
        case "--stop-grace-ms" -> b.stopGrace(Duration.ofMillis(intValue(opt, v)));
        case "--start-timeout-ms" -> b.startTimeout(Duration.ofMillis(intValue(opt, v)));
        default -> throw new IllegalArgumentException("unknown option " + opt);
      }
    }
    return b.token(token).build();
  }

  private static String readToken(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read token file " + file + ": " + e.getMessage());
    }
  }

  private static int intValue(String opt, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " needs a number, got '" + v + "'");
    }
  }

  private static void usage(PrintStream out, String problem) {
    if (problem != null && !problem.isEmpty()) {
      out.println("error: " + problem);
    }
    out.println(
        "usage: java -jar sip-adapter-sipp-agent.jar agent [--port 8080] [--bind 127.0.0.1]\n"
            + "         [--token-file FILE] [--max-runs 256] [--max-upload-bytes 262144]\n"
            + "         [--max-scenarios 100] [--log-cap-bytes 1048576] [--sipp /usr/bin/sipp]\n"
            + "         [--work-dir DIR] [--stop-grace-ms 5000] [--start-timeout-ms 60000]\n"
            + "The token may also be given in SIPP_AGENT_TOKEN; it is required unless bound to"
            + " loopback.");
  }
}
