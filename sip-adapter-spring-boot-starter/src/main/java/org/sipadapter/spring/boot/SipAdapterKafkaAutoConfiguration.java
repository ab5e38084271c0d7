package org.sipadapter.spring.boot;

import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipadapter.ConfigurationException;
import org.sipadapter.SipAdapter;
import org.sipadapter.kafka.KafkaEventPublisher;
import org.sipadapter.kafka.KafkaSinkSettings;
import org.sipadapter.kafka.KafkaSinkYaml;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Publishes every adapter's events and call records to Kafka ({@link KafkaEventPublisher}) when
 * sip-adapter-kafka is on the class path and {@code sipadapter.sinks.kafka.bootstrap} is set.
 *
 * <p>One config model: {@code sipadapter.sinks.kafka} holds the keys of the {@code sinks: kafka:}
 * section of sip-adapter's YAML ({@code bootstrap}, {@code topics}, {@code buffer}, {@code spill},
 * {@code producer}), read by {@link KafkaSinkYaml}. Producer settings may be written nested ({@code
 * producer: { compression: { type: lz4 } } }) or in brackets ({@code "[compression.type]": lz4});
 * both become {@code compression.type}.
 *
 * <p>The publisher is attached to every {@link SipAdapter} bean as the bean is created, so it sees
 * the adapter's first events; every adapter bean depends on it, so the context closes the adapters
 * (and their last events are published) before the publisher.
 */
@AutoConfiguration(after = SipAdapterAutoConfiguration.class)
@ConditionalOnClass(KafkaEventPublisher.class)
@ConditionalOnProperty(prefix = SipAdapterKafkaAutoConfiguration.PREFIX, name = "bootstrap")
public class SipAdapterKafkaAutoConfiguration {

  /** The prefix of the sink's properties. */
  public static final String PREFIX = SipAdapterProperties.PREFIX + ".sinks.kafka";

  /** The publisher's bean name. */
  public static final String PUBLISHER = "sipAdapterKafkaPublisher";

  private static final Bindable<Map<String, Object>> TREE =
      Bindable.mapOf(String.class, Object.class);

  /** Creates the auto-configuration (called by Spring). */
  public SipAdapterKafkaAutoConfiguration() {}

  /**
   * The publisher, closed with the context after the adapters.
   *
   * @param environment the application's environment
   * @return the publisher
   * @throws ConfigurationException listing every problem of {@code sipadapter.sinks.kafka}
   */
  @Bean(name = PUBLISHER, destroyMethod = "close")
  @ConditionalOnMissingBean
  public KafkaEventPublisher sipAdapterKafkaPublisher(Environment environment) {
    return new KafkaEventPublisher(settings(environment));
  }

  /**
   * Makes every adapter bean depend on the publisher, so the publisher is closed last.
   *
   * @return the post-processor
   */
  @Bean
  static BeanFactoryPostProcessor sipAdapterKafkaShutdownOrder() {
    return SipAdapterKafkaAutoConfiguration::dependOnPublisher;
  }

  /**
   * Attaches the publisher to every adapter bean as it is created.
   *
   * @param publisher the publisher, looked up when the first adapter is created
   * @return the post-processor
   */
  @Bean
  static BeanPostProcessor sipAdapterKafkaAttach(ObjectProvider<KafkaEventPublisher> publisher) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof SipAdapter adapter) {
          publisher.getObject().attach(adapter);
        }
        return bean;
      }
    };
  }

  private static void dependOnPublisher(ConfigurableListableBeanFactory factory)
      throws BeansException {
    // The application's own publisher bean, if it has one, or this configuration's.
    List<String> publishers =
        Arrays.asList(factory.getBeanNamesForType(KafkaEventPublisher.class, true, false));
    for (String name : factory.getBeanNamesForType(SipAdapter.class, true, false)) {
      if (!factory.containsBeanDefinition(name)) {
        continue;
      }
      BeanDefinition bean = factory.getBeanDefinition(name);
      List<String> dependsOn = new ArrayList<>();
      if (bean.getDependsOn() != null) {
        dependsOn.addAll(Arrays.asList(bean.getDependsOn()));
      }
      for (String publisher : publishers) {
        if (!dependsOn.contains(publisher)) {
          dependsOn.add(publisher);
        }
      }
      bean.setDependsOn(dependsOn.toArray(String[]::new));
    }
  }

  /**
   * Reads the sink's settings from an environment.
   *
   * @param environment the application's environment
   * @return the settings
   * @throws ConfigurationException listing every problem, each with its property path
   */
  static KafkaSinkSettings settings(Environment environment) {
    Map<String, Object> kafka =
        new LinkedHashMap<>(Binder.get(environment).bind(PREFIX, TREE).orElse(Map.of()));
    if (kafka.get("producer") instanceof Map<?, ?> producer) {
      Map<String, Object> flat = new LinkedHashMap<>();
      flatten("", producer, flat);
      kafka.put("producer", flat);
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    String yaml = new Yaml(options).dump(Map.of("sinks", Map.of("kafka", kafka)));
    try {
      return KafkaSinkYaml.load(yaml, environment::getProperty);
    } catch (ConfigurationException e) {
      List<String> problems = new ArrayList<>();
      e.problems().forEach(p -> problems.add(SipAdapterProperties.PREFIX + "." + p));
      throw new ConfigurationException(problems);
    }
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
    map.forEach(
        (k, v) -> {
          String key = String.valueOf(k);
          if (key.startsWith("[") && key.endsWith("]")) {
            key = key.substring(1, key.length() - 1);
          }
          key = prefix.isEmpty() ? key : prefix + "." + key;
          if (v instanceof Map<?, ?> nested) {
            flatten(key, nested, out);
          } else {
            out.put(key, v == null ? null : String.valueOf(v));
          }
        });
  }

  /** The publisher's counters as Micrometer meters, when the application has a registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  static class Metrics {

    /**
     * Binds {@code sipadapter.kafka.*}.
     *
     * @param publisher the publisher
     * @return the binder
     */
    @Bean
    @ConditionalOnMissingBean(name = "sipAdapterKafkaMeters")
    MeterBinder sipAdapterKafkaMeters(KafkaEventPublisher publisher) {
      return registry -> KafkaPublisherMeters.bind(publisher, registry);
    }
  }
}
