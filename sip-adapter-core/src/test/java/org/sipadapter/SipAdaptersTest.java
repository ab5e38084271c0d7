package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipadapter.config.AdapterConfig;

class SipAdaptersTest {

  @Test
  void availableTypesListsTheProvidersOnTheClassPath() {
    assertThat(SipAdapters.availableTypes()).contains("scripted");
  }

  @Test
  void unknownTypeIsAConfigurationErrorListingTheAvailableTypes() {
    assertThatThrownBy(() -> SipAdapters.create(AdapterConfig.builder("asterisk").build()))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("type: unknown adapter type 'asterisk'")
                    .contains("scripted"));
  }

  @Test
  void theProviderValidatesItsOwnOptions() {
    assertThatThrownBy(() -> SipAdapters.create(AdapterConfig.builder("scripted").build()))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly("options.dialplan: required (the scripted dial plan)"));
  }

  @Test
  void configsBuiltInCodeAreCheckedLikeYamlWithEveryProblemListed() {
    AdapterConfig bad =
        AdapterConfig.builder("scripted")
            .server(" ", 70000)
            .events(new org.sipadapter.config.EventSettings(0, 4, java.time.Duration.ofSeconds(1)))
            .option("dialplan", "lab")
            .build();

    assertThatThrownBy(() -> SipAdapters.create(bad))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "host: must not be blank",
                        "port: must be between 1 and 65535, was 70000",
                        "events.threads: must be between 1 and 64",
                        "events.queueCapacity: must be at least 16"));
  }

  @Test
  void aMissingPortIsFilledWithTheProvidersDefault() {
    SipAdapter a =
        SipAdapters.fromYaml("type: scripted\nhost: 10.0.0.1\noptions: { dialplan: lab }\n");
    try {
      assertThat(a).isInstanceOf(ScriptedAdapter.class);
      assertThat(a.config().port()).isEqualTo(ScriptedAdapterProvider.DEFAULT_PORT);
      assertThat(a.config().host()).isEqualTo("10.0.0.1");
      assertThat(a.type()).isEqualTo("scripted");
      assertThat(a.name()).isEqualTo("scripted");
    } finally {
      a.close();
    }
  }

  @Test
  void anExplicitPortIsKept() {
    SipAdapter a = SipAdapters.fromYaml("type: scripted\nport: 7000\noptions: { dialplan: x }\n");
    try {
      assertThat(a.config().port()).isEqualTo(7000);
    } finally {
      a.close();
    }
  }

  @Test
  void allFromYamlReportsTheProblemsOfEveryAdapterAtOnceWithTheirIndex() {
    String yaml =
        "adapters:\n"
            + "  - { type: scripted, name: a, options: { dialplan: x } }\n"
            + "  - { type: scripted, name: b }\n"
            + "  - { type: nosuch, name: c }\n";

    assertThatThrownBy(() -> SipAdapters.allFromYaml(yaml))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> {
              assertThat(e.problems()).hasSize(2);
              assertThat(e.problems().get(0)).startsWith("adapters[1].options.dialplan: required");
              assertThat(e.problems().get(1)).startsWith("adapters[2].type: unknown adapter type");
            });
  }

  @Test
  void allFromYamlBuildsEveryAdapterInDocumentOrder() {
    List<SipAdapter> all =
        SipAdapters.allFromYaml(
            "adapters:\n"
                + "  - { type: scripted, name: a, options: { dialplan: x } }\n"
                + "  - { type: scripted, name: b, port: 6000, options: { dialplan: y } }\n");
    try {
      assertThat(all).extracting(SipAdapter::name).containsExactly("a", "b");
      assertThat(all.get(1).config().port()).isEqualTo(6000);
    } finally {
      all.forEach(SipAdapter::close);
    }
  }
}
