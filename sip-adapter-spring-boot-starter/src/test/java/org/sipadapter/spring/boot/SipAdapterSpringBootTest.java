package org.sipadapter.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapter;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole Spring Boot application with the starter and one adapter against the AMI emulator. Spring
 * Boot's tests export no metrics unless asked: {@code @AutoConfigureObservability} turns the
 * Prometheus endpoint on, as it is in the running application.
 */
@AutoConfigureObservability(tracing = false)
@DirtiesContext
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "AMI_SECRET=amipass",
      "management.endpoints.web.exposure.include=health,prometheus",
      "management.endpoint.health.show-details=always"
    })
class SipAdapterSpringBootTest {
  // Not closed here: @DirtiesContext closes the application (and its adapter) after this class,
  // and the adapter must not see its server go first. The emulator ends with the test JVM.
  static final AmiEmulator AMI = AmiEmulator.create().start();

  // A list is bound from one property source (Spring replaces lists, it does not merge them), so
  // the whole adapter is declared here, where the emulator's port is known.
  @DynamicPropertySource
  static void adapter(DynamicPropertyRegistry registry) {
    registry.add("sipadapter.adapters[0].type", () -> "asterisk");
    registry.add("sipadapter.adapters[0].name", () -> "pbx");
    registry.add("sipadapter.adapters[0].auth.username", () -> "admin");
    registry.add("sipadapter.adapters[0].auth.password", () -> "${AMI_SECRET}");
    registry.add("sipadapter.adapters[0].host", AMI::host);
    registry.add("sipadapter.adapters[0].port", AMI::port);
  }

  @Autowired TestRestTemplate http;

  @Autowired
  @Qualifier("pbx")
  SipAdapter pbx;

  @Test
  void actuatorShowsTheAdaptersHealthAndItsMetricsInPrometheusFormat() {
    String call = pbx.makeCall("1000", "2000");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> pbx.getStatus(call).state() == CallState.CONNECTED);

    String health = http.getForObject("/actuator/health", String.class);
    assertThat(health)
        .contains("\"status\":\"UP\"")
        .contains("\"sipadapter\"")
        .contains("\"pbx\"")
        .contains("\"connectionState\":\"CONNECTED\"");
    String health1 = http.getForObject("/actuator/health/sipadapter/pbx", String.class);
    assertThat(health1).contains("\"status\":\"UP\"").contains("\"status\":\"HEALTHY\"");

    String prometheus = http.getForObject("/actuator/prometheus", String.class);
    assertThat(prometheus)
        .contains("sipadapter_calls_attempted_total{adapter=\"pbx\",type=\"asterisk\"} 1")
        .contains("sipadapter_call_setup_seconds_count{adapter=\"pbx\",type=\"asterisk\"} 1")
        .contains(
            "sipadapter_connection_state{adapter=\"pbx\",state=\"connected\",type=\"asterisk\"} 1");
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class Application {}
}
