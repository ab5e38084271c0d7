package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.ScriptedServer.Outcome;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigLoader;
import org.sipadapter.config.ReconnectPolicy;
import org.slf4j.LoggerFactory;

class PasswordNeverLoggedTest {
  private static final String PASSWORD = ScriptedServer.PASSWORD;
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Level previous;

  @BeforeEach
  void capture() {
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
  void noLogLineExceptionOrReportContainsThePassword() {
    List<String> texts = new ArrayList<>();
    ScriptedServer server = new ScriptedServer();
    server.script("busy", Outcome.BUSY);
    AdapterConfig config =
        Scripted.config()
            .option("agentToken", PASSWORD)
            .reconnect(
                new ReconnectPolicy(
                    true, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2), 2))
            .build();
    ScriptedAdapter adapter = new ScriptedAdapter(config, server);
    EventLog events = new EventLog();
    adapter.addListener(events);
    texts.add(config.toString());
    texts.add(adapter.toString());

    server.refuseLogin(true);
    try {
      adapter.connect();
    } catch (AuthenticationException e) {
      texts.add(stackOf(e));
    }
    server.refuseLogin(false);
    adapter.connect();
    String ok = adapter.makeCall("1000", "2000");
    String busy = adapter.makeCall("1000", "busy");
    events.awaitState(ok, CallState.CONNECTED);
    events.awaitTerminal(busy);
    texts.add(adapter.healthCheck().toString());
    adapter.healthDetails(Map.of("password", PASSWORD));
    texts.add(adapter.healthCheck().toString());
    texts.add(adapter.metrics().toString());
    server.unreachable(true);
    server.dropLink();
    events.awaitConnection(ConnectionState.ERROR);
    try {
      adapter.makeCall("1000", "2000");
    } catch (AdapterConnectionException e) {
      texts.add(stackOf(e));
    }
    adapter.close();
    events.all().forEach(e -> texts.add(e.toString()));
    adapter.callHistory().forEach(r -> texts.add(r.toJson()));
    assertThatThrownBy(
            () ->
                new ConfigLoader(Map.of("P", PASSWORD)::get)
                    .load("type: x\nport: -1\nauth: { password: '${P}', pin: '${P}' }\nfoo: 1"))
        .satisfies(e -> texts.add(stackOf(e)));
    assertThatThrownBy(
            () -> new ConfigLoader().load("type: x\nauth: { password: \"" + PASSWORD + "\n"))
        .satisfies(e -> texts.add(stackOf(e)));

    for (ILoggingEvent e : captured.list) {
      texts.add(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        texts.add(t.getMessage());
      }
    }

    assertThat(captured.list).isNotEmpty();
    assertThat(captured.list).anyMatch(e -> e.getLevel() == Level.INFO);
    assertThat(texts).allSatisfy(t -> assertThat(String.valueOf(t)).doesNotContain(PASSWORD));
    server.close();
  }

  private static String stackOf(Throwable e) {
    java.io.StringWriter w = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
