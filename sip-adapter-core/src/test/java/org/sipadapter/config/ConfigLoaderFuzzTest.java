package org.sipadapter.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.sipadapter.ConfigurationException;

/**
 * Coverage-guided checks of the YAML config loader: any text gives configs or a {@link
 * ConfigurationException}, nothing else; and a password, wherever the document keeps one and
 * whatever is wrong around it, never shows in an exception message, a problem or a config's {@code
 * toString()}.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class ConfigLoaderFuzzTest {

  /**
   * The fuzzed text never holds the section sign, so it cannot spell the password by accident: the
   * password reaches a message only if the loader puts it there.
   */
  private static final String PASSWORD = "Pw\u00a7fuzz-93!x";

  private static final Map<String, String> ENV =
      Map.of("PBX_HOST", "pbx.example.net", "EMPTY", "", "PW", PASSWORD);

  private static final List<String> SECRET_KEYS =
      List.of("auth.password", "auth.secret", "auth.token", "tls.trustStorePassword", "options");
  private static final List<String> FORMS = List.of("plain", "single", "double", "env", "block");
  private static final List<String> FIELDS =
      List.of(
          "type",
          "name",
          "host",
          "port",
          "realm",
          "historySize",
          "timeouts:\n  request",
          "reconnect:\n  maxDelay",
          "health:\n  criticalSuccessRate",
          "events:\n  threads",
          "auth:\n  username");

  private final ConfigLoader loader = new ConfigLoader(ENV::get);

  @FuzzTest
  void anyYamlText(byte[] yaml) {
    List<AdapterConfig> configs;
    try {
      configs = loader.loadAll(new String(yaml, StandardCharsets.UTF_8));
    } catch (ConfigurationException e) {
      assertThat(e.problems()).isNotEmpty();
      return;
    }
    for (AdapterConfig c : configs) {
      assertThat(c.toString()).isNotNull();
    }
  }

  @FuzzTest
  void passwordNeverInMessages(FuzzedDataProvider data) {
    String where = data.pickValue(SECRET_KEYS);
    String form = data.pickValue(FORMS);
    StringBuilder yaml = new StringBuilder();
    // The password comes first, so nothing the fuzzer writes after it can pull it into another
    // value; whatever follows may still break the document or the config around it.
    switch (where) {
      case "tls.trustStorePassword" ->
          yaml.append("tls:\n  trustStore: /nonexistent/fuzz-trust.p12\n  trustStorePassword: ");
      case "options" -> yaml.append("options:\n  apiToken: ");
      default -> yaml.append("auth:\n  username: sdk\n  ").append(where.substring(5)).append(": ");
    }
    yaml.append(password(form)).append('\n');
    int fields = data.consumeInt(0, 4);
    for (int i = 0; i < fields; i++) {
      yaml.append(data.pickValue(FIELDS)).append(": ").append(text(data.consumeString(40)));
      yaml.append('\n');
    }
    yaml.append(text(data.consumeRemainingAsString()));

    List<AdapterConfig> configs;
    try {
      configs = loader.loadAll(yaml.toString());
    } catch (ConfigurationException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
        assertThat(t.toString()).doesNotContain(PASSWORD);
      }
      assertThat(e.problems()).noneMatch(p -> p.contains(PASSWORD));
      return;
    }
    for (AdapterConfig c : configs) {
      assertThat(c.toString()).doesNotContain(PASSWORD);
      assertThat(c.tlsSettings().toString()).doesNotContain(PASSWORD);
    }
  }

  private static String password(String form) {
    return switch (form) {
      case "single" -> "'" + PASSWORD + "'";
      case "double" -> "\"" + PASSWORD + "\"";
      case "env" -> "${PW}";
      case "block" -> "|\n    " + PASSWORD;
      default -> PASSWORD;
    };
  }

  private static String text(String s) {
    return s.replace("\u00a7", "");
  }
}
