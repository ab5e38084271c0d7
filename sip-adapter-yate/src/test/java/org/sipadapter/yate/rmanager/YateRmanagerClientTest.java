package org.sipadapter.yate.rmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AuthenticationException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Secret;
import org.sipadapter.testkit.emulator.FrameSplitter;
import org.sipadapter.testkit.emulator.TcpEmulator;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.yate.YateEmulator;
import org.sipadapter.testkit.yate.YateTranscript;
import org.sipadapter.yate.YateAdapter;

/**
 * The console client against a console that answers each recorded command with its recorded answer
 * (fixtures 02 and 04, password {@code yatepass}), banner and telnet bytes included.
 */
class YateRmanagerClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final TcpEmulator console = recordedConsole().start();
  private YateAdapter adapter;
  private YateEmulator yate;

  @AfterEach
  void close() {
    if (adapter != null) {
      adapter.close();
    }
    if (yate != null) {
      yate.close();
    }
    console.close();
  }

  /** Commands to the recorded answer bytes, from the rmanager transcripts. */
  private static TcpEmulator recordedConsole() {
    Map<String, byte[]> answers = new HashMap<>();
    byte[][] banner = new byte[1][];
    for (String name : List.of("04-status-uptime.txt", "03-auth-bad-password.txt")) {
      YateTranscript t = YateTranscript.read(Fixtures.get("yate-rmanager", name));
      String command = null;
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      for (YateTranscript.Record r : t.records()) {
        if (!r.fromServer()) {
          if (command != null) {
            answers.putIfAbsent(command, answer.toByteArray());
          }
          command = r.line();
          answer.reset();
        } else if (command == null) {
          banner[0] = r.bytes();
        } else {
          answer.writeBytes(r.bytes());
        }
      }
    }
    return new TcpEmulator(
        "rmanager",
        FrameSplitter.lines(),
        session ->
            new org.sipadapter.testkit.emulator.SessionHandler() {
              @Override
              public void onConnect(org.sipadapter.testkit.emulator.EmulatorSession s) {
                s.send(banner[0]);
              }

              @Override
              public void onFrame(
                  org.sipadapter.testkit.emulator.EmulatorSession s,
                  org.sipadapter.testkit.emulator.Frame f) {
                String cmd = f.text().strip();
                byte[] a = answers.get(cmd);
                s.send(
                    a != null
                        ? a
                        : "Don't you ever say Hello?\r\n".getBytes(StandardCharsets.US_ASCII));
                if (cmd.equals("quit")) {
                  s.close();
                }
              }
            });
  }

  @Test
  void readsBannerAuthenticatesAndParsesUptimeAndStatus() {
    try (YateRmanagerClient c =
        new YateRmanagerClient(console.host(), console.port(), Secret.of("yatepass"), TIMEOUT)) {
      assertThat(c.banner()).startsWith("YATE 6.4.1-devel1");
      assertThat(c.uptimeSeconds()).isEqualTo(8);
      Map<String, String> engine = c.status("engine");
      assertThat(engine).containsEntry("version", "6.4.1").containsEntry("plugins", "65");
      assertThat(c.status("nosuchmodule")).isEmpty();
    }
    assertThat(console.receivedFrames().get(0).text()).isEqualTo("auth yatepass\r\n");
  }

  @Test
  void aWrongPasswordIsAnAuthenticationExceptionThatDoesNotQuoteIt() {
    assertThatThrownBy(
            () ->
                new YateRmanagerClient(
                    console.host(), console.port(), Secret.of("wrongpass"), TIMEOUT))
        .isInstanceOf(AuthenticationException.class)
        .message()
        .doesNotContain("wrongpass");
  }

  @Test
  void moduleNamesThatCouldInjectACommandAreRefused() {
    try (YateRmanagerClient c =
        new YateRmanagerClient(console.host(), console.port(), Secret.empty(), TIMEOUT)) {
      assertThatThrownBy(() -> c.status("sip\r\ndrop all"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void theAdapterHealthReportCarriesConsoleFactsWhenConfigured() {
    yate = new YateEmulator().start();
    AdapterConfig config =
        AdapterConfig.builder("yate")
            .server(yate.host(), yate.port())
            .option("rmanagerHost", console.host())
            .option("rmanagerPort", console.port())
            .option("rmanagerPassword", "yatepass")
            .build();
    adapter = new YateAdapter(config);
    adapter.connect();

    Map<String, Object> details = adapter.healthCheck().details();

    assertThat(details).containsEntry("uptimeSeconds", 8L).containsEntry("engine.plugins", "65");
    assertThat(details.toString()).doesNotContain("yatepass");
    assertThat(config.toString()).doesNotContain("yatepass");
  }
}
