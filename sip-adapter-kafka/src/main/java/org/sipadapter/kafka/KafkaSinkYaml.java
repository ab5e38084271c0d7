package org.sipadapter.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipadapter.ConfigurationException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@link KafkaSinkSettings} from the {@code sinks: kafka:} section of the adapters' YAML
 * file. {@code ${NAME}} and {@code ${NAME:-default}} in string values expand from the environment,
 * as in the adapter sections.
 *
 * <pre>{@code
 * sinks:
 *   kafka:
 *     bootstrap: kafka1:9092,kafka2:9092
 *     topics: { events: sipadapter.events, records: sipadapter.call-records }
 *     buffer: { capacity: 10000, terminalReserve: 1000 }
 *     spill: { directory: /var/lib/myapp/kafka-spill }
 *     producer: { compression.type: lz4 }
 * }</pre>
 */
public final class KafkaSinkYaml {

  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private KafkaSinkYaml() {}

  /**
   * Reads the section from a file.
   *
   * @param file the YAML file
   * @return the settings
   * @throws ConfigurationException if the file cannot be read or the section is missing or wrong
   */
  public static KafkaSinkSettings load(Path file) {
    try {
      return load(Files.readString(file), System::getenv);
    } catch (IOException e) {
      throw new ConfigurationException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /**
   * Reads the section from YAML text.
   *
   * @param yaml the document
   * @param env returns an environment variable's value, or null when unset
   * @return the settings
   * @throws ConfigurationException if the section is missing or wrong, listing every problem
   */
  public static KafkaSinkSettings load(String yaml, Function<String, String> env) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new ConfigurationException("the YAML cannot be parsed");
    }
    List<String> problems = new ArrayList<>();
    if (!(root instanceof Map<?, ?> top
        && top.get("sinks") instanceof Map<?, ?> sinks
        && sinks.get("kafka") instanceof Map<?, ?> kafka)) {
      throw new ConfigurationException("sinks.kafka: expected a mapping");
    }
    keys(
        kafka,
        "sinks.kafka",
        Set.of("bootstrap", "topics", "buffer", "spill", "producer"),
        problems);
    String bootstrap = string(kafka.get("bootstrap"), env);
    if (bootstrap == null || bootstrap.isBlank()) {
      problems.add("sinks.kafka.bootstrap: required, host:port[,host:port]");
    }
    KafkaSinkSettings s = KafkaSinkSettings.defaults(bootstrap == null ? "" : bootstrap);
    String events = s.eventsTopic();
    String records = s.recordsTopic();
    int capacity = s.bufferCapacity();
    Integer reserve = null;
    Map<String, String> producer = new LinkedHashMap<>();
    Path spill = null;
    if (kafka.get("topics") instanceof Map<?, ?> t) {
      keys(t, "sinks.kafka.topics", Set.of("events", "records"), problems);
      events = t.containsKey("events") ? string(t.get("events"), env) : events;
      records = t.containsKey("records") ? string(t.get("records"), env) : records;
    } else if (kafka.containsKey("topics")) {
      problems.add("sinks.kafka.topics: expected a mapping");
    }
    if (kafka.get("buffer") instanceof Map<?, ?> b) {
      keys(b, "sinks.kafka.buffer", Set.of("capacity", "terminalReserve"), problems);
      capacity = integer(b, "capacity", capacity, env, problems);
      reserve =
          b.containsKey("terminalReserve") ? integer(b, "terminalReserve", 0, env, problems) : null;
    } else if (kafka.containsKey("buffer")) {
      problems.add("sinks.kafka.buffer: expected a mapping");
    }
    if (kafka.get("spill") instanceof Map<?, ?> sp) {
      keys(sp, "sinks.kafka.spill", Set.of("directory"), problems);
      String dir = string(sp.get("directory"), env);
      if (dir == null || dir.isBlank()) {
        problems.add("sinks.kafka.spill.directory: required in 'spill', a directory path");
      } else {
        try {
          spill = Path.of(dir);
        } catch (InvalidPathException e) {
          problems.add("sinks.kafka.spill.directory: not a path: '" + dir + "'");
        }
      }
    } else if (kafka.containsKey("spill")) {
      problems.add("sinks.kafka.spill: expected a mapping");
    }
    if (kafka.get("producer") instanceof Map<?, ?> p) {
      p.forEach((k, v) -> producer.put(String.valueOf(k), string(v, env)));
    } else if (kafka.containsKey("producer")) {
      problems.add("sinks.kafka.producer: expected a mapping");
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    try {
      return new KafkaSinkSettings(
          bootstrap,
          events,
          records,
          capacity,
          reserve == null ? Math.max(1, capacity / 10) : reserve,
          producer,
          spill);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ConfigurationException("sinks.kafka: " + e.getMessage());
    }
  }

  private static void keys(Map<?, ?> m, String at, Set<String> known, List<String> problems) {
    for (Object k : m.keySet()) {
      if (!known.contains(String.valueOf(k))) {
        problems.add(
            at
                + "."
                + k
                + ": unknown key (known: "
                + String.join(", ", new TreeSet<>(known))
                + ")");
      }
    }
  }

  private static int integer(
      Map<?, ?> m, String key, int dflt, Function<String, String> env, List<String> problems) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Integer i) {
      return i;
    }
    // A string ("${CAPACITY}", or a property source's text) holding a whole number.
    String text = string(v, env).strip();
    if (text.matches("-?\\d{1,9}")) {
      return Integer.parseInt(text);
    }
    problems.add("sinks.kafka.buffer." + key + ": expected a whole number, was '" + text + "'");
    return dflt;
  }

  private static String string(Object v, Function<String, String> env) {
    if (v == null) {
      return null;
    }
    Matcher m = VAR.matcher(String.valueOf(v));
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        value = m.group(3) == null ? "" : m.group(3);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
