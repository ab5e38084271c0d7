package org.sipadapter;

import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigLoader;
import org.sipadapter.config.ConfigProblems;

/**
 * Builds adapters from configs, finding the adapter modules on the class path with {@link
 * ServiceLoader}.
 *
 * <pre>{@code
 * SipAdapter pbx = SipAdapters.fromYaml(Path.of("asterisk.yaml"));
 * }</pre>
 */
public final class SipAdapters {
  private SipAdapters() {}

  /**
   * Creates an adapter from a config.
   *
   * @param config the config
   * @return a new, unconnected adapter
   * @throws ConfigurationException if the type is unknown (the message lists the known types) or
   *     the adapter finds problems in the config
   */
  public static SipAdapter create(AdapterConfig config) {
    return create(config, new ConfigProblems());
  }

  private static SipAdapter create(AdapterConfig config, ConfigProblems problems) {
    ConfigLoader.validateCommon(config, problems);
    Map<String, SipAdapterProvider> providers = providers();
    SipAdapterProvider p = providers.get(config.type());
    if (p == null) {
      problems.add(
          "type",
          "unknown adapter type '"
              + config.type()
              + "'; found on the class path: "
              + (providers.isEmpty() ? "none" : String.join(", ", providers.keySet()))
              + " (add the adapter's Maven module)");
      problems.throwIfAny();
    }
    AdapterConfig filled =
        config.port() == 0
            ? config.toBuilder().server(config.host(), p.defaultPort()).build()
            : config;
    p.validate(filled, problems);
    problems.throwIfAny();
    return p.create(filled);
  }

  /**
   * Creates the one adapter described in a YAML file.
   *
   * @param path the file
   * @return a new, unconnected adapter
   * @throws ConfigurationException on any problem, all listed at once
   */
  public static SipAdapter fromYaml(Path path) {
    return create(new ConfigLoader().load(path));
  }

  /**
   * Creates the one adapter described by YAML read from a reader (not closed).
   *
   * @param reader the YAML source
   * @return a new, unconnected adapter
   * @throws ConfigurationException on any problem
   */
  public static SipAdapter fromYaml(Reader reader) {
    return create(new ConfigLoader().load(reader));
  }

  /**
   * Creates the one adapter described by a YAML text.
   *
   * @param yaml the YAML document
   * @return a new, unconnected adapter
   * @throws ConfigurationException on any problem
   */
  public static SipAdapter fromYaml(String yaml) {
    return create(new ConfigLoader().load(yaml));
  }

  /**
   * Creates every adapter in a YAML file ({@code adapters:} list or a single adapter).
   *
   * @param path the file
   * @return new, unconnected adapters in document order
   * @throws ConfigurationException listing the problems of every adapter at once
   */
  public static List<SipAdapter> allFromYaml(Path path) {
    return createAll(new ConfigLoader().loadAll(path));
  }

  /**
   * Creates every adapter described by YAML read from a reader (not closed).
   *
   * @param reader the YAML source
   * @return new, unconnected adapters in document order
   * @throws ConfigurationException listing every problem at once
   */
  public static List<SipAdapter> allFromYaml(Reader reader) {
    return createAll(new ConfigLoader().loadAll(reader));
  }

  /**
   * Creates every adapter described by a YAML text.
   *
   * @param yaml the YAML document
   * @return new, unconnected adapters in document order
   * @throws ConfigurationException listing every problem at once
   */
  public static List<SipAdapter> allFromYaml(String yaml) {
    return createAll(new ConfigLoader().loadAll(yaml));
  }

  /**
   * Lists the adapter types found on the class path.
   *
   * @return type names, sorted
   */
  public static List<String> availableTypes() {
    return List.copyOf(providers().keySet());
  }

  private static List<SipAdapter> createAll(List<AdapterConfig> configs) {
    ConfigProblems problems = new ConfigProblems();
    Map<String, SipAdapterProvider> providers = providers();
    // Check everything first, so one run reports every problem in the file.
    for (int i = 0; i < configs.size(); i++) {
      AdapterConfig c = configs.get(i);
      ConfigProblems at = configs.size() == 1 ? problems : problems.under("adapters[" + i + "]");
      SipAdapterProvider p = providers.get(c.type());
      if (p == null) {
        at.add(
            "type",
            "unknown adapter type '"
                + c.type()
                + "'; found on the class path: "
                + (providers.isEmpty() ? "none" : String.join(", ", providers.keySet())));
      } else {
        p.validate(c.port() == 0 ? c.toBuilder().server(c.host(), p.defaultPort()).build() : c, at);
      }
    }
    problems.throwIfAny();
    List<SipAdapter> out = new ArrayList<>();
    for (AdapterConfig c : configs) {
      out.add(create(c));
    }
    return out;
  }

  private static Map<String, SipAdapterProvider> providers() {
    Map<String, SipAdapterProvider> out = new TreeMap<>();
    for (SipAdapterProvider p : ServiceLoader.load(SipAdapterProvider.class, classLoader())) {
      out.putIfAbsent(p.type(), p);
    }
    return out;
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : SipAdapters.class.getClassLoader();
  }
}
