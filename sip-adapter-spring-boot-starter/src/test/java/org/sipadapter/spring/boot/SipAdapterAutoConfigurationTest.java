package org.sipadapter.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.ConfigurationException;
import org.sipadapter.ConnectionState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.micrometer.SipAdapterMetrics;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

@ExtendWith(OutputCaptureExtension.class)
class SipAdapterAutoConfigurationTest {
  private static final String SECRET = "s3cret-Pa55-word";

  private final AmiEmulator ami = AmiEmulator.create().credentials("admin", SECRET).start();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  SipAdapterAutoConfiguration.class,
                  SipAdapterHealthAutoConfiguration.class,
                  SipAdapterMetricsAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class));

  @AfterEach
  void stop() {
    ami.close();
  }

  private String[] pbx(String... more) {
    List<String> p =
        new java.util.ArrayList<>(
            List.of(
                "sipadapter.adapters[0].type=asterisk",
                "sipadapter.adapters[0].name=pbx",
                "sipadapter.adapters[0].host=" + ami.host(),
                "sipadapter.adapters[0].port=" + ami.port(),
                "sipadapter.adapters[0].auth.username=admin",
                "sipadapter.adapters[0].auth.password=${AMI_SECRET}",
                "AMI_SECRET=" + SECRET));
    p.addAll(List.of(more));
    return p.toArray(String[]::new);
  }

  @Test
  void anAdapterInThePropertiesIsABeanNamedByItsNameConnectedOnStartAndClosedOnShutdown() {
    SipAdapter[] seen = new SipAdapter[1];
    runner
        .withPropertyValues(pbx())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              SipAdapter pbx = context.getBean("pbx", SipAdapter.class);
              assertThat(pbx.type()).isEqualTo("asterisk");
              assertThat(pbx.connectionState()).isEqualTo(ConnectionState.CONNECTED);
              seen[0] = pbx;
            });
    assertThat(seen[0].connectionState()).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  void theAdaptersTakeTheKeysOfSipAdaptersOwnYaml() {
    runner
        .withPropertyValues(
            pbx(
                "sipadapter.adapters[0].historySize=7",
                "sipadapter.adapters[0].timeouts.request=3s",
                "sipadapter.adapters[0].reconnect.maxAttempts=4",
                "sipadapter.adapters[0].options.context=from-sdk",
                "sipadapter.adapters[1].type=asterisk",
                "sipadapter.adapters[1].name=second",
                "sipadapter.adapters[1].port=" + ami.port(),
                "sipadapter.adapters[1].auth.username=admin",
                "sipadapter.adapters[1].auth.password=" + SECRET))
        .run(
            context -> {
              SipAdapter pbx = context.getBean("pbx", SipAdapter.class);
              assertThat(pbx.config().historySize()).isEqualTo(7);
              assertThat(pbx.config().timeouts().request()).hasSeconds(3);
              assertThat(pbx.config().reconnect().maxAttempts()).isEqualTo(4);
              assertThat(pbx.config().options()).containsEntry("context", "from-sdk");
              assertThat(context.getBeansOfType(SipAdapter.class))
                  .containsOnlyKeys("pbx", "second");
            });
  }

  @Test
  void aConfigFileInSipAdaptersYamlAddsItsAdapters(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("adapters.yaml");
    Files.writeString(
        file,
        "adapters:\n"
            + "  - type: asterisk\n"
            + "    name: from-file\n"
            + "    port: "
            + ami.port()
            + "\n"
            + "    auth: { username: admin, password: \"${AMI_SECRET}\" }\n");
    runner
        .withPropertyValues("sipadapter.config-file=" + file, "AMI_SECRET=" + SECRET)
        .run(
            context ->
                assertThat(context.getBean("from-file", SipAdapter.class).connectionState())
                    .isEqualTo(ConnectionState.CONNECTED));
  }

  @Test
  void badPropertiesFailTheStartListingEveryProblemWithItsPropertyPath() {
    runner
        .withPropertyValues(
            "sipadapter.adapters[0].type=asterisk",
            "sipadapter.adapters[0].port=not-a-port",
            "sipadapter.adapters[0].colour=blue")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("sipadapter.adapters[0].port")
                    .hasMessageContaining("sipadapter.adapters[0].colour"));
  }

  @Test
  void anUnreachableServerFailsTheStartByDefaultAndNamesTheAdapter() {
    ami.close();
    runner
        .withPropertyValues(pbx("sipadapter.adapters[0].timeouts.connect=1s"))
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .cause()
                    .hasMessageContaining("sip-adapter 'pbx' (asterisk) could not connect on start")
                    .hasMessageContaining("sipadapter.startup.on-failure=continue"));
  }

  @Test
  void withOnFailureContinueTheApplicationStartsAndTheAdapterIsDown() {
    ami.close();
    runner
        .withPropertyValues(
            pbx(
                "sipadapter.adapters[0].timeouts.connect=1s",
                "sipadapter.startup.on-failure=continue"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean("pbx", SipAdapter.class).connectionState())
                  .isNotEqualTo(ConnectionState.CONNECTED);
              assertThat(indicator(context, "pbx").health().getStatus()).isEqualTo(Status.DOWN);
            });
  }

  @Test
  void listenerBeansAndApplicationEventListenersSeeTheAdaptersEventsFromTheConnectOn() {
    runner
        .withPropertyValues(pbx())
        .withUserConfiguration(Listeners.class)
        .run(
            context -> {
              Listeners l = context.getBean(Listeners.class);
              assertThat(l.listened)
                  .filteredOn(ConnectionStateChanged.class::isInstance)
                  .map(e -> ((ConnectionStateChanged) e).state())
                  .contains(ConnectionState.CONNECTED);
              assertThat(l.published)
                  .filteredOn(ConnectionStateChanged.class::isInstance)
                  .map(e -> ((ConnectionStateChanged) e).state())
                  .contains(ConnectionState.CONNECTED);
              assertThat(l.published).allMatch(e -> e.adapterName().equals("pbx"));
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class Listeners {
    final List<AdapterEvent> listened = new CopyOnWriteArrayList<>();
    final List<AdapterEvent> published = new CopyOnWriteArrayList<>();

    @Bean
    SipAdapterListener recordingListener() {
      return new SipAdapterListener() {
        @Override
        public void onEvent(AdapterEvent event) {
          listened.add(event);
        }
      };
    }

    @EventListener
    void on(AdapterEvent event) {
      published.add(event);
    }
  }

  @Test
  void eachAdapterHasAHealthIndicatorUnderSipadapter() {
    runner
        .withPropertyValues(pbx())
        .run(
            context -> {
              HealthIndicator pbx = indicator(context, "pbx");
              assertThat(pbx.health().getStatus()).isEqualTo(Status.UP);
              assertThat(pbx.health().getDetails())
                  .containsEntry("status", "HEALTHY")
                  .containsEntry("connectionState", "CONNECTED")
                  .containsEntry("type", "asterisk");
            });
  }

  private static HealthIndicator indicator(
      org.springframework.context.ApplicationContext context, String name) {
    CompositeHealthContributor all =
        context.getBean("sipadapterHealthContributor", CompositeHealthContributor.class);
    return (HealthIndicator) all.getContributor(name);
  }

  @Test
  void theMetersAreBoundWhenTheApplicationHasAMeterRegistry() {
    runner
        .withPropertyValues(pbx())
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class))
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(
                      registry
                          .get("sipadapter.connection.state")
                          .tags("adapter", "pbx", "type", "asterisk", "state", "connected")
                          .gauge()
                          .value())
                  .isEqualTo(1);
            });
  }

  @Test
  void withoutAMeterRegistryThereIsNoBinder() {
    runner
        .withPropertyValues(pbx())
        .run(context -> assertThat(context).doesNotHaveBean(SipAdapterMetrics.class));
  }

  @Test
  void disabledTheStarterCreatesNothing() {
    runner
        .withPropertyValues(pbx("sipadapter.enabled=false"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(SipAdapter.class);
            });
  }

  @Test
  void theSecretIsNeverLoggedNorShownNotEvenWhenItIsRefused(CapturedOutput output) {
    runner
        .withPropertyValues(pbx("logging.level.org.sipadapter=DEBUG"))
        .run(
            context -> {
              SipAdapter pbx = context.getBean("pbx", SipAdapter.class);
              assertThat(pbx.config().toString()).doesNotContain(SECRET);
              assertThat(indicator(context, "pbx").health().toString()).doesNotContain(SECRET);
            });
    ami.credentials("admin", "another-" + SECRET);
    runner
        .withPropertyValues(pbx())
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable t = context.getStartupFailure();
              for (; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
              }
            });
    assertThat(output.getAll()).contains("pbx").doesNotContain(SECRET);
  }
}
