package org.sipadapter.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipadapter.LatencyStats;

class LatencyHistogramTest {

  @Test
  void emptyHistogramReportsZeros() {
    assertThat(new LatencyHistogram().snapshot()).isEqualTo(LatencyStats.EMPTY);
  }

  @Test
  void percentilesOfAUniformSpreadAreWithinTheBucketPrecision() {
    LatencyHistogram h = new LatencyHistogram();
    for (int ms = 1; ms <= 1000; ms++) {
      h.recordNanos(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    LatencyStats s = h.snapshot();

    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.avgMs()).isCloseTo(500.5, within(0.01));
    assertThat(s.p50Ms()).isCloseTo(500, within(500 * 0.07));
    assertThat(s.p95Ms()).isCloseTo(950, within(950 * 0.07));
    assertThat(s.p99Ms()).isCloseTo(990, within(990 * 0.07));
    assertThat(s.maxMs()).isEqualTo(1000);
  }

  @Test
  void percentilesNeverExceedTheMaximum() {
    LatencyHistogram h = new LatencyHistogram();
    h.recordNanos(TimeUnit.MILLISECONDS.toNanos(7));

    LatencyStats s = h.snapshot();

    assertThat(s.p99Ms()).isLessThanOrEqualTo(s.maxMs());
    assertThat(s.p50Ms()).isCloseTo(7, within(7 * 0.07));
  }

  @Test
  void aFewOutliersShowInP99ButNotInP50() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < 980; i++) {
      h.recordNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    for (int i = 0; i < 20; i++) {
      h.recordNanos(TimeUnit.SECONDS.toNanos(3));
    }

    LatencyStats s = h.snapshot();

    assertThat(s.p50Ms()).isCloseTo(2, within(0.15));
    assertThat(s.p99Ms()).isCloseTo(3000, within(3000 * 0.07));
  }

  @Test
  void everyBucketHoldsItsOwnValuesAndIsNarrowerThanAnEighth() {
    for (long micros = 1; micros < 50_000_000L; micros = micros * 5 / 4 + 1) {
      int i = LatencyHistogram.index(micros);
      assertThat(Math.abs(LatencyHistogram.midpointMicros(i) - micros))
          .as("value %d", micros)
          .isLessThanOrEqualTo(Math.max(1, micros * 0.0625));
    }
  }

  @Test
  void negativeSamplesCountAsZero() {
    LatencyHistogram h = new LatencyHistogram();
    h.recordNanos(-5);

    assertThat(h.snapshot().count()).isEqualTo(1);
    assertThat(h.snapshot().maxMs()).isZero();
  }
}
