package org.sipadapter.spring.boot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sipadapter.ConfigurationException;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigLoader;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Registers one {@link SipAdapter} bean per adapter in {@code sipadapter.adapters} and {@code
 * sipadapter.config-file}, named by the adapter's {@code name}.
 *
 * <p>One config model: the bound properties are handed, as the YAML tree they came from, to
 * sip-adapter's {@link ConfigLoader}, which checks them exactly as it checks a YAML file and
 * reports every problem at once. Spring resolves {@code ${...}} placeholders (secrets from any
 * property source) before; what is left unresolved is looked up in the environment by the loader.
 */
final class SipAdapterRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {
  private static final Bindable<List<Map<String, Object>>> ADAPTERS =
      Bindable.of(
          ResolvableType.forClassWithGenerics(
              List.class,
              ResolvableType.forClassWithGenerics(Map.class, String.class, Object.class)));

  private Environment environment;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void registerBeanDefinitions(
      AnnotationMetadata importingClassMetadata, BeanDefinitionRegistry registry) {
    for (AdapterConfig config : configs(environment)) {
      if (registry.containsBeanDefinition(config.name())) {
        throw new ConfigurationException(
            "sipadapter.adapters: an adapter is named '"
                + config.name()
                + "', but the application already has a bean of that name; give the adapter"
                + " another name");
      }
      RootBeanDefinition bean = new RootBeanDefinition(SipAdapter.class, () -> create(config));
      bean.setDestroyMethodName("close");
      bean.setDescription("sip-adapter " + config.type() + " adapter '" + config.name() + "'");
      registry.registerBeanDefinition(config.name(), bean);
    }
  }

  private static SipAdapter create(AdapterConfig config) {
    return SipAdapters.create(config);
  }

  /**
   * Reads the adapter configs from an environment.
   *
   * @param environment the application's environment
   * @return the configs, those of {@code sipadapter.adapters} first
   * @throws ConfigurationException listing every problem, or when two adapters share a name
   */
  static List<AdapterConfig> configs(Environment environment) {
    Binder binder = Binder.get(environment);
    if (!binder.bind(SipAdapterProperties.PREFIX + ".enabled", Boolean.class).orElse(true)) {
      return List.of();
    }
    ConfigLoader loader = new ConfigLoader(environment::getProperty);
    List<AdapterConfig> configs = new ArrayList<>();
    List<Map<String, Object>> declared =
        binder.bind(SipAdapterProperties.PREFIX + ".adapters", ADAPTERS).orElse(List.of());
    if (!declared.isEmpty()) {
      List<Object> tree = new ArrayList<>();
      declared.forEach(a -> tree.add(yamlTree(a)));
      try {
        configs.addAll(loader.loadAll(yaml(Map.of("adapters", tree))));
      } catch (ConfigurationException e) {
        throw new ConfigurationException(prefixed(e.problems()));
      }
    }
    String file =
        binder.bind(SipAdapterProperties.PREFIX + ".config-file", String.class).orElse(null);
    if (file != null && !file.isBlank()) {
      configs.addAll(loader.loadAll(Path.of(file)));
    }
    List<String> names = new ArrayList<>();
    for (AdapterConfig c : configs) {
      if (names.contains(c.name())) {
        throw new ConfigurationException(
            "sipadapter: two adapters are named '"
                + c.name()
                + "'; each adapter is a bean named by its name, so names must differ");
      }
      names.add(c.name());
    }
    return configs;
  }

  private static List<String> prefixed(List<String> problems) {
    List<String> out = new ArrayList<>();
    problems.forEach(p -> out.add(SipAdapterProperties.PREFIX + "." + p));
    return out;
  }

  /**
   * Turns what the binder made of the properties back into the YAML tree: a map whose keys are all
   * list indexes ({@code [0]}, {@code [1]}) was a list.
   */
  private static Object yamlTree(Object node) {
    if (node instanceof Map<?, ?> map) {
      if (!map.isEmpty()
          && map.keySet().stream().allMatch(k -> String.valueOf(k).matches("\\[\\d+]"))) {
        Map<Integer, Object> indexed = new TreeMap<>();
        map.forEach(
            (k, v) -> {
              String key = String.valueOf(k);
              indexed.put(Integer.parseInt(key.substring(1, key.length() - 1)), yamlTree(v));
            });
        return new ArrayList<>(indexed.values());
      }
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), yamlTree(v)));
      return out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(yamlTree(v)));
      return out;
    }
    return node;
  }

  private static String yaml(Object tree) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(tree);
  }
}
