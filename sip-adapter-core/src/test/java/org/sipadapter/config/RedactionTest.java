package org.sipadapter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipadapter.spi.ConnectTarget;

class RedactionTest {
  private static final String PASSWORD = "hunter2-Xy!";

  @Test
  void secretToStringNeverShowsTheValue() {
    Secret s = Secret.of(PASSWORD);

    assertThat(s.toString()).isEqualTo(Secret.MASK);
    assertThat(s.reveal()).isEqualTo(PASSWORD);
    assertThat(Secret.of(null).isEmpty()).isTrue();
    assertThat(Secret.of("").toString()).isEmpty();
    assertThat(s).isEqualTo(Secret.of(PASSWORD)).isNotEqualTo(Secret.of("other"));
  }

  @Test
  void credentialsToStringShowsTheUserButNotTheSecret() {
    Credentials c = Credentials.of("admin", PASSWORD);

    assertThat(c.toString()).contains("admin").doesNotContain(PASSWORD);
  }

  @Test
  void adapterConfigToStringMasksAuthAndSecretLookingOptionsAtAnyDepth() {
    AdapterConfig c =
        AdapterConfig.builder("sipp")
            .auth("admin", PASSWORD)
            .option("context", "from-sdk")
            .option("apiToken", PASSWORD)
            .option("agent_password", PASSWORD)
            .option("endpoints", Map.of("a", Map.of("url", "http://a", "token", PASSWORD)))
            .option("peers", List.of(Map.of("secret", PASSWORD)))
            .build();

    assertThat(c.toString()).doesNotContain(PASSWORD).contains("from-sdk", "http://a", "admin");
    assertThat(c.option("apiToken")).contains(PASSWORD);
  }

  @Test
  void connectTargetToStringMasksTheCredentials() {
    ConnectTarget t =
        new ConnectTarget(
            "h",
            1,
            Credentials.of("u", PASSWORD),
            false,
            java.time.Duration.ofSeconds(1),
            java.time.Duration.ofSeconds(1));

    assertThat(t.toString()).doesNotContain(PASSWORD);
  }

  @Test
  void secretKeysAreRecognisedByName() {
    assertThat(Redaction.isSecretKey("password")).isTrue();
    assertThat(Redaction.isSecretKey("AMI_SECRET")).isTrue();
    assertThat(Redaction.isSecretKey("authToken")).isTrue();
    assertThat(Redaction.isSecretKey("api_key")).isTrue();
    assertThat(Redaction.isSecretKey("context")).isFalse();
    assertThat(Redaction.isSecretKey(null)).isFalse();
  }

  @Test
  void maskReplacesEveryOccurrenceOfTheSecret() {
    assertThat(
            Redaction.mask(
                "Action: Login\r\nSecret: " + PASSWORD + "\r\n" + PASSWORD, Secret.of(PASSWORD)))
        .doesNotContain(PASSWORD)
        .contains("Secret: ******");
    assertThat(Redaction.mask("x", Secret.empty())).isEqualTo("x");
  }
}
