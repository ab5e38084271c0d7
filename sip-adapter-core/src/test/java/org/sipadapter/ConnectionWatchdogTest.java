package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.sipadapter.config.Credentials;
import org.sipadapter.config.HealthThresholds;
import org.sipadapter.config.ReconnectPolicy;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.metrics.AdapterMetrics;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.transport.TlsContext;

/** The link-up path and its races, with time and the server driven by hand. */
class ConnectionWatchdogTest {
  private final List<AdapterEvent> events = new CopyOnWriteArrayList<>();
  private final ManualTimers timers = new ManualTimers();
  private final AdapterMetrics metrics = new AdapterMetrics();
  private final FakeDriver driver = new FakeDriver();
  private final ConnectionWatchdog watchdog =
      new ConnectionWatchdog(
          "t",
          "test",
          driver,
          new ReconnectPolicy(true, Duration.ofMillis(10), Duration.ofMillis(100), 0),
          Duration.ofSeconds(30),
          timers,
          metrics,
          new HealthEvaluator(
              HealthThresholds.DEFAULTS,
              Duration.ofSeconds(30),
              Duration.ofSeconds(5),
              System::nanoTime),
          events::add);

  private static final ConnectTarget TARGET =
      new ConnectTarget(
          "127.0.0.1",
          5038,
          Credentials.of("u", "p"),
          false,
          Duration.ofSeconds(1),
          Duration.ofSeconds(1),
          TlsContext.disabled());

  /** A driver whose open() runs a scripted action per call. */
  final class FakeDriver implements ConnectionWatchdog.Driver {
    final List<Runnable> onOpen = new ArrayList<>();
    int opens;
    int resyncs;
    final List<String> gaveUp = new CopyOnWriteArrayList<>();

    @Override
    public void open(ConnectTarget target) throws Exception {
      int n = opens++;
      if (n < onOpen.size() && onOpen.get(n) != null) {
        onOpen.get(n).run();
      }
    }

    @Override
    public void close() {}

    @Override
    public Optional<List<CallSnapshot>> resync() {
      resyncs++;
      return Optional.of(List.of());
    }

    @Override
    public void keepalive() {}

    @Override
    public void applyResync(List<CallSnapshot> snapshot) {}

    @Override
    public void linkDown(String why) {}

    @Override
    public void giveUp(HangupCause cause) {
      gaveUp.add(cause.text());
    }

    @Override
    public RuntimeException connectFailure(Exception e, ConnectTarget target) {
      return e instanceof RuntimeException r ? r : new AdapterConnectionException(e.getMessage());
    }

    @Override
    public String redact(String text) {
      return text;
    }
  }

  private List<ConnectionState> transitions() {
    return events.stream()
        .filter(e -> e instanceof ConnectionStateChanged)
        .map(e -> ((ConnectionStateChanged) e).state())
        .toList();
  }

  private void loseCurrentLink() {
    watchdog.lost(watchdog.generation(), new IOException("EOF"));
  }

  @Test
  void aLinkLostWhileItIsBeingBroughtUpFailsThatAttemptInsteadOfEndingConnected() {
    watchdog.connect(TARGET);
    loseCurrentLink();
    // The server accepts the reconnect, then drops it during the login (a restarting server).
    driver.onOpen.add(null);
    driver.onOpen.add(this::loseCurrentLink);

    timers.fireAll();

    assertThat(watchdog.state()).isEqualTo(ConnectionState.RECONNECTING);
    timers.fireAll();
    assertThat(watchdog.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(metrics.snapshot(0).reconnects()).isEqualTo(1);
    assertThat(driver.resyncs).isEqualTo(1);
  }

  @Test
  void aStaleLinksLossChangesNothing() {
    watchdog.connect(TARGET);
    long first = watchdog.generation();
    loseCurrentLink();
    timers.fireAll();
    assertThat(watchdog.state()).isEqualTo(ConnectionState.CONNECTED);

    watchdog.lost(first, new IOException("late EOF of the old socket"));

    assertThat(watchdog.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void oneOutageCountsOneReconnectHoweverOftenItIsReported() {
    watchdog.connect(TARGET);
    long gen = watchdog.generation();
    watchdog.lost(gen, new IOException("EOF"));
    watchdog.lost(gen, new IOException("keepalive failed"));

    timers.fireAll();

    assertThat(transitions())
        .containsExactly(
            ConnectionState.CONNECTING,
            ConnectionState.CONNECTED,
            ConnectionState.RECONNECTING,
            ConnectionState.CONNECTED);
    assertThat(metrics.snapshot(0).reconnects()).isEqualTo(1);
  }

  @Test
  void connectDuringAnOutageResyncsAndAFailedOneLeavesTheReconnectLoopRunning() {
    watchdog.connect(TARGET);
    loseCurrentLink();
    driver.onOpen.add(null);
    driver.onOpen.add(
        () -> {
          throw new AdapterConnectionException("connection refused");
        });

    assertThatThrownBy(() -> watchdog.connect(TARGET)).hasMessageContaining("refused");
    assertThat(watchdog.state()).isEqualTo(ConnectionState.RECONNECTING);
    assertThat(driver.gaveUp).isEmpty();

    watchdog.connect(TARGET);
    assertThat(watchdog.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(driver.resyncs).isEqualTo(1);
    // The loop's pending attempt finds the link up and does nothing.
    timers.fireAll();
    assertThat(driver.opens).isEqualTo(3);
  }

  @Test
  void theLossOfTheLinkInAnyConnectedStateLeadsToReconnecting() {
    watchdog.connect(TARGET);
    loseCurrentLink();
    assertThat(watchdog.state()).isEqualTo(ConnectionState.RECONNECTING);
  }
}
