package org.sipadapter.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.ami.AmiEmulator;

class SipAdapterMetricsTest {
  private AmiEmulator ami;
  private SipAdapter pbx;

  @BeforeEach
  void connect() {
    ami = AmiEmulator.create().outcome("3000", AmiEmulator.Outcome.BUSY).start();
    pbx = adapter("pbx");
    pbx.connect();
  }

  @AfterEach
  void close() {
    pbx.close();
    ami.close();
  }

  private SipAdapter adapter(String name) {
    return SipAdapters.create(
        AdapterConfig.builder("asterisk")
            .name(name)
            .server(ami.host(), ami.port())
            .auth("admin", "amipass")
            .build());
  }

  private void callUntil(String to, CallState end) {
    String id = pbx.makeCall("1000", to);
    await().atMost(Duration.ofSeconds(30)).until(() -> pbx.getStatus(id).state() == end);
  }

  @Test
  void callCountersAndTimersFollowTheAdaptersCalls() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SipAdapterMetrics.of(pbx).bindTo(registry);
    Tags tags = Tags.of("adapter", "pbx", "type", "asterisk");

    callUntil("2000", CallState.CONNECTED);
    callUntil("3000", CallState.FAILED);

    assertThat(registry.get("sipadapter.calls.attempted").tags(tags).functionCounter().count())
        .isEqualTo(2);
    assertThat(registry.get("sipadapter.calls.succeeded").tags(tags).functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("sipadapter.calls.failed").tags(tags).functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("sipadapter.calls.active").tags(tags).gauge().value()).isEqualTo(1);

    Timer setup = registry.get("sipadapter.call.setup").tags(tags).timer();
    assertThat(setup.count()).isEqualTo(1);
    assertThat(setup.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    Timer requests = registry.get("sipadapter.requests").tags(tags).timer();
    assertThat(requests.count()).isGreaterThanOrEqualTo(2);
    assertThat(requests.takeSnapshot().percentileValues())
        .extracting(p -> p.percentile())
        .containsExactly(0.5, 0.95, 0.99);
  }

  @Test
  void connectionStateAndHealthAreGaugesWithOneSeriesPerValue() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SipAdapterMetrics.builder()
        .adapter(pbx)
        .healthCheckInterval(Duration.ZERO)
        .build()
        .bindTo(registry);

    assertThat(state(registry, "connected")).isEqualTo(1);
    assertThat(state(registry, "disconnected")).isZero();
    assertThat(health(registry, "healthy")).isEqualTo(1);
    assertThat(health(registry, "critical")).isZero();

    pbx.disconnect();

    assertThat(state(registry, "connected")).isZero();
    assertThat(state(registry, "disconnected")).isEqualTo(1);
    assertThat(health(registry, "healthy")).isZero();
    assertThat(health(registry, "critical")).isEqualTo(1);
  }

  private static double state(SimpleMeterRegistry registry, String state) {
    Gauge g = registry.get("sipadapter.connection.state").tag("state", state).gauge();
    return g.value();
  }

  private static double health(SimpleMeterRegistry registry, String status) {
    return registry.get("sipadapter.health").tag("status", status).gauge().value();
  }

  @Test
  void theEventAndLinkCountersAreRegistered() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SipAdapterMetrics.of(pbx).bindTo(registry);

    for (String name :
        new String[] {
          "sipadapter.reconnects",
          "sipadapter.events.dropped",
          "sipadapter.transitions.rejected",
          "sipadapter.orphans.hungup",
          "sipadapter.listener.errors",
          "sipadapter.listener.slow",
          "sipadapter.calls.incoming"
        }) {
      FunctionCounter c = registry.get(name).tag("adapter", "pbx").functionCounter();
      assertThat(c.count()).as(name).isZero();
    }
  }

  @Test
  void thePrometheusScrapeUsesSecondsTotalsAndBothTags() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SipAdapterMetrics.of(pbx).bindTo(registry);

    callUntil("2000", CallState.CONNECTED);

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("sipadapter_calls_attempted_total{adapter=\"pbx\",type=\"asterisk\"} 1")
        .contains("# TYPE sipadapter_call_setup_seconds histogram")
        .contains("sipadapter_call_setup_seconds_count{adapter=\"pbx\",type=\"asterisk\"} 1")
        .contains("sipadapter_requests_seconds_bucket{adapter=\"pbx\",type=\"asterisk\",le=")
        .contains(
            "sipadapter_connection_state{adapter=\"pbx\",state=\"connected\",type=\"asterisk\"} 1")
        .contains("sipadapter_orphans_hungup_total{adapter=\"pbx\",type=\"asterisk\"} 0");
  }

  @Test
  void withoutTheHistogramPrometheusGetsASummaryWithTheClientSidePercentiles() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SipAdapterMetrics.builder().adapter(pbx).percentileHistogram(false).build().bindTo(registry);

    callUntil("2000", CallState.CONNECTED);

    assertThat(registry.scrape())
        .contains("# TYPE sipadapter_requests_seconds summary")
        .contains(
            "sipadapter_requests_seconds{adapter=\"pbx\",type=\"asterisk\",quantile=\"0.99\"}")
        .doesNotContain("sipadapter_requests_seconds_bucket");
  }

  @Test
  void manyAdaptersAreBoundWithTheirOwnNamesAndCommonTags() {
    try (SipAdapter second = adapter("pbx-2")) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      SipAdapterMetrics.builder()
          .adapter(pbx)
          .adapter(second)
          .tags(Tags.of("region", "eu"))
          .build()
          .bindTo(registry);

      callUntil("2000", CallState.CONNECTED);

      assertThat(attempted(registry, "pbx")).isEqualTo(1);
      assertThat(attempted(registry, "pbx-2")).isZero();
      assertThat(registry.get("sipadapter.calls.attempted").tag("region", "eu").meters())
          .hasSize(2);
    }
  }

  private static double attempted(SimpleMeterRegistry registry, String adapter) {
    return registry
        .get("sipadapter.calls.attempted")
        .tag("adapter", adapter)
        .functionCounter()
        .count();
  }

  @Test
  void closeRemovesTheMetersAndStopsTheTimers() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SipAdapterMetrics metrics = SipAdapterMetrics.of(pbx);
    metrics.bindTo(registry);
    Timer setup = registry.get("sipadapter.call.setup").timer();

    metrics.close();
    callUntil("2000", CallState.CONNECTED);

    assertThat(registry.find("sipadapter.calls.attempted").meters()).isEmpty();
    assertThat(registry.find("sipadapter.call.setup").meters()).isEmpty();
    assertThat(setup.count()).isZero();
    assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void twoAdaptersWithOneNameAreRefusedBecauseTheirMetersWouldMix() {
    try (SipAdapter twin = adapter("pbx")) {
      assertThatThrownBy(() -> SipAdapterMetrics.of(pbx, twin))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("two adapters are named 'pbx'");
    }
    assertThatThrownBy(SipAdapterMetrics::of)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one adapter");
    assertThatThrownBy(() -> SipAdapterMetrics.builder().percentiles(1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
