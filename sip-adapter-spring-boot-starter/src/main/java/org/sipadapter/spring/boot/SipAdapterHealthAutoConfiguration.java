package org.sipadapter.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sipadapter.SipAdapter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * One health indicator per adapter, grouped under {@code sipadapter} in {@code /actuator/health}
 * ({@code /actuator/health/sipadapter/<name>} for one). Off with {@code
 * management.health.sipadapter.enabled=false}.
 */
@AutoConfiguration(
    after = SipAdapterAutoConfiguration.class,
    afterName =
        "org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration")
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnBean(SipAdapter.class)
@ConditionalOnEnabledHealthIndicator("sipadapter")
public class SipAdapterHealthAutoConfiguration {

  /** Creates the auto-configuration (called by Spring). */
  public SipAdapterHealthAutoConfiguration() {}

  /**
   * The {@code sipadapter} health contributor.
   *
   * @param adapters the application's adapters
   * @return one indicator per adapter, by adapter name
   */
  @Bean
  @ConditionalOnMissingBean(name = "sipadapterHealthContributor")
  public HealthContributor sipadapterHealthContributor(ObjectProvider<SipAdapter> adapters) {
    Map<String, SipAdapterHealthIndicator> indicators = new LinkedHashMap<>();
    adapters
        .orderedStream()
        .forEach(a -> indicators.put(a.name(), new SipAdapterHealthIndicator(a)));
    return CompositeHealthContributor.fromMap(indicators);
  }
}
