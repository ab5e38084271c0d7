package org.sipadapter.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import org.sipadapter.SipAdapter;
import org.sipadapter.micrometer.SipAdapterMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Binds every adapter's meters ({@link SipAdapterMetrics}) to the application's Micrometer
 * registries, when sip-adapter-micrometer is on the class path and the application has a {@link
 * MeterRegistry} (Spring Boot Actuator). Off with {@code sipadapter.metrics.enabled=false}.
 */
@AutoConfiguration(
    after = SipAdapterAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"
    })
@ConditionalOnClass({MeterRegistry.class, SipAdapterMetrics.class})
@ConditionalOnBean({MeterRegistry.class, SipAdapter.class})
@ConditionalOnProperty(
    prefix = SipAdapterProperties.PREFIX + ".metrics",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
public class SipAdapterMetricsAutoConfiguration {

  /** Creates the auto-configuration (called by Spring). */
  public SipAdapterMetricsAutoConfiguration() {}

  /**
   * The binder; Spring Boot binds every {@code MeterBinder} bean to its registries.
   *
   * @param adapters the application's adapters
   * @param properties the starter's properties
   * @return the binder, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SipAdapterMetrics sipAdapterMetrics(
      ObjectProvider<SipAdapter> adapters, SipAdapterProperties properties) {
    return SipAdapterMetrics.builder()
        .adapters(adapters.orderedStream().toList())
        .healthCheckInterval(properties.getMetrics().getHealthCheckInterval())
        .build();
  }
}
