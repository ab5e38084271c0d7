package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sipadapter.config.ReconnectPolicy;

class BackoffTest {
  private static final Duration INITIAL = Duration.ofMillis(200);
  private static final Duration MAX = Duration.ofSeconds(30);

  @Test
  void lowestRandomGivesHalfTheExponentialDelay() {
    Backoff b = new Backoff(INITIAL, MAX, () -> 0.0);

    assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(400));
    assertThat(b.delay(4)).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void highestRandomApproachesTheFullExponentialDelay() {
    Backoff b = new Backoff(INITIAL, MAX, () -> 0.999_999);

    assertThat(b.delay(1)).isBetween(Duration.ofMillis(199), INITIAL);
    assertThat(b.delay(3)).isBetween(Duration.ofMillis(799), Duration.ofMillis(800));
  }

  @Test
  void theDelayIsCappedAtMaxDelayEvenForHugeAttemptNumbers() {
    Backoff low = new Backoff(INITIAL, MAX, () -> 0.0);
    Backoff high = new Backoff(INITIAL, MAX, () -> 0.999_999);

    for (int attempt : new int[] {9, 10, 20, 62, 63, 1000, Integer.MAX_VALUE}) {
      assertThat(low.delay(attempt)).isEqualTo(Duration.ofSeconds(15));
      assertThat(high.delay(attempt)).isBetween(Duration.ofMillis(29_999), MAX);
    }
  }

  @Test
  void everyDelayLiesInItsJitterRange() {
    Random random = new Random(42);
    Backoff b = new Backoff(INITIAL, MAX, random::nextDouble);

    for (int attempt = 1; attempt <= 40; attempt++) {
      long exp = Math.min(MAX.toMillis(), INITIAL.toMillis() << Math.min(attempt - 1, 20));
      for (int i = 0; i < 50; i++) {
        assertThat(b.delay(attempt).toMillis()).isBetween(exp / 2, exp);
      }
    }
  }

  @Test
  void refusesBadArguments() {
    assertThatThrownBy(() -> new Backoff(MAX, INITIAL, Math::random))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(INITIAL, MAX, Math::random).delay(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPolicyGivesItsBackoff() {
    Duration d = Backoff.of(ReconnectPolicy.DEFAULTS).delay(1);

    assertThat(d).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
  }
}
