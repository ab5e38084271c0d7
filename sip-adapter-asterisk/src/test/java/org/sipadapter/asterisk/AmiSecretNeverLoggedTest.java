package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallState;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.tck.EventRecorder;
import org.slf4j.LoggerFactory;

/**
 * The AMI secret, and the MD5 key made from it, reach no log line at any level: the whole dialogue
 * (login, a call, a refused login, logoff) runs with every logger at TRACE into a list.
 */
class AmiSecretNeverLoggedTest {
  private static final String SECRET = "amipass";

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final EventRecorder events = new EventRecorder();
  private Level previous;
  private AmiEmulator pbx;

  @BeforeEach
  void captureEverything() {
    previous = root.getLevel();
    root.setLevel(Level.ALL);
    captured.start();
    root.addAppender(captured);
    pbx = AmiEmulator.create().start();
  }

  @AfterEach
  void release() {
    pbx.close();
    root.detachAppender(captured);
    root.setLevel(previous);
  }

  private AsteriskAdapter adapter(String secret, String authType) {
    AsteriskAdapter a =
        new AsteriskAdapter(
            AdapterConfig.builder("asterisk")
                .name("pbx-secret")
                .server(pbx.host(), pbx.port())
                .auth("admin", secret)
                .option("authType", authType)
                .timeouts(
                    new Timeouts(
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30)))
                .build());
    a.addListener(events);
    return a;
  }

  private List<String> loggedText() {
    List<String> texts = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(captured.list)) {
      texts.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        texts.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }
    return texts;
  }

  private void callAndClose(AsteriskAdapter a) {
    a.connect();
    String callId = a.makeCall("1000", "2000");
    await().until(() -> events.states(callId).contains(CallState.CONNECTED));
    a.hangup(callId);
    await().until(() -> events.ended(callId));
    a.close();
  }

  @Test
  void plainSecretIsNeverLogged() {
    callAndClose(adapter(SECRET, "plain"));
    assertThatThrownBy(() -> adapter(SECRET + "-wrong", "plain").connect())
        .isInstanceOf(AuthenticationException.class);

    assertThat(loggedText()).anyMatch(t -> t.contains("Secret: ***"));
    assertThat(loggedText()).noneMatch(t -> t.contains(SECRET));
  }

  @Test
  void md5KeyAndSecretAreNeverLogged() {
    callAndClose(adapter(SECRET, "md5"));
    String key = sentKey();

    assertThat(key).hasSize(32);
    assertThat(loggedText()).anyMatch(t -> t.contains("Key: ***"));
    assertThat(loggedText()).noneMatch(t -> t.contains(SECRET) || t.contains(key));
  }

  private String sentKey() {
    for (Frame f : pbx.receivedFrames()) {
      AmiMessage m = AmiMessage.parse(f.bytes());
      if (m.get("Action", "").equalsIgnoreCase("Login")) {
        return m.get("Key", "");
      }
    }
    throw new AssertionError("no Login reached the emulator");
  }
}
