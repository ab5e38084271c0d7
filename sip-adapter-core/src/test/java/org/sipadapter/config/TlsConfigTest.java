package org.sipadapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.ConfigurationException;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.transport.TestCertificates;
import org.sipadapter.transport.TlsContext;

/** The {@code tls:} key in both forms, its problems, and how its password stays hidden. */
class TlsConfigTest {
  private static final String STORE_PASSWORD = TestCertificates.PASSWORD;
  private static final Path TRUST_STORE = TestCertificates.store("truststore.p12");
  private final ConfigLoader loader =
      new ConfigLoader(Map.of("TS_PASSWORD", STORE_PASSWORD, "WRONG", "Wr0ng-Pa55")::get);

  private static List<String> problems(Runnable r) {
    try {
      r.run();
    } catch (ConfigurationException e) {
      return e.problems();
    }
    throw new AssertionError("expected a ConfigurationException");
  }

  private static String yaml(String tls) {
    return "type: asterisk\nhost: 127.0.0.1\ntls: " + tls + "\n";
  }

  private static String storeMapping(Path store, String password) {
    return "{ trustStore: \"" + store + "\", trustStorePassword: \"" + password + "\" }";
  }

  @Test
  void aBooleanSwitchesTlsWithTheJvmTrustStore() {
    AdapterConfig on = loader.load(yaml("true"));
    AdapterConfig off = loader.load(yaml("false"));

    assertThat(on.tls()).isTrue();
    assertThat(on.tlsSettings()).isEqualTo(TlsSettings.SYSTEM_TRUST);
    assertThat(off.tls()).isFalse();
    assertThat(off.tlsSettings()).isEqualTo(TlsSettings.DISABLED);
    assertThat(loader.load("type: asterisk\n").tlsSettings()).isEqualTo(TlsSettings.DISABLED);
  }

  @Test
  void aMappingWithATrustStoreTurnsTlsOnAndReadsEveryField() {
    AdapterConfig c =
        loader.load(
            yaml(
                "{ enabled: true, trustStore: \""
                    + TRUST_STORE
                    + "\", trustStorePassword: \"${TS_PASSWORD}\", trustStoreType: PKCS12 }"));

    assertThat(c.tls()).isTrue();
    TlsSettings s = c.tlsSettings();
    assertThat(s.enabled()).isTrue();
    assertThat(s.trustStore()).contains(TRUST_STORE);
    assertThat(s.trustStorePassword().reveal()).isEqualTo(STORE_PASSWORD);
    assertThat(s.trustStoreType()).isEqualTo("PKCS12");
  }

  @Test
  void aMappingWithoutEnabledMeansOnAndEnabledFalseKeepsTheStoreButTurnsTlsOff() {
    assertThat(loader.load(yaml(storeMapping(TRUST_STORE, "${TS_PASSWORD}"))).tls()).isTrue();
    assertThat(loader.load(yaml("{ enabled: true }")).tlsSettings())
        .isEqualTo(TlsSettings.SYSTEM_TRUST);

    AdapterConfig off =
        loader.load(
            yaml(
                "{ enabled: false, trustStore: \""
                    + TRUST_STORE
                    + "\", trustStorePassword: \"${TS_PASSWORD}\" }"));
    assertThat(off.tls()).isFalse();
    assertThat(off.tlsSettings().trustStore()).contains(TRUST_STORE);
  }

  @Test
  void aMissingTrustStoreFileIsAProblemAtItsPath(@TempDir Path dir) {
    Path missing = dir.resolve("nope.p12");

    assertThat(problems(() -> loader.load(yaml(storeMapping(missing, "${TS_PASSWORD}")))))
        .containsExactly("tls.trustStore: file not found: " + missing);
  }

  @Test
  void aWrongPasswordIsAProblemThatDoesNotShowThePassword() {
    List<String> problems =
        problems(() -> loader.load(yaml(storeMapping(TRUST_STORE, "${WRONG}"))));

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .startsWith("tls.trustStorePassword: wrong password for the trust store " + TRUST_STORE)
        .doesNotContain("Wr0ng-Pa55");
  }

  @Test
  void aFileThatIsNoKeyStoreAndAnUnknownTypeAreProblems(@TempDir Path dir) throws Exception {
    Path text = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");

    assertThat(problems(() -> loader.load(yaml(storeMapping(text, "x")))))
        .singleElement()
        .asString()
        .startsWith("tls.trustStore: cannot read " + text + " as a PKCS12 key store");
    assertThat(
            problems(
                () ->
                    loader.load(
                        yaml(
                            "{ trustStore: \""
                                + TRUST_STORE
                                + "\", trustStorePassword: x, trustStoreType: BKS9 }"))))
        .containsExactly("tls.trustStoreType: unknown key store type 'BKS9' (use PKCS12 or JKS)");
  }

  @Test
  void aKeyStoreWithoutCertificatesIsAProblem(@TempDir Path dir) throws Exception {
    java.security.KeyStore empty = java.security.KeyStore.getInstance("PKCS12");
    empty.load(null, null);
    Path file = dir.resolve("empty.p12");
    try (var out = Files.newOutputStream(file)) {
      empty.store(out, "pw".toCharArray());
    }

    assertThat(problems(() -> loader.load(yaml(storeMapping(file, "pw")))))
        .containsExactly("tls.trustStore: holds no certificate to trust: " + file);
  }

  @Test
  void misplacedAndUnknownKeysAreProblemsEachWithItsPath() {
    assertThat(
            problems(
                () ->
                    loader.load(
                        yaml(
                            "{ trustStorePassword: \"${TS_PASSWORD}\", trustStoreType: JKS,"
                                + " insecure: true, enabled: maybe }"))))
        .containsExactlyInAnyOrder(
            "tls.insecure: unknown key (known: enabled, trustStore, trustStorePassword,"
                + " trustStoreType)",
            "tls.enabled: expected true or false, was 'maybe'",
            "tls.trustStorePassword: given without tls.trustStore",
            "tls.trustStoreType: given without tls.trustStore");
    assertThat(problems(() -> loader.load(yaml("yes please"))))
        .containsExactly("tls: expected true or false, was 'yes please'");
  }

  @Test
  void anUnsetPasswordVariableIsReportedOnceAndNotAsAWrongPassword() {
    assertThat(problems(() -> loader.load(yaml(storeMapping(TRUST_STORE, "${UNSET_TS}")))))
        .containsExactly("tls.trustStorePassword: environment variable 'UNSET_TS' is not set");
  }

  @Test
  void problemsInAListOfAdaptersCarryTheAdapterIndex(@TempDir Path dir) {
    Path missing = dir.resolve("gone.p12");
    String doc =
        "adapters:\n"
            + "  - { type: asterisk, tls: true }\n"
            + "  - { type: kamailio, tls: { trustStore: \""
            + missing
            + "\" } }\n";

    assertThat(problems(() -> loader.loadAll(doc)))
        .containsExactly("adapters[1].tls.trustStore: file not found: " + missing);
  }

  @Test
  void aConfigBuiltInCodeIsCheckedTheSameWay(@TempDir Path dir) {
    AdapterConfig c =
        AdapterConfig.builder("asterisk")
            .tls(TlsSettings.trustStore(dir.resolve("none.p12"), "pw"))
            .build();
    ConfigProblems p = new ConfigProblems();

    ConfigLoader.validateCommon(c, p);

    assertThat(p.list())
        .containsExactly("tls.trustStore: file not found: " + dir.resolve("none.p12"));
  }

  @Test
  void theBuilderKeepsTheBooleanAndTheSettingsInStep() {
    TlsSettings store = TestCertificates.trustingTestCa();

    AdapterConfig withStore = AdapterConfig.builder("asterisk").tls(store).build();
    AdapterConfig offAgain = withStore.toBuilder().tls(false).build();
    AdapterConfig onAgain = offAgain.toBuilder().tls(true).build();

    assertThat(withStore.tls()).isTrue();
    assertThat(offAgain.tls()).isFalse();
    assertThat(offAgain.tlsSettings().trustStore()).contains(TRUST_STORE);
    assertThat(onAgain.tlsSettings()).isEqualTo(store);
    assertThat(AdapterConfig.builder("asterisk").tls(true).build().tlsSettings())
        .isEqualTo(TlsSettings.SYSTEM_TRUST);
    assertThatThrownBy(
            () ->
                new AdapterConfig(
                    "asterisk",
                    "a",
                    "h",
                    1,
                    false,
                    Credentials.NONE,
                    "",
                    Timeouts.DEFAULTS,
                    ReconnectPolicy.DEFAULTS,
                    HealthThresholds.DEFAULTS,
                    EventSettings.DEFAULTS,
                    0,
                    Map.of(),
                    store))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theTrustStorePasswordNeverShowsInToStringOrTheConnectTarget() {
    AdapterConfig c =
        loader.load(
            yaml(storeMapping(TRUST_STORE, "${TS_PASSWORD}"))
                + "auth: { username: admin, password: s3cret }\n");
    TlsContext tls = TlsContext.create(c.tlsSettings());
    ConnectTarget target =
        new ConnectTarget(
            "h", 1, c.auth(), true, c.timeouts().connect(), c.timeouts().request(), tls);

    assertThat(c.tlsSettings().toString())
        .contains("trustStorePassword=" + Secret.MASK)
        .contains(TRUST_STORE.toString())
        .doesNotContain(STORE_PASSWORD);
    assertThat(c.toString()).doesNotContain(STORE_PASSWORD).doesNotContain("s3cret");
    assertThat(tls.toString()).doesNotContain(STORE_PASSWORD);
    assertThat(target.toString()).doesNotContain(STORE_PASSWORD).doesNotContain("s3cret");
  }

  @Test
  void openingAStoreWithAWrongPasswordThrowsWithoutThePassword() {
    TlsSettings wrong = TlsSettings.trustStore(TRUST_STORE, "Wr0ng-Pa55");

    assertThatThrownBy(() -> TlsContext.create(wrong))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tls.trustStorePassword: wrong password")
        .satisfies(e -> assertThat(e.toString()).doesNotContain("Wr0ng-Pa55"));
  }
}
