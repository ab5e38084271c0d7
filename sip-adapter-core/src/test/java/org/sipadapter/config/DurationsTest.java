package org.sipadapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
    "200ms, 200",
    "5s, 5000",
    "1.5s, 1500",
    "2m, 120000",
    "2min, 120000",
    "1h, 3600000",
    "750, 750",
    "' 30s ', 30000",
    "5 s, 5000",
    "PT5S, 5000",
    "pt0.25s, 250",
    "0ms, 0"
  })
  void parsesShortAndIsoForms(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "5x", "-5s", "s", ".", "PT-5S", "5 seconds"})
  void refusesWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a duration: '" + text + "'");
  }
}
