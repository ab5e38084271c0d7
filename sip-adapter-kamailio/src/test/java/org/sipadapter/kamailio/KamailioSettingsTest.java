package org.sipadapter.kamailio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

class KamailioSettingsTest {

  @Test
  void aTokenWithALineBreakIsAConfigProblemThatDoesNotShowTheToken() {
    AdapterConfig config =
        AdapterConfig.builder("kamailio").auth("", "s3cret\r\nX-Injected: yes").build();
    ConfigProblems problems = new ConfigProblems();

    KamailioSettings.validate(config, problems);

    assertThat(problems.list())
        .containsExactly(
            "auth.password: must not contain control characters (it is sent in an HTTP header)");
    assertThat(String.join("\n", problems.list())).doesNotContain("s3cret");
  }

  @Test
  void anOrdinaryTokenAndTheDefaultsPass() {
    ConfigProblems problems = new ConfigProblems();

    KamailioSettings.validate(
        AdapterConfig.builder("kamailio").auth("", "a-plain-token").build(), problems);

    assertThat(problems.isEmpty()).isTrue();
  }

  @Test
  void withEvapiConnectingWaitsForEvapiReadyUnlessTurnedOff() {
    AdapterConfig.Builder config = AdapterConfig.builder("kamailio").option("evapiPort", 8448);

    assertThat(KamailioSettings.of(config.build()).evapiReady()).isTrue();
    assertThat(KamailioSettings.of(config.option("evapiReady", "false").build()).evapiReady())
        .isFalse();
  }
}
