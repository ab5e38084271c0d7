package org.sipadapter.sipp.agent;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.slf4j.LoggerFactory;

/**
 * The agent's bearer token reaches no log line at any level: configuration from the environment,
 * start, requests with a wrong and the right token, stop, all with every logger at TRACE.
 */
class AgentTokenNeverLoggedTest {
  private static final String TOKEN = "agent-token-0123456789";

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Level previous;

  @BeforeEach
  void captureEverything() {
    previous = root.getLevel();
    root.setLevel(Level.ALL);
    captured.start();
    root.addAppender(captured);
  }

  @AfterEach
  void release() {
    root.detachAppender(captured);
    root.setLevel(previous);
  }

  @Test
  void tokenIsNeverLogged() {
    AgentConfig config = SippAgentMain.parse(new String[] {"agent", "--port", "0"}, TOKEN);
    try (SippAgent agent = SippAgent.start(config)) {
      assertThat(new AgentHttp(agent.baseUri(), "wrong-" + TOKEN).get("/health").status())
          .isEqualTo(401);
      assertThat(new AgentHttp(agent.baseUri(), TOKEN).get("/scenarios").status()).isEqualTo(200);
    }

    List<String> texts = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(captured.list)) {
      texts.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        texts.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }
    assertThat(texts).isNotEmpty();
    assertThat(texts).noneMatch(t -> t.contains(TOKEN));
  }
}
