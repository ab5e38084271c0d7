package org.sipadapter.testkit.esl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EslEmulatorTest {
  private final EslEmulator emulator = new EslEmulator("pw").start();

  @AfterEach
  void close() {
    emulator.close();
  }

  /** A bare client: writes commands, reads whole frames (header block + Content-Length body). */
  private static final class Client implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Client(EslEmulator e) throws IOException {
      socket = new Socket(e.host(), e.port());
      socket.setSoTimeout(5000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    void send(String command) throws IOException {
      out.write((command + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Returns the next frame as text, or null at end of stream. */
    String frame() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int prev = -1;
      while (true) {
        int b = in.read();
        if (b < 0) {
          return null;
        }
        if (b == '\n' && prev == '\n') {
          break;
        }
        if (!(b == '\n' && head.size() == 0)) {
          head.write(b);
        }
        prev = b;
      }
      String h = head.toString(StandardCharsets.UTF_8);
      int at = h.indexOf("Content-Length: ");
      if (at < 0) {
        return h;
      }
      int len = Integer.parseInt(h.substring(at + 16, h.indexOf('\n', at)).trim());
      return h + "\n" + new String(in.readNBytes(len), StandardCharsets.UTF_8);
    }

    String login() throws IOException {
      frame(); // auth/request
      send("auth pw");
      return frame();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void greetsWithAuthRequestAndAcceptsTheRightPassword() throws IOException {
    try (Client c = new Client(emulator)) {
      assertThat(c.frame()).isEqualTo("Content-Type: auth/request\n");
      c.send("auth pw");
      assertThat(c.frame()).contains("Reply-Text: +OK accepted");
    }
  }

  @Test
  void wrongPasswordGetsErrInvalidADisconnectNoticeAndTheClose() throws IOException {
    try (Client c = new Client(emulator)) {
      c.frame();
      c.send("auth nope");
      assertThat(c.frame()).contains("Reply-Text: -ERR invalid");
      assertThat(c.frame()).contains("text/disconnect-notice").contains("Disconnected, goodbye.");
      assertThat(c.frame()).isNull();
    }
  }

  @Test
  void bgapiRepliesWithTheJobUuidAndSendsBackgroundJobToSubscribers() throws IOException {
    try (Client c = new Client(emulator)) {
      c.login();
      c.send("event plain BACKGROUND_JOB");
      assertThat(c.frame()).contains("+OK event listener enabled plain");
      c.out.write("bgapi status\nJob-UUID: my-job\n\n".getBytes(StandardCharsets.UTF_8));
      assertThat(c.frame())
          .contains("Reply-Text: +OK Job-UUID: my-job")
          .contains("Job-UUID: my-job");
      String job = c.frame();
      assertThat(job)
          .contains("Event-Name: BACKGROUND_JOB")
          .contains("Job-UUID: my-job")
          .contains("FreeSWITCH (Version 1.10.12-release");
    }
  }

  @Test
  void busyOriginateEndsWithUserBusyInJsonWhenSubscribedInJson() throws IOException {
    emulator.route("5000", EslEmulator.Behavior.BUSY);
    try (Client c = new Client(emulator)) {
      c.login();
      c.send("event json CHANNEL_HANGUP BACKGROUND_JOB");
      c.frame();
      c.send("bgapi originate {origination_uuid=u-1}loopback/5000 &park()");
      c.frame();
      String hangup = c.frame();
      assertThat(hangup).contains("text/event-json").contains("\"Hangup-Cause\":\"USER_BUSY\"");
      String job;
      do {
        job = c.frame();
      } while (!job.contains("BACKGROUND_JOB"));
      assertThat(job).contains("\"_body\":\"-ERR USER_BUSY\\n\"");
      assertThat(emulator.call("u-1").phase()).isEqualTo(EslCall.Phase.ENDED);
    }
  }

  @Test
  void uuidKillOfAnUnknownChannelSaysNoSuchChannel() throws IOException {
    try (Client c = new Client(emulator)) {
      c.login();
      c.send("api uuid_kill 00000000-0000-4000-8000-000000000000");
      assertThat(c.frame()).endsWith("\n-ERR No such channel!\n");
      c.send("api nosuchapi x");
      assertThat(c.frame()).endsWith("-ERR nosuchapi Command not found!\n");
      c.send("foo bar");
      assertThat(c.frame()).contains("-ERR command not found");
    }
  }

  @Test
  void showChannelsAsJsonHasNoRowsKeyWhenIdle() throws IOException {
    try (Client c = new Client(emulator)) {
      c.login();
      c.send("api show channels as json");
      assertThat(c.frame()).endsWith("\n{\"row_count\": 0}");
    }
  }

  @Test
  void aOneMebibyteEventAndADropReachTheClient() throws IOException {
    try (Client c = new Client(emulator)) {
      c.login();
      c.send("event plain CUSTOM emulator::huge");
      c.frame();
      await().atMost(Duration.ofSeconds(60)).until(() -> emulator.sessionCount() == 1);
      emulator.injectHugeFrame(1 << 20);
      String huge = c.frame();
      // plain values are URL-encoded, "::" included, as FreeSWITCH sends them
      assertThat(huge).contains("Event-Subclass: emulator%3A%3Ahuge").hasSizeGreaterThan(1 << 20);
      emulator.dropAll();
      assertThat(c.frame()).isNull();
    }
  }
}
