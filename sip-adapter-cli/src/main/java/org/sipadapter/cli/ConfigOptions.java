package org.sipadapter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.ConfigurationException;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigLoader;
import picocli.CommandLine.Option;

/**
 * The options that say which servers a command talks to: the YAML file ({@code -c}) and, for a file
 * with several adapters, which ones ({@code --adapter}).
 */
final class ConfigOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description =
          "YAML file with one adapter, or 'adapters:' with a list (see docs/configuration.md)."
              + " ${NAME} and ${NAME:-default} expand from the environment.")
  Path config;

  @Option(
      names = {"-a", "--adapter"},
      paramLabel = "NAME",
      split = ",",
      description = "Use only these adapters of the file (by name); default: all of them.")
  List<String> only = new ArrayList<>();

  /**
   * Reads the file and builds its adapters, unconnected.
   *
   * @param redactor learns the secrets of the file before anything is printed
   * @return the adapters, in file order, narrowed by {@code --adapter}
   * @throws ConfigurationException listing every problem of the file, with YAML paths
   */
  List<SipAdapter> createAdapters(Redactor redactor) {
    if (!Files.isRegularFile(config)) {
      throw new ConfigurationException(
          config + ": no such file (give the adapters' YAML file with -c FILE)");
    }
    List<AdapterConfig> configs = new ConfigLoader().loadAll(config);
    redactor.learn(configs);
    List<SipAdapter> all = SipAdapters.allFromYaml(config);
    if (only.isEmpty()) {
      return all;
    }
    List<SipAdapter> chosen = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (SipAdapter a : all) {
      names.add(a.name());
      if (only.contains(a.name())) {
        chosen.add(a);
      }
    }
    List<String> unknown = new ArrayList<>(only);
    unknown.removeAll(names);
    if (!unknown.isEmpty()) {
      all.forEach(SipAdapter::close);
      throw new ConfigurationException(
          "--adapter: no adapter named "
              + String.join(", ", unknown)
              + " in "
              + config
              + " (names there: "
              + String.join(", ", names)
              + ")");
    }
    all.stream().filter(a -> !chosen.contains(a)).forEach(SipAdapter::close);
    return chosen;
  }
}
