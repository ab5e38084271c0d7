package org.sipadapter.freeswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallState;
import org.sipadapter.testkit.esl.EslEmulator;
import org.sipadapter.testkit.tck.EventRecorder;
import org.slf4j.LoggerFactory;

/**
 * The event socket password reaches no log line at any level: a login, a call and a refused login
 * run with every logger at TRACE into a list.
 */
class EslPasswordNeverLoggedTest {
  private static final String PASSWORD = "ClueCon-secret-7";

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final EventRecorder events = new EventRecorder();
  private Level previous;
  private EslEmulator emulator;

  @BeforeEach
  void captureEverything() {
    previous = root.getLevel();
    root.setLevel(Level.ALL);
    captured.start();
    root.addAppender(captured);
    emulator = new EslEmulator(PASSWORD).route("2000", EslEmulator.Behavior.ANSWER).start();
  }

  @AfterEach
  void release() {
    emulator.close();
    root.detachAppender(captured);
    root.setLevel(previous);
  }

  @Test
  void passwordIsNeverLogged() {
    try (FreeSwitchAdapter a =
        new FreeSwitchAdapter(EslEmulatorFixture.configFor(emulator, PASSWORD))) {
      a.addListener(events);
      a.connect();
      String callId = a.makeCall("1000", "2000");
      await().until(() -> events.states(callId).contains(CallState.CONNECTED));
      a.hangup(callId);
      await().until(() -> events.ended(callId));
    }
    try (FreeSwitchAdapter wrong =
        new FreeSwitchAdapter(EslEmulatorFixture.configFor(emulator, PASSWORD + "-wrong"))) {
      assertThatThrownBy(wrong::connect).isInstanceOf(AuthenticationException.class);
    }

    List<String> texts = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(captured.list)) {
      texts.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        texts.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }
    assertThat(texts).anyMatch(t -> t.contains(">> auth"));
    assertThat(texts).noneMatch(t -> t.contains(PASSWORD));
  }
}
