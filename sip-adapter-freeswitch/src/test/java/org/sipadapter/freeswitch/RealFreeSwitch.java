package org.sipadapter.freeswitch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real FreeSWITCH for the opt-in tests, run from an installed tree ({@code bin/freeswitch}, the
 * stock configuration in {@code etc/freeswitch}, modules in {@code lib/freeswitch/mod}) named by
 * {@value #HOME_PROPERTY} or {@value #HOME_ENV}. FreeSWITCH is in no package registry, so the tests
 * that need one are skipped when neither is set.
 *
 * <p>Each instance copies the stock configuration into a private directory and changes only what a
 * test machine needs: the event socket on 127.0.0.1 and a free port with its own password, the SIP
 * profiles on 127.0.0.1 and free ports (no STUN lookup), RTP ports of its own ({@link
 * #rtpStartPort}), the module list, a restricted event socket user, and the context {@code sdk}
 * (the external profile's context too):
 *
 * <ul>
 *   <li>{@code 2000}, {@code 3000}: answer and park;
 *   <li>{@code 2001}: busy ({@code USER_BUSY});
 *   <li>{@code 2003}: rings ({@code ring_ready}) and never answers;
 *   <li>{@code 4…}: parked unanswered, for inbound calls the adapter answers or rejects;
 *   <li>any other number: no route ({@code NO_ROUTE_DESTINATION}).
 * </ul>
 */
final class RealFreeSwitch implements AutoCloseable {
  static final String HOME_PROPERTY = "sipadapter.freeswitch.home";
  static final String HOME_ENV = "FREESWITCH_HOME";
  static final String LIMITED_USER = "esl-limited";
  static final String LIMITED_PASSWORD = "Limited-Secret-7";

  final String password = "Real-" + UUID.randomUUID();
  final int eslPort;
  final int internalSipPort;
  final int externalSipPort;

  /**
   * The first of this server's {@value #RTP_BLOCK} RTP ports. The stock range (16384-32768) is also
   * the stock range of Yate and overlaps Asterisk's and the SIPp media ports, and a stock
   * FreeSWITCH does not test a port before it offers it: a port another process holds makes the
   * call fail at answer ({@code Bind Error!}, {@code INCOMPATIBLE_DESTINATION}). So each server
   * gets a block above the kernel's ephemeral ports (61000-64999, none of those servers' stock
   * ranges) and tests its ports ({@code rtp-port-usage-robustness}).
   */
  final int rtpStartPort;

  static final int RTP_BLOCK = 1000;
  private final Path home;
  private final Path base;
  private final Process process;

  /** The JUnit condition: skips a test class when no FreeSWITCH is named. */
  static final class Available implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return unavailableReason()
          .map(r -> ConditionEvaluationResult.disabled("Skipped: " + r))
          .orElseGet(() -> ConditionEvaluationResult.enabled("real FreeSWITCH available"));
    }
  }

  static Optional<Path> home() {
    String configured = System.getProperty(HOME_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(HOME_ENV);
    }
    return configured == null || configured.isBlank()
        ? Optional.empty()
        : Optional.of(Path.of(configured));
  }

  static Optional<String> unavailableReason() {
    Optional<Path> home = home();
    if (home.isEmpty()) {
      return Optional.of(
          "no FreeSWITCH: set -D"
              + HOME_PROPERTY
              + " or "
              + HOME_ENV
              + " to an installed FreeSWITCH (bin/freeswitch, etc/freeswitch)");
    }
    if (!Files.isExecutable(home.get().resolve("bin/freeswitch"))
        || !Files.isDirectory(home.get().resolve("etc/freeswitch"))) {
      return Optional.of("no bin/freeswitch with etc/freeswitch under " + home.get());
    }
    return Optional.empty();
  }

  RealFreeSwitch() throws IOException, InterruptedException {
    this.home = home().orElseThrow();
    this.base = Files.createTempDirectory("real-freeswitch");
    this.eslPort = freeTcpPort();
    this.internalSipPort = freeTcpPort();
    this.externalSipPort = freeTcpPort();
    this.rtpStartPort =
        61000 + RTP_BLOCK * java.util.concurrent.ThreadLocalRandom.current().nextInt(4);
    Path conf = base.resolve("conf");
    copyTree(home.resolve("etc/freeswitch"), conf);
    configure(conf);
    for (String dir : List.of("log", "db", "run", "tmp", "storage", "recordings", "cache")) {
      Files.createDirectories(base.resolve(dir));
    }
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/freeswitch").toString());
    command.addAll(List.of("-nf", "-nc", "-nonat"));
    command.addAll(List.of("-base", base.toString(), "-conf", conf.toString()));
    command.addAll(List.of("-mod", home.resolve("lib/freeswitch/mod").toString()));
    for (String dir : List.of("log", "db", "run", "temp", "storage", "recordings", "cache")) {
      String local = dir.equals("temp") ? "tmp" : dir;
      command.addAll(List.of("-" + dir, base.resolve(local).toString()));
    }
    command.addAll(List.of("-sounds", home.resolve("share/freeswitch/sounds").toString()));
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("stdout.txt").toFile())
            .start();
    awaitReady();
  }

  /** The server's {@code version} line, e.g. {@code FreeSWITCH Version 1.10.12-release...}. */
  String version() {
    return api("version").trim();
  }

  String host() {
    return "127.0.0.1";
  }

  /** Runs one {@code api} command on a connection of its own and returns the body. */
  String api(String command) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host(), eslPort), 5_000);
      s.setSoTimeout(30_000);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      readFrame(in); // auth/request
      out.write(("auth " + password + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      Frame auth = readFrame(in);
      if (!auth.headers.getOrDefault("Reply-Text", "").startsWith("+OK")) {
        throw new IllegalStateException("auth refused: " + auth.headers);
      }
      out.write(("api " + command + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      Frame reply = readFrame(in);
      return reply.body.isEmpty() ? reply.headers.getOrDefault("Reply-Text", "") : reply.body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void freeze() {
    signal("STOP");
  }

  void thaw() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
          .inheritIO()
          .start()
          .waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The tail of FreeSWITCH's own log, for a failing test's message. */
  String logTail() {
    try {
      Path log = base.resolve("log/freeswitch.log");
      if (!Files.exists(log)) {
        log = base.resolve("stdout.txt");
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  /**
   * Copies FreeSWITCH's log and console output into {@code dir} (created if needed), so a failed
   * test can be explained after {@link #close()} has deleted the server's directory.
   */
  void keepLogs(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : List.of("log/freeswitch.log", "stdout.txt")) {
      Path file = base.resolve(name);
      if (Files.exists(file)) {
        Files.copy(
            file, dir.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    thaw();
    try {
      api("fsctl shutdown");
    } catch (RuntimeException ignored) {
      // already gone
    }
    if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(base)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private void awaitReady() throws InterruptedException, IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("FreeSWITCH exited at start:\n" + logTail());
      }
      try {
        String status = api("sofia status");
        if (status.contains("external") && status.contains("internal")) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      Thread.sleep(200);
    }
    close();
    throw new IllegalStateException("FreeSWITCH not ready in 60 s:\n" + logTail(), last);
  }

  private void configure(Path conf) throws IOException {
    Files.writeString(
        conf.resolve("autoload_configs/event_socket.conf.xml"),
        """
        <configuration name="event_socket.conf" description="Socket Client">
          <settings>
            <param name="nat-map" value="false"/>
            <param name="listen-ip" value="127.0.0.1"/>
            <param name="listen-port" value="%d"/>
            <param name="password" value="%s"/>
          </settings>
        </configuration>
        """
            .formatted(eslPort, password));
    StringBuilder modules = new StringBuilder();
    for (String m :
        List.of(
            "mod_console",
            "mod_logfile",
            "mod_event_socket",
            "mod_sofia",
            "mod_loopback",
            "mod_commands",
            "mod_conference",
            "mod_db",
            "mod_dptools",
            "mod_hash",
            "mod_dialplan_xml",
            "mod_sndfile",
            "mod_native_file",
            "mod_tone_stream")) {
      modules.append("    <load module=\"").append(m).append("\"/>\n");
    }
    Files.writeString(
        conf.resolve("autoload_configs/modules.conf.xml"),
        "<configuration name=\"modules.conf\" description=\"Modules\">\n  <modules>\n"
            + modules
            + "  </modules>\n</configuration>\n");
    Path vars = conf.resolve("vars.xml");
    String v = Files.readString(vars);
    v =
        v.replace("default_password=1234", "default_password=" + UUID.randomUUID())
            .replace("stun:stun.freeswitch.org", "127.0.0.1")
            .replace("internal_sip_port=5060", "internal_sip_port=" + internalSipPort)
            .replace("external_sip_port=5080", "external_sip_port=" + externalSipPort)
            .replace(
                "<include>",
                "<include>\n  <X-PRE-PROCESS cmd=\"set\" data=\"local_ip_v4=127.0.0.1\"/>");
    Files.writeString(vars, v);
    Path switchConf = conf.resolve("autoload_configs/switch.conf.xml");
    String rtp =
        Files.readString(switchConf)
            .replace(
                "<!-- <param name=\"rtp-start-port\" value=\"16384\"/> -->",
                "<param name=\"rtp-start-port\" value=\"" + rtpStartPort + "\"/>")
            .replace(
                "<!-- <param name=\"rtp-end-port\" value=\"32768\"/> -->",
                "<param name=\"rtp-end-port\" value=\"" + (rtpStartPort + RTP_BLOCK) + "\"/>")
            .replace(
                "<!-- <param name=\"rtp-port-usage-robustness\" value=\"true\"/> -->",
                "<param name=\"rtp-port-usage-robustness\" value=\"true\"/>");
    if (!rtp.contains("<param name=\"rtp-port-usage-robustness\" value=\"true\"/>")
        || !rtp.contains("<param name=\"rtp-start-port\"")
        || !rtp.contains("<param name=\"rtp-end-port\"")) {
      throw new IllegalStateException("no stock RTP port settings to change in " + switchConf);
    }
    Files.writeString(switchConf, rtp);
    Files.deleteIfExists(conf.resolve("sip_profiles/internal-ipv6.xml"));
    Files.deleteIfExists(conf.resolve("sip_profiles/external-ipv6.xml"));
    for (String profile : List.of("internal.xml", "external.xml")) {
      Path p = conf.resolve("sip_profiles/" + profile);
      String text = Files.readString(p).replace("$${local_ip_v4}", "127.0.0.1");
      if (profile.equals("external.xml")) {
        text = text.replace("name=\"context\" value=\"public\"", "name=\"context\" value=\"sdk\"");
      }
      Files.writeString(p, text);
    }
    Files.writeString(
        conf.resolve("dialplan/sdk.xml"),
        """
        <include>
          <context name="sdk">
            <extension name="answer"><condition field="destination_number" expression="^(2000|3000)$">
              <action application="answer"/><action application="park"/></condition></extension>
            <extension name="busy"><condition field="destination_number" expression="^2001$">
              <action application="hangup" data="USER_BUSY"/></condition></extension>
            <extension name="rings"><condition field="destination_number" expression="^2003$">
              <action application="ring_ready"/><action application="park"/></condition></extension>
            <extension name="inbound"><condition field="destination_number" expression="^4\\d+$">
              <action application="park"/></condition></extension>
          </context>
        </include>
        """);
    Files.writeString(
        conf.resolve("directory/default/" + LIMITED_USER + ".xml"),
        """
        <include>
          <user id="%s">
            <params>
              <param name="esl-password" value="%s"/>
              <param name="esl-allowed-events" value="CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP"/>
            </params>
          </user>
        </include>
        """
            .formatted(LIMITED_USER, LIMITED_PASSWORD));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private record Frame(Map<String, String> headers, String body) {}

  private static Frame readFrame(InputStream in) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    while (true) {
      String line = readLine(in);
      if (line.isEmpty()) {
        if (headers.isEmpty()) {
          continue;
        }
        break;
      }
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon), line.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
    byte[] body = in.readNBytes(length);
    return new Frame(headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("closed");
      }
      line.write(b);
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
