package org.sipadapter.testkit.asterisk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real Asterisk on loopback for tests: writes its configuration into a fresh instance directory,
 * starts {@code asterisk -f} on free loopback ports (AMI over TCP, PJSIP over UDP), waits until it
 * is fully booted, and stops it by its pid.
 *
 * <p>Each instance has its own directories under {@code /var/tmp/sip-adapter/asterisk-<n>} inside
 * the {@link AsteriskInstall}'s root: {@code etc} (the generated configuration), {@code db}
 * (astdb), {@code run} (pid file and control socket), {@code spool} (MixMonitor writes to {@code
 * spool/monitor}), {@code log} ({@code messages.log}) and {@code moh} (a generated tone for music
 * on hold). With a provisioned root (see {@code scripts/test.sh}) Asterisk runs through {@code
 * chroot} as the root's {@code asterisk} user and never touches the machine's own packages.
 *
 * <p>The generated configuration loads only the modules the tests need (PJSIP with one UDP
 * transport, Local channels, the dialplan, Dial, Playback, ConfBridge, MixMonitor, music on hold,
 * the bridge features for transfers, cdr_manager) so it starts in about a second. It has:
 *
 * <ul>
 *   <li>manager users {@link #ADMIN} (read and write {@code all}) for {@link #probe()}, and {@link
 *       #SDK} with exactly the classes {@code docs/asterisk.md} asks for; more with {@link
 *       Builder#managerUser}. Secrets are random per instance.
 *   <li>one PJSIP endpoint and AOR per {@link Builder#phone(String, int)} (a SIPp UAS on loopback),
 *       dialled as {@code PJSIP/<name>}; calls from loopback land in context {@code from-phones}.
 *   <li>one outbound registration per {@link Builder#registration(String, int)} (Asterisk registers
 *       a user at a registrar on loopback, such as Kamailio).
 *   <li>the contexts of {@code docs/asterisk.md} ({@code from-sdk}, {@code sdk-hold}, {@code
 *       sdk-conf}, {@code sdk-click} for click-to-call with {@code Dial(...,T)}, {@code
 *       sdk-transfer} for transfer targets), {@code sdk-targets} (Local-channel targets), {@code
 *       from-phones}, plus whatever {@link Builder#dialplan(String)} adds.
 *   <li>{@code features.conf} with {@code blindxfer => #1} and {@code atxfer => *2}.
 * </ul>
 *
 * <p>For fault tests: {@link #restart()} (same ports, calls gone), {@link #freeze()} / {@link
 * #thaw()} (SIGSTOP/SIGCONT: the AMI socket stays open and nothing answers), {@link #kill()}
 * (SIGKILL). Instances are not thread-safe: start, restart and stop from one thread.
 */
public final class AsteriskServer implements AutoCloseable {

  /** The loopback address every listener binds to. */
  public static final String HOST = "127.0.0.1";

  /** The manager user with every class, for {@link #probe()}. */
  public static final String ADMIN = "admin";

  /** The manager user with the classes {@code docs/asterisk.md} documents. */
  public static final String SDK = "sdk";

  /** {@code read=} of the {@link #SDK} user, as documented. */
  public static final String SDK_READ = "call,dtmf,system,user,dialplan,cdr";

  /** {@code write=} of the {@link #SDK} user, as documented. */
  public static final String SDK_WRITE = "call,originate,system,command,user,reporting";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.+-]+");
  private static final Pattern CLASSES = Pattern.compile("[a-z,]*");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final List<String> MODULES =
      List.of(
          "res_pjproject",
          "res_sorcery_config",
          "res_sorcery_memory",
          "res_sorcery_astdb",
          "res_pjsip",
          "res_pjsip_session",
          "res_pjsip_pubsub",
          "chan_pjsip",
          "res_pjsip_sdp_rtp",
          "res_rtp_asterisk",
          "res_pjsip_endpoint_identifier_ip",
          "res_pjsip_endpoint_identifier_user",
          "res_pjsip_caller_id",
          "res_pjsip_dtmf_info",
          "res_pjsip_outbound_registration",
          "res_pjsip_header_funcs",
          "res_timing_timerfd",
          "pbx_config",
          "app_dial",
          "app_playback",
          "app_echo",
          "app_senddtmf",
          "app_confbridge",
          "app_mixmonitor",
          "bridge_simple",
          "bridge_softmix",
          "bridge_native_rtp",
          "bridge_holding",
          "bridge_builtin_features",
          "res_musiconhold",
          "format_wav",
          "format_gsm",
          "format_pcm",
          "format_sln",
          "codec_ulaw",
          "codec_alaw",
          "codec_gsm",
          "cdr_manager",
          "func_channel",
          "func_callerid",
          "func_strings",
          "func_logic");

  private final AsteriskInstall install;
  private final Map<String, Integer> phones;
  private final Map<String, Integer> registrations;
  private final List<String[]> managerUsers;
  private final String dialplan;
  private final boolean cdr;
  private final Duration startTimeout;
  private final String adminSecret = secret();
  private final String sdkSecret = secret();

  private Path instance; // as Asterisk sees it
  private int amiPort;
  private int sipPort;
  private Process process;
  private int starts;

  private AsteriskServer(Builder b) {
    this.install = b.install;
    this.phones = Map.copyOf(b.phones);
    this.registrations = Map.copyOf(b.registrations);
    this.managerUsers = List.copyOf(b.managerUsers);
    this.dialplan = b.dialplan.toString();
    this.cdr = b.cdr;
    this.startTimeout = b.startTimeout;
  }

  /**
   * Returns a builder for the install named by {@link AsteriskInstall#fromEnvironment()}.
   *
   * @return the builder
   * @throws IllegalStateException if no install is named (see {@link
   *     AsteriskInstall#unavailableReason()})
   */
  public static Builder builder() {
    return new Builder(
        AsteriskInstall.fromEnvironment()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        AsteriskInstall.unavailableReason().orElse("no Asterisk install"))));
  }

  /**
   * Returns a builder for a given install.
   *
   * @param install where Asterisk is
   * @return the builder
   */
  public static Builder builder(AsteriskInstall install) {
    return new Builder(Objects.requireNonNull(install, "install"));
  }

  /**
   * Writes the configuration, starts Asterisk and waits until it is fully booted.
   *
   * @return this server
   * @throws IllegalStateException if it is already running, or Asterisk exits or does not boot
   *     within the start timeout (the message carries the end of its output)
   */
  public AsteriskServer start() {
    if (isRunning()) {
      throw new IllegalStateException("Asterisk is already running (pid " + process.pid() + ")");
    }
    try {
      if (instance == null) {
        prepare();
      }
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Asterisk in " + instanceDir(), e);
    }
    awaitBooted();
    return this;
  }

  /**
   * Stops Asterisk and starts it again on the same ports with the same configuration; every call it
   * had is gone.
   *
   * @return this server
   */
  public AsteriskServer restart() {
    stop();
    return start();
  }

  /**
   * Stops Asterisk: SIGTERM (after SIGCONT, in case it is frozen), SIGKILL if it has not exited
   * within 10 s. Does nothing when it is not running. Never throws.
   */
  public void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      signal("CONT");
    } catch (RuntimeException ignored) {
      // not running any more
    }
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    process = null;
  }

  /**
   * Kills Asterisk at once (SIGKILL), as a crash would: the AMI socket closes without a goodbye.
   */
  public void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /**
   * Suspends Asterisk (SIGSTOP): its sockets stay open and nothing is answered, as with a hung
   * server. {@link #thaw()} resumes it.
   *
   * @throws IllegalStateException if it is not running
   */
  public void freeze() {
    signal("STOP");
  }

  /** Resumes Asterisk after {@link #freeze()} (SIGCONT). */
  public void thaw() {
    signal("CONT");
  }

  /** Stops Asterisk (see {@link #stop()}); the instance directory and its logs are kept. */
  @Override
  public void close() {
    stop();
  }

  /** Tells whether the Asterisk process is alive. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The pid of the Asterisk process, if running. */
  public OptionalInt pid() {
    return isRunning() ? OptionalInt.of((int) process.pid()) : OptionalInt.empty();
  }

  /** The loopback host, {@value #HOST}. */
  public String host() {
    return HOST;
  }

  /** The AMI TCP port. */
  public int amiPort() {
    requireStarted();
    return amiPort;
  }

  /** The PJSIP UDP port. */
  public int sipPort() {
    requireStarted();
    return sipPort;
  }

  /** The secret of the {@link #SDK} manager user (random per instance). */
  public String sdkSecret() {
    return sdkSecret;
  }

  /** The secret of the {@link #ADMIN} manager user (random per instance). */
  public String adminSecret() {
    return adminSecret;
  }

  /** The install this server runs. */
  public AsteriskInstall install() {
    return install;
  }

  /** The instance directory, as the JVM sees it. */
  public Path instanceDir() {
    requireStarted();
    return install.outside(instance);
  }

  /** Where MixMonitor writes relative file names, as the JVM sees it. */
  public Path monitorDir() {
    return instanceDir().resolve("spool/monitor");
  }

  /** Asterisk's own log ({@code log/messages.log}), as the JVM sees it. */
  public Path logPath() {
    return instanceDir().resolve("log/messages.log");
  }

  /** Asterisk's console output (stdout and stderr, appended across restarts). */
  public Path outputPath() {
    return instanceDir().resolve("asterisk.out");
  }

  /** The last {@code lines} lines of the console output, for failure messages. */
  public String outputTail(int lines) {
    try {
      if (!Files.exists(outputPath())) {
        return "";
      }
      String[] all = Files.readString(outputPath(), StandardCharsets.UTF_8).split("\n", -1);
      return String.join(
          "\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    } catch (IOException e) {
      return "(cannot read " + outputPath() + ": " + e.getMessage() + ")";
    }
  }

  /**
   * Opens a raw AMI client logged in as {@link #ADMIN}.
   *
   * @return the probe; close it
   */
  public AmiProbe probe() {
    return AmiProbe.connect(HOST, amiPort(), ADMIN, adminSecret, Duration.ofSeconds(10));
  }

  /**
   * Connects a probe as {@link #ADMIN} that receives no events ({@code Events: off}): only the
   * replies to its own actions, so it cannot fall behind a burst of events and be dropped by
   * Asterisk. For counting channels during floods and faults.
   *
   * @return the logged-in probe
   */
  public AmiProbe quietProbe() {
    return AmiProbe.connect(HOST, amiPort(), ADMIN, adminSecret, Duration.ofSeconds(10), false);
  }

  /**
   * Runs one CLI command ({@code asterisk -rx}) on the running server.
   *
   * @param command the command, such as {@code core show channels}; no CR or LF
   * @return what the command printed
   * @throws IllegalStateException if the command cannot be run or does not end within 10 s
   */
  public String cli(String command) {
    Objects.requireNonNull(command, "command");
    if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a CLI command is one line");
    }
    List<String> cmd = asteriskCommand();
    cmd.addAll(List.of("-rx", command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("CLI command did not end: " + command);
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during CLI command " + command, e);
    }
  }

  @Override
  public String toString() {
    return instance == null
        ? "AsteriskServer[not started]"
        : "AsteriskServer[ami=" + HOST + ":" + amiPort + ", sip=" + HOST + ":" + sipPort + "]";
  }

  // --- internals -----------------------------------------------------------------------------

  private void prepare() throws IOException {
    Path base = install.outside(Path.of("/var/tmp/sip-adapter"));
    Files.createDirectories(base);
    Path dir = Files.createTempDirectory(base, "asterisk-");
    instance = Path.of("/var/tmp/sip-adapter").resolve(dir.getFileName().toString());
    for (String sub : List.of("etc", "db", "run", "spool/monitor", "log", "moh")) {
      Files.createDirectories(dir.resolve(sub));
    }
    Files.write(dir.resolve("moh/tone.ulaw"), tone());
    amiPort = freeTcpPort();
    sipPort = freeUdpPort();
    for (Map.Entry<String, String> file : renderConfig().entrySet()) {
      Files.writeString(dir.resolve("etc").resolve(file.getKey()), file.getValue());
    }
    if (!install.runUser().isEmpty()) {
      run(
          chrootPrefix(
              "chown", "-R", install.runUser() + ":" + install.runUser(), instance.toString()));
    }
  }

  private void launch() throws IOException {
    List<String> cmd = asteriskCommand();
    cmd.addAll(List.of("-f", "-n", "-q"));
    if (!install.runUser().isEmpty()) {
      cmd.addAll(List.of("-U", install.runUser(), "-G", install.runUser()));
    }
    Path out = outputPath();
    Files.writeString(
        out,
        "==== start " + (++starts) + ": " + String.join(" ", cmd) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    process = pb.start();
  }

  /** {@code [chroot ROOT] asterisk -C <instance>/etc/asterisk.conf}. */
  private List<String> asteriskCommand() {
    return chrootPrefix(install.executable().toString(), "-C", instance + "/etc/asterisk.conf");
  }

  private List<String> chrootPrefix(String... command) {
    List<String> cmd = new ArrayList<>();
    if (install.chroot()) {
      cmd.add("chroot");
      cmd.add(install.root().toString());
    }
    cmd.addAll(List.of(command));
    return cmd;
  }

  private void awaitBooted() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    Path ctl = instanceDir().resolve("run/asterisk.ctl");
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        int code = process.exitValue();
        process = null;
        throw new IllegalStateException(
            "Asterisk exited with status " + code + " while starting; output:\n" + outputTail(40));
      }
      if (Files.exists(ctl)) {
        // The control socket is up: the CLI's own wait returns once every module has loaded.
        String out = cli("core waitfullybooted");
        if (out.contains("fully booted")) {
          return;
        }
      }
      try {
        // Polling a process that has no readiness signal before its control socket exists.
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop();
        throw new IllegalStateException("interrupted while waiting for Asterisk", e);
      }
    }
    stop();
    throw new IllegalStateException(
        "Asterisk did not boot within " + startTimeout + "; output:\n" + outputTail(40));
  }

  private void signal(String signal) {
    if (!isRunning()) {
      throw new IllegalStateException("Asterisk is not running");
    }
    run(List.of("kill", "-" + signal, Long.toString(process.pid())));
  }

  private static void run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /** The configuration files, by name. */
  Map<String, String> renderConfig() {
    Map<String, String> files = new LinkedHashMap<>();
    String i = instance.toString();
    files.put(
        "asterisk.conf",
        "[directories]\n"
            + "astetcdir => "
            + i
            + "/etc\n"
            + "astmoddir => "
            + install.moduleDir()
            + "\n"
            + "astvarlibdir => "
            + install.dataDir()
            + "\n"
            + "astdatadir => "
            + install.dataDir()
            + "\n"
            + "astdbdir => "
            + i
            + "/db\n"
            + "astkeydir => "
            + i
            + "/db\n"
            + "astagidir => "
            + install.dataDir()
            + "/agi-bin\n"
            + "astspooldir => "
            + i
            + "/spool\n"
            + "astrundir => "
            + i
            + "/run\n"
            + "astlogdir => "
            + i
            + "/log\n"
            + "[options]\n"
            + "transmit_silence = no\n"
            + "cache_media_frames = no\n");
    StringBuilder modules = new StringBuilder("[modules]\nautoload = no\n");
    for (String m : MODULES) {
      if (!m.equals("cdr_manager") || cdr) {
        modules.append("load = ").append(m).append(".so\n");
      }
    }
    files.put("modules.conf", modules.toString());
    files.put("logger.conf", "[general]\n[logfiles]\nmessages.log => notice,warning,error\n");
    StringBuilder manager =
        new StringBuilder(
            "[general]\nenabled = yes\nbindaddr = "
                + HOST
                + "\nport = "
                + amiPort
                + "\ndisplayconnects = no\n\n");
    managerUser(manager, ADMIN, adminSecret, "all", "all");
    managerUser(manager, SDK, sdkSecret, SDK_READ, SDK_WRITE);
    for (String[] u : managerUsers) {
      managerUser(manager, u[0], u[1], u[2], u[3]);
    }
    files.put("manager.conf", manager.toString());
    StringBuilder pjsip =
        new StringBuilder(
            "[udp]\ntype = transport\nprotocol = udp\nbind = "
                + HOST
                + ":"
                + sipPort
                + "\n\n"
                + "[phones-in]\ntype = endpoint\ncontext = from-phones\ndisallow = all\n"
                + ENDPOINT_MEDIA
                + "[phones-in]\ntype = identify\nendpoint = phones-in\nmatch = "
                + HOST
                + "\n\n");
    phones.forEach(
        (name, port) ->
            pjsip
                .append('[')
                .append(name)
                .append("]\ntype = endpoint\ncontext = from-phones\n")
                .append(ENDPOINT_MEDIA)
                .append("aors = ")
                .append(name)
                .append("\n\n[")
                .append(name)
                .append("]\ntype = aor\ncontact = sip:")
                .append(name)
                .append('@')
                .append(HOST)
                .append(':')
                .append(port)
                .append("\n\n"));
    registrations.forEach(
        (user, port) ->
            pjsip
                .append("[register-")
                .append(user)
                .append("]\ntype = registration\ntransport = udp\nserver_uri = sip:")
                .append(HOST)
                .append(':')
                .append(port)
                .append("\nclient_uri = sip:")
                .append(user)
                .append('@')
                .append(HOST)
                .append(':')
                .append(port)
                .append("\ncontact_user = ")
                .append(user)
                .append("\nexpiration = 300\nretry_interval = 2\nforbidden_retry_interval = 2\n")
                .append("max_retries = 1000\n\n"));
    files.put("pjsip.conf", pjsip.toString());
    files.put("rtp.conf", "[general]\nrtpstart = 20000\nrtpend = 29999\n");
    files.put("extensions.conf", DIALPLAN + dialplan);
    files.put("features.conf", "[general]\n[featuremap]\nblindxfer => #1\natxfer => *2\n");
    files.put(
        "confbridge.conf",
        "[general]\n[default_bridge]\ntype = bridge\n[default_user]\ntype = user\n"
            + "quiet = yes\n");
    files.put(
        "musiconhold.conf", "[general]\n[default]\nmode = files\ndirectory = " + i + "/moh\n");
    files.put("cdr.conf", "[general]\nenable = " + (cdr ? "yes" : "no") + "\n");
    files.put("cdr_manager.conf", "[general]\nenabled = " + (cdr ? "yes" : "no") + "\n");
    return files;
  }

  private static void managerUser(
      StringBuilder b, String name, String secret, String read, String write) {
    b.append('[')
        .append(name)
        .append("]\nsecret = ")
        .append(secret)
        .append("\nread = ")
        .append(read)
        .append("\nwrite = ")
        .append(write)
        .append("\n\n");
  }

  /**
   * Media settings of every endpoint: G.711, DTMF as SIP INFO, and media through Asterisk (no
   * re-INVITEs to connect phones directly, which a scripted SIPp phone would not expect).
   */
  private static final String ENDPOINT_MEDIA =
      "disallow = all\nallow = ulaw,alaw\ndtmf_mode = info\ndirect_media = no\n";

  /**
   * The dialplan every instance has: the contexts of {@code docs/asterisk.md} and the test targets.
   */
  static final String DIALPLAN =
      """
      [general]
      static = yes
      writeprotect = yes

      ; options.context: an answered originated channel lands here (docs/asterisk.md)
      [from-sdk]
      exten => _X.,1,NoOp(call ${EXTEN} placed by sip-adapter)
       same => n,Wait(3600)
       same => n,Hangup()
      exten => _X,1,NoOp(call ${EXTEN} placed by sip-adapter)
       same => n,Wait(3600)
       same => n,Hangup()

      ; click-to-call: the originated channel (the caller's phone) dials the callee with T, so
      ; the caller may transfer (Atxfer, BlindTransfer)
      [sdk-click]
      exten => _[0-9a-zA-Z].,1,Dial(PJSIP/${EXTEN},30,T)
       same => n,Hangup()
      exten => _[0-9a-zA-Z],1,Dial(PJSIP/${EXTEN},30,T)
       same => n,Hangup()
      exten => failed,1,Hangup()

      ; transfer targets (options.transferContext): fixed-length patterns, so Atxfer's digit
      ; collection ends at the last digit instead of matching a shorter prefix
      [sdk-transfer]
      exten => _2XXX,1,Dial(PJSIP/${EXTEN},30)
       same => n,Hangup()
      exten => _4XX,1,Dial(PJSIP/${EXTEN},30)
       same => n,Hangup()

      [sdk-hold]
      exten => hold,1,Answer()
       same => n,MusicOnHold(default)

      [sdk-conf]
      exten => _[0-9a-zA-Z].,1,Answer()
       same => n,ConfBridge(${EXTEN})
      exten => _[0-9a-zA-Z],1,Answer()
       same => n,ConfBridge(${EXTEN})
      exten => failed,1,Hangup()

      ; Local-channel targets (Local/<n>@sdk-targets), as in the recorded fixtures
      [sdk-targets]
      exten => 100,1,Answer()
       same => n,Wait(3600)
      exten => 200,1,Answer()
       same => n,Wait(2)
       same => n,Hangup(16)
      exten => 300,1,Answer()
       same => n,Wait(3600)
      exten => 301,1,Answer()
       same => n,Wait(3600)
      exten => 404,1,Hangup(1)
      exten => 408,1,Ringing()
       same => n,Wait(120)
      exten => 486,1,Busy(10)

      ; calls from the SIPp phones on loopback: ring and wait for the adapter
      [from-phones]
      exten => _X.,1,Ringing()
       same => n,Wait(3600)
      """;

  /** One second of a quiet 425 Hz tone as 8 kHz mu-law, so music on hold needs no sound package. */
  static byte[] tone() {
    byte[] b = new byte[8000];
    for (int n = 0; n < b.length; n++) {
      b[n] = ulaw((int) (2000 * Math.sin(2 * Math.PI * 425 * n / 8000.0)));
    }
    return b;
  }

  /** G.711 mu-law encoding of one 16-bit sample. */
  private static byte ulaw(int sample) {
    int sign = sample < 0 ? 0x80 : 0;
    int magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
    int exponent = 7;
    for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) {
      exponent--;
    }
    int mantissa = (magnitude >> (exponent + 3)) & 0x0f;
    return (byte) ~(sign | (exponent << 4) | mantissa);
  }

  private static String secret() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private void requireStarted() {
    if (instance == null) {
      throw new IllegalStateException("AsteriskServer has not been started");
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return s.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket d =
        new DatagramSocket(new InetSocketAddress(InetAddress.getByName(HOST), 0))) {
      return d.getLocalPort();
    }
  }

  /** Configures an {@link AsteriskServer}; not thread-safe. */
  public static final class Builder {
    private final AsteriskInstall install;
    private final Map<String, Integer> phones = new LinkedHashMap<>();
    private final Map<String, Integer> registrations = new LinkedHashMap<>();
    private final List<String[]> managerUsers = new ArrayList<>();
    private final StringBuilder dialplan = new StringBuilder();
    private boolean cdr = true;
    private Duration startTimeout = Duration.ofSeconds(30);

    private Builder(AsteriskInstall install) {
      this.install = install;
    }

    /**
     * Adds a PJSIP endpoint {@code name} whose AOR is a phone at {@code 127.0.0.1:port} (for
     * instance a SIPp UAS); Asterisk dials it as {@code PJSIP/<name>}.
     *
     * @param name the endpoint name, {@code [A-Za-z0-9_.+-]+}
     * @param port the phone's UDP port
     * @return this builder
     */
    public Builder phone(String name, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      phones.put(checkName(name), port);
      return this;
    }

    /**
     * Makes Asterisk register as {@code user} at the SIP registrar on {@code 127.0.0.1:port} (for
     * instance a {@code KamailioServer}) with a PJSIP outbound registration, so the registrar
     * routes calls for {@code user} to Asterisk, where they arrive in context {@code from-phones}
     * at extension {@code user}. Asterisk registers as it boots and retries every 2 s until the
     * registrar answers.
     *
     * @param user the registered user, {@code [A-Za-z0-9_.+-]+}
     * @param port the registrar's UDP port
     * @return this builder
     */
    public Builder registration(String user, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      registrations.put(checkName(user), port);
      return this;
    }

    /**
     * Adds a manager user.
     *
     * @param name the user, {@code [A-Za-z0-9_.+-]+}
     * @param secret its secret (letters and digits)
     * @param read its {@code read=} classes, such as {@code call,dtmf}
     * @param write its {@code write=} classes
     * @return this builder
     */
    public Builder managerUser(String name, String secret, String read, String write) {
      checkName(name);
      if (!secret.matches("[A-Za-z0-9]+")) {
        throw new IllegalArgumentException("secret must be letters and digits");
      }
      if (!CLASSES.matcher(read).matches() || !CLASSES.matcher(write).matches()) {
        throw new IllegalArgumentException("classes must match " + CLASSES.pattern());
      }
      managerUsers.add(new String[] {name, secret, read, write});
      return this;
    }

    /**
     * Appends contexts to {@code extensions.conf}.
     *
     * @param text dialplan text, such as {@code "[ctx]\nexten => s,1,Answer()\n"}
     * @return this builder
     */
    public Builder dialplan(String text) {
      dialplan.append('\n').append(Objects.requireNonNull(text, "text")).append('\n');
      return this;
    }

    /**
     * Whether CDRs are on and sent as {@code Cdr} events by cdr_manager; on by default.
     *
     * @param enabled true to enable
     * @return this builder
     */
    public Builder cdr(boolean enabled) {
      this.cdr = enabled;
      return this;
    }

    /**
     * How long {@link AsteriskServer#start()} waits for Asterisk to boot; default 30 s.
     *
     * @param timeout the wait
     * @return this builder
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Builds the (not yet started) server.
     *
     * @return the server
     */
    public AsteriskServer build() {
      return new AsteriskServer(this);
    }

    private static String checkName(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("name must match " + NAME.pattern() + ": " + name);
      }
      return name;
    }
  }
}
