package org.sipadapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.ConfigurationException;

class ConfigLoaderTest {
  private static final String PASSWORD = "Zq-93!secretPW";
  private final Map<String, String> env =
      Map.of("AMI_PASSWORD", PASSWORD, "PBX_HOST", "pbx.example.net", "EMPTY", "");
  private final ConfigLoader loader = new ConfigLoader(env::get);

  private static List<String> problems(Runnable r) {
    try {
      r.run();
    } catch (ConfigurationException e) {
      return e.problems();
    }
    throw new AssertionError("expected a ConfigurationException");
  }

  @Test
  void aliasInsideItselfIsAProblemNotAStackOverflow() {
    assertThat(problems(() -> loader.load("type: asterisk\noptions: {loop: &a [*a]}")))
        .containsExactly("options.loop[0]: an alias refers to a value that contains it");
  }

  @Test
  void readsEveryField() {
    AdapterConfig c =
        loader.load(
            String.join(
                "\n",
                "type: asterisk",
                "name: pbx-1",
                "host: 10.1.2.3",
                "port: 5038",
                "tls: true",
                "auth: { username: admin, password: \"${AMI_PASSWORD}\" }",
                "realm: asterisk.local",
                "timeouts: { connect: 3s, request: 1500ms, ring: 2m, keepalive: 10s }",
                "reconnect: { enabled: false, initialDelay: 100ms, maxDelay: 5s, maxAttempts: 7 }",
                "health: { degradedLatencyMs: 250, degradedSuccessRate: 0.95,"
                    + " criticalSuccessRate: 0.7, minCallsForRate: 10 }",
                "events: { threads: 4, queueCapacity: 512, slowListenerThreshold: 250ms }",
                "historySize: 50",
                "options: { context: from-sdk, channel: \"PJSIP/{to}\", retries: 3 }"));

    assertThat(c.type()).isEqualTo("asterisk");
    assertThat(c.name()).isEqualTo("pbx-1");
    assertThat(c.host()).isEqualTo("10.1.2.3");
    assertThat(c.port()).isEqualTo(5038);
    assertThat(c.tls()).isTrue();
    assertThat(c.auth().username()).isEqualTo("admin");
    assertThat(c.auth().secret().reveal()).isEqualTo(PASSWORD);
    assertThat(c.realm()).isEqualTo("asterisk.local");
    assertThat(c.timeouts())
        .isEqualTo(
            new Timeouts(
                Duration.ofSeconds(3),
                Duration.ofMillis(1500),
                Duration.ofMinutes(2),
                Duration.ofSeconds(10)));
    assertThat(c.reconnect())
        .isEqualTo(new ReconnectPolicy(false, Duration.ofMillis(100), Duration.ofSeconds(5), 7));
    assertThat(c.health()).isEqualTo(new HealthThresholds(250, 0.95, 0.7, 10));
    assertThat(c.events()).isEqualTo(new EventSettings(4, 512, Duration.ofMillis(250)));
    assertThat(c.historySize()).isEqualTo(50);
    assertThat(c.option("context")).contains("from-sdk");
    assertThat(c.option("channel", "")).isEqualTo("PJSIP/{to}");
    assertThat(c.intOption("retries", 0)).isEqualTo(3);
  }

  @Test
  void appliesTheDocumentedDefaults() {
    AdapterConfig c = loader.load("type: kamailio");

    assertThat(c.name()).isEqualTo("kamailio");
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isZero();
    assertThat(c.tls()).isFalse();
    assertThat(c.auth()).isEqualTo(Credentials.NONE);
    assertThat(c.realm()).isEmpty();
    assertThat(c.timeouts()).isEqualTo(Timeouts.DEFAULTS);
    assertThat(c.timeouts().connect()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.timeouts().request()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.timeouts().ring()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.timeouts().keepalive()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.reconnect())
        .isEqualTo(new ReconnectPolicy(true, Duration.ofMillis(200), Duration.ofSeconds(30), 0));
    assertThat(c.health()).isEqualTo(new HealthThresholds(300, 0.9, 0.8, 5));
    assertThat(c.events()).isEqualTo(new EventSettings(2, 10_000, Duration.ofSeconds(1)));
    assertThat(c.historySize()).isEqualTo(1000);
    assertThat(c.options()).isEmpty();
  }

  @Test
  void secretAndTokenAreAcceptedInPlaceOfPassword() {
    assertThat(loader.load("type: x\nauth: { secret: s1 }").auth().secret().reveal())
        .isEqualTo("s1");
    assertThat(loader.load("type: x\nauth: { token: t1 }").auth().secret().reveal())
        .isEqualTo("t1");
  }

  @Test
  void expandsVariablesAndDefaults() {
    AdapterConfig c =
        loader.load(
            "type: x\nhost: ${PBX_HOST}\nrealm: ${UNSET_REALM:-lab.local}\n"
                + "name: pre-${PBX_HOST}-post\noptions: { a: \"${EMPTY:-fallback}\", b: '${EMPTY}' }");

    assertThat(c.host()).isEqualTo("pbx.example.net");
    assertThat(c.realm()).isEqualTo("lab.local");
    assertThat(c.name()).isEqualTo("pre-pbx.example.net-post");
    assertThat(c.option("a")).contains("fallback");
    assertThat(c.option("b")).contains("");
  }

  @Test
  void reportsAnUnsetVariableWithItsPath() {
    assertThat(problems(() -> loader.load("type: x\nhost: ${NOPE}")))
        .containsExactly("host: environment variable 'NOPE' is not set");
    assertThat(problems(() -> loader.load("type: x\nauth: { username: a, password: '${NOPE}' }")))
        .contains("auth.password: environment variable 'NOPE' is not set");
    assertThat(problems(() -> loader.load("type: x\nhost: \"${OPEN\"")))
        .containsExactly("host: unclosed '${' in value");
  }

  @Test
  void readsDurationsInEveryForm() {
    AdapterConfig c =
        loader.load("type: x\ntimeouts: { connect: 200ms, request: 5s, ring: 2m, keepalive: 750 }");

    assertThat(c.timeouts().connect()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.timeouts().request()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.timeouts().ring()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.timeouts().keepalive()).isEqualTo(Duration.ofMillis(750));
  }

  @Test
  void reportsBadDurations() {
    assertThat(problems(() -> loader.load("type: x\ntimeouts: { connect: soon, ring: 0s }")))
        .containsExactly(
            "timeouts.connect: not a duration: 'soon' (use e.g. 200ms, 5s, 2m)",
            "timeouts.ring: must be positive");
  }

  @Test
  void reportsEveryProblemAtOnceWithItsPath() {
    List<String> p =
        problems(
            () ->
                loader.load(
                    String.join(
                        "\n",
                        "host: ''",
                        "port: 70000",
                        "tls: maybe",
                        "auth: { username: admin }",
                        "reconnect: { initialDelay: 5s, maxDelay: 1s, maxAttempts: -1 }",
                        "health: { degradedSuccessRate: 0.5, criticalSuccessRate: 0.9,"
                            + " degradedLatencyMs: 0 }",
                        "events: { threads: 0, queueCapacity: 2 }",
                        "historySize: -1",
                        "options: [a, b]",
                        "colour: blue")));

    assertThat(p)
        .contains(
            "type: required (the adapter type, such as asterisk or kamailio)",
            "host: must not be blank",
            "port: must be between 1 and 65535, was 70000",
            "tls: expected true or false, was 'maybe'",
            "auth.password: required when 'auth' is given",
            "reconnect.maxDelay: must not be shorter than reconnect.initialDelay",
            "reconnect.maxAttempts: must be 0 (forever) or more",
            "health.criticalSuccessRate: must not be above health.degradedSuccessRate",
            "health.degradedLatencyMs: must be positive",
            "events.threads: must be between 1 and 64",
            "events.queueCapacity: must be at least 16",
            "historySize: must be 0 or more",
            "options: expected a mapping");
    assertThat(p).anyMatch(s -> s.startsWith("colour: unknown key (known: auth, events,"));
  }

  @Test
  void reportsUnknownKeysInsideSections() {
    assertThat(problems(() -> loader.load("type: x\ntimeouts: { conect: 1s }")))
        .containsExactly("timeouts.conect: unknown key (known: connect, keepalive, request, ring)");
  }

  @Test
  void readsMultiAdapterFilesWithIndexedProblemPaths() {
    String yaml =
        String.join(
            "\n",
            "adapters:",
            "  - type: asterisk",
            "    auth: { username: a, password: x }",
            "  - type: freeswitch",
            "    auth: { username: b }",
            "  - type: kamailio",
            "    port: nope");

    List<String> p = problems(() -> loader.loadAll(yaml));

    assertThat(p)
        .containsExactly(
            "adapters[1].auth.password: required when 'auth' is given",
            "adapters[2].port: expected a whole number, was 'nope'");
  }

  @Test
  void loadsEveryAdapterOfAValidMultiAdapterFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pbx.yaml");
    Files.writeString(
        file, "adapters:\n  - { type: asterisk, name: a }\n  - { type: yate, name: b }\n");

    List<AdapterConfig> all = loader.loadAll(file);

    assertThat(all).extracting(AdapterConfig::name).containsExactly("a", "b");
    assertThatThrownBy(() -> loader.load(file))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("expected one adapter but found 2");
  }

  @Test
  void refusesAdaptersMixedWithTopLevelKeysAndEmptyLists() {
    assertThat(problems(() -> loader.loadAll("type: x\nadapters: []")))
        .contains(
            "'adapters' cannot be mixed with other top-level keys",
            "adapters: expected a non-empty list of adapters");
  }

  @Test
  void aSinksSectionIsLeftToTheSinkModules() {
    assertThat(
            loader.loadAll(
                "sinks: { kafka: { bootstrap: 'k:9092' } }\nadapters:\n  - { type: asterisk }"))
        .extracting(AdapterConfig::type)
        .containsExactly("asterisk");
    assertThat(loader.load("type: asterisk\nsinks: { kafka: { bootstrap: 'k:9092' } }").type())
        .isEqualTo("asterisk");
  }

  @Test
  void aMissingFileIsAConfigurationError(@TempDir Path dir) {
    assertThatThrownBy(() -> loader.load(dir.resolve("missing.yaml")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("cannot read");
  }

  @Test
  void yamlSyntaxErrorsGiveThePositionButNotTheText() {
    String yaml = "type: x\nauth: { username: admin, password: \"" + PASSWORD + "\n";

    assertThatThrownBy(() -> loader.load(yaml))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("YAML syntax")
        .hasMessageContaining("line")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD))
        .hasNoCause();
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThatThrownBy(() -> loader.load("type: x\nhost: a\nhost: b\n"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("duplicate key host");
  }

  @Test
  void problemsNeverQuoteThePassword() {
    ConfigurationException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigurationException.class,
            () ->
                loader.load(
                    "type: x\nport: -1\nauth: { username: a, password: '${AMI_PASSWORD}',"
                        + " pin: '${AMI_PASSWORD}' }\n"));

    assertThat(e.getMessage()).doesNotContain(PASSWORD).contains("auth.pin: unknown key");
  }
}
