package org.sipadapter.testkit.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/** A real Asterisk 22 from the provisioned root, with a SIPp phone behind PJSIP. */
@RequiresAsterisk
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsteriskServerTest {
  private SippProcess phone;
  private AsteriskServer asterisk;

  @BeforeAll
  void start() {
    phone = SippProcess.uas(UasScenario.ANSWER).start();
    asterisk = AsteriskServer.builder().phone("2000", phone.port()).build().start();
  }

  @AfterAll
  void stop() {
    if (asterisk != null) {
      asterisk.close();
    }
    if (phone != null) {
      phone.close();
    }
  }

  @Test
  void servesAmi22WithPjsipOnItsOwnPortsAndDirectories() {
    try (AmiProbe probe = asterisk.probe()) {
      assertThat(probe.banner()).isEqualTo("Asterisk Call Manager/11.0.0");
      AmiMessage settings = probe.action(AmiMessage.builder().add("Action", "CoreSettings"));
      assertThat(settings.get("AsteriskVersion", "")).startsWith("22.");
    }
    assertThat(asterisk.cli("pjsip show endpoints")).contains("2000");
    assertThat(asterisk.instanceDir().resolve("run/asterisk.ctl")).exists();
    assertThat(asterisk.instanceDir().resolve("etc/manager.conf")).exists();
  }

  @Test
  void originatesARealPjsipCallToTheSippPhone() {
    try (AmiProbe probe = asterisk.probe()) {
      AmiMessage reply =
          probe.action(
              AmiMessage.builder()
                  .add("Action", "Originate")
                  .add("Channel", "PJSIP/2000")
                  .add("Context", "from-sdk")
                  .add("Exten", "2000")
                  .add("Priority", "1")
                  .add("Async", "true")
                  .add("ChannelId", "probe-call-1"));
      assertThat(reply.get("Response", "")).isEqualTo("Success");
      AmiMessage outcome = probe.await(m -> m.get("Event", "").equals("OriginateResponse"));
      assertThat(outcome.get("Response", "")).isEqualTo("Success");
      List<AmiMessage> channels = probe.channels();
      assertThat(channels)
          .anySatisfy(c -> assertThat(c.get("Channel", "")).startsWith("PJSIP/2000-"));

      probe.action(AmiMessage.builder().add("Action", "Hangup").add("Channel", "probe-call-1"));
      probe.await(
          m -> m.get("Event", "").equals("Hangup") && m.get("Uniqueid", "").equals("probe-call-1"));
    }
  }

  @Test
  void freezeStopsAnsweringAndThawResumes() throws IOException {
    try (AmiProbe probe = asterisk.probe()) {
      asterisk.freeze();
      try (Socket s = new Socket(asterisk.host(), asterisk.amiPort())) {
        s.setSoTimeout(300);
        // The kernel accepts the connection; the frozen Asterisk sends no banner.
        assertThatThrownBy(() -> s.getInputStream().read())
            .isInstanceOf(java.net.SocketTimeoutException.class);
      } finally {
        asterisk.thaw();
      }
      AmiMessage pong = probe.action(AmiMessage.builder().add("Action", "Ping"));
      assertThat(pong.get("Ping", "")).isEqualTo("Pong");
    }
  }

  @Test
  void restartKeepsThePortsAndDropsTheOldSessions() {
    int port = asterisk.amiPort();
    AmiProbe before = asterisk.probe();
    long pid = asterisk.pid().orElseThrow();

    asterisk.restart();

    assertThat(asterisk.amiPort()).isEqualTo(port);
    assertThat(asterisk.pid().orElseThrow()).isNotEqualTo(pid);
    assertThatThrownBy(() -> before.action(AmiMessage.builder().add("Action", "Ping")))
        .isInstanceOfAny(IllegalStateException.class, UncheckedIOException.class);
    before.close();
    try (AmiProbe after = asterisk.probe()) {
      assertThat(after.action(AmiMessage.builder().add("Action", "Ping")).get("Ping", ""))
          .isEqualTo("Pong");
    }
  }

  @Test
  void theSdkUserHasTheDocumentedClassesAndARandomSecret() {
    assertThat(asterisk.sdkSecret()).isNotEqualTo(asterisk.adminSecret()).hasSize(24);
    try (AmiProbe sdk =
        AmiProbe.connect(
            asterisk.host(),
            asterisk.amiPort(),
            AsteriskServer.SDK,
            asterisk.sdkSecret(),
            Duration.ofSeconds(10))) {
      AmiMessage list = sdk.list(AmiMessage.builder().add("Action", "ConfbridgeListRooms")).get(0);
      assertThat(list.get("Message", "")).isNotEqualTo("Permission denied");
    }
    assertThatThrownBy(
            () ->
                AmiProbe.connect(
                    asterisk.host(), asterisk.amiPort(), "sdk", "wrong", Duration.ofSeconds(10)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining(asterisk.sdkSecret());
  }
}
