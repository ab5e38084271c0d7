package org.sipadapter.testkit.sipp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.fixtures.Fixtures;

class SippStatsTest {

  private static byte[] fixture(String name) {
    return Fixtures.get("sipp", name).bytes();
  }

  @Test
  void successfulRunFixtureReadsCumulativeCountersOfTheLastRow() {
    SippStats stats = SippStats.parse(fixture("uac_stat.csv"));

    assertThat(stats.totalCallCreated()).isEqualTo(20);
    assertThat(stats.outgoingCalls()).isEqualTo(20);
    assertThat(stats.successfulCalls()).isEqualTo(20);
    assertThat(stats.failedCalls()).isZero();
    assertThat(stats.currentCalls()).isZero();
    assertThat(stats.targetRate()).isEqualTo(10.0);
    assertThat(stats.failureCauses()).isEmpty();
  }

  @Test
  void busyRunFixtureNamesUnexpectedMessageAsTheFailureCause() {
    SippStats stats = SippStats.parse(fixture("busy_stat.csv"));

    assertThat(stats.failedCalls()).isEqualTo(3);
    assertThat(stats.successfulCalls()).isZero();
    assertThat(stats.failureCauses()).containsExactly(entry("FailedUnexpectedMessage(C)", 3L));
  }

  @Test
  void controlSocketFixtureShowsTheRateSetLive() {
    SippStats stats = SippStats.parse(fixture("ctl_stat.csv"));

    assertThat(stats.targetRate()).isEqualTo(20.0);
    assertThat(stats.totalCallCreated()).isEqualTo(67);
  }

  @Test
  void timeCellsWithTabsAreKeptVerbatim() {
    SippStats stats = SippStats.parse(fixture("uac_stat.csv"));

    assertThat(stats.columns().get("StartTime")).contains("\t").startsWith("2026-11-26");
  }

  @Test
  void headerOnlyOrTornLastLineYieldsTheLastCompleteRow() {
    String header = "TotalCallCreated;CurrentCall;SuccessfulCall(C);\n";
    assertThat(SippStats.parse(header.getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(SippStats.EMPTY);

    String torn = header + "5;1;4;\n7;0";
    SippStats stats = SippStats.parse(torn.getBytes(StandardCharsets.US_ASCII));
    assertThat(stats.totalCallCreated()).isEqualTo(5);
    assertThat(stats.rows()).isEqualTo(1);
  }

  @Test
  void emptyInputAndNonNumericCellsGiveZero() {
    assertThat(SippStats.parse(new byte[0])).isEqualTo(SippStats.EMPTY);
    SippStats stats =
        SippStats.parse("TargetRate;FailedCall(C);\nabc;;\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(stats.targetRate()).isZero();
    assertThat(stats.failedCalls()).isZero();
  }

  private static java.util.Map.Entry<String, Long> entry(String k, Long v) {
    return java.util.Map.entry(k, v);
  }
}
