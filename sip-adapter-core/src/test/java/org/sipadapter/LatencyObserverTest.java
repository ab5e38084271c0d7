package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LatencyObserverTest {
  private final ScriptedServer server = new ScriptedServer();
  private final EventLog events = new EventLog();
  private final ScriptedAdapter adapter = new ScriptedAdapter(Scripted.config().build(), server);

  @AfterEach
  void close() {
    adapter.close();
    server.close();
  }

  @Test
  void anObserverSeesTheSameSamplesAsTheMetricsSnapshot() {
    Samples samples = new Samples();
    adapter.addLatencyObserver(samples);
    adapter.addListener(events);
    adapter.connect();

    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    await().until(() -> samples.setup.size() == 1);
    MetricsSnapshot m = adapter.metrics();
    assertThat(m.callSetupTime().count()).isEqualTo(1);
    assertThat(samples.requests).isNotEmpty();
    assertThat(m.requestLatency().count()).isGreaterThanOrEqualTo(samples.requests.size());
    assertThat(samples.setup.get(0)).isPositive();
  }

  @Test
  void anObserverThatThrowsDoesNotStopTheCall() {
    adapter.addLatencyObserver(
        new LatencyObserver() {
          @Override
          public void requestCompleted(long nanos) {
            throw new IllegalStateException("observer bug");
          }

          @Override
          public void callAnswered(long nanos) {
            throw new IllegalStateException("observer bug");
          }
        });
    adapter.addListener(events);
    adapter.connect();

    String id = adapter.makeCall("1000", "2000");

    events.awaitState(id, CallState.CONNECTED);
    assertThat(adapter.metrics().callsSucceeded()).isEqualTo(1);
  }

  @Test
  void closingTheRegistrationStopsTheSamples() {
    Samples samples = new Samples();
    adapter.addLatencyObserver(samples).close();
    adapter.addListener(events);
    adapter.connect();

    String id = adapter.makeCall("1000", "2000");
    events.awaitState(id, CallState.CONNECTED);

    assertThat(adapter.metrics().callSetupTime().count()).isEqualTo(1);
    assertThat(samples.setup).isEmpty();
    assertThat(samples.requests).isEmpty();
  }

  private static final class Samples implements LatencyObserver {
    final List<Long> requests = new CopyOnWriteArrayList<>();
    final List<Long> setup = new CopyOnWriteArrayList<>();

    @Override
    public void requestCompleted(long nanos) {
      requests.add(nanos);
    }

    @Override
    public void callAnswered(long nanos) {
      setup.add(nanos);
    }
  }
}
