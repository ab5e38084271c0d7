package org.sipadapter.spring.boot;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Creates the adapters declared under {@code sipadapter.adapters} (and in {@code
 * sipadapter.config-file}) as beans named by their names, connects them on start and closes them on
 * shutdown. Off with {@code sipadapter.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnClass(SipAdapter.class)
@ConditionalOnProperty(
    prefix = SipAdapterProperties.PREFIX,
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(SipAdapterProperties.class)
@Import(SipAdapterRegistrar.class)
public class SipAdapterAutoConfiguration {

  /** Creates the auto-configuration (called by Spring). */
  public SipAdapterAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  SipAdapterLifecycle sipAdapterLifecycle(
      ObjectProvider<SipAdapter> adapters,
      ObjectProvider<SipAdapterListener> listeners,
      ApplicationEventPublisher publisher,
      SipAdapterProperties properties) {
    return new SipAdapterLifecycle(adapters, listeners, publisher, properties);
  }
}
