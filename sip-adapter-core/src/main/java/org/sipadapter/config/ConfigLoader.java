package org.sipadapter.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.sipadapter.ConfigurationException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads adapter configs from YAML. A document holds one adapter, or {@code adapters:} with a list.
 * {@code ${NAME}} and {@code ${NAME:-default}} in any string value expand from the environment.
 * Every problem in the document is collected and thrown at once as a {@link
 * ConfigurationException}, each with its path.
 *
 * <p>Thread-safe: it holds only the environment lookup.
 */
public final class ConfigLoader {
  private static final Set<String> TOP_KEYS =
      Set.of(
          "type",
          "name",
          "host",
          "port",
          "tls",
          "auth",
          "realm",
          "timeouts",
          "reconnect",
          "health",
          "events",
          "historySize",
          "options",
          // Read by the sink modules (sip-adapter-kafka), not by the adapters.
          "sinks");

  private final Function<String, String> env;

  /** Creates a loader that expands variables from {@link System#getenv(String)}. */
  public ConfigLoader() {
    this(System::getenv);
  }

  /**
   * Creates a loader with its own variable lookup (for tests, or a secrets store).
   *
   * @param env returns a variable's value, or null when unset
   */
  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  /**
   * Reads every adapter in a YAML file.
   *
   * @param path the file
   * @return the configs, in document order
   * @throws ConfigurationException if the file cannot be read or holds problems
   */
  public List<AdapterConfig> loadAll(Path path) {
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return loadAll(r);
    } catch (IOException e) {
      throw new ConfigurationException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads every adapter in a YAML text.
   *
   * @param yaml the YAML document
   * @return the configs, in document order
   * @throws ConfigurationException if the document holds problems
   */
  public List<AdapterConfig> loadAll(String yaml) {
    return loadAll(new StringReader(yaml));
  }

  /**
   * Reads every adapter from a reader. The reader is not closed.
   *
   * @param reader the YAML source
   * @return the configs, in document order
   * @throws ConfigurationException if the document holds problems
   */
  public List<AdapterConfig> loadAll(Reader reader) {
    Object root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setMaxAliasesForCollections(20);
      root = new Yaml(new SafeConstructor(options)).load(reader);
    } catch (YAMLException e) {
      // The parser's own message quotes the offending lines, which may hold a password: report
      // only the problem and its position, and keep the parser's exception out of the chain.
      throw new ConfigurationException(syntaxProblem(e));
    }
    ConfigProblems problems = new ConfigProblems();
    List<AdapterConfig> configs = new ArrayList<>();
    if (!(root instanceof Map)) {
      problems.add("", "expected a mapping with 'type' or 'adapters' at the top");
    } else {
      Map<?, ?> map = (Map<?, ?>) root;
      if (map.containsKey("adapters")) {
        Object list = map.get("adapters");
        if (map.size() > (map.containsKey("sinks") ? 2 : 1)) {
          problems.add("", "'adapters' cannot be mixed with other top-level keys");
        }
        if (!(list instanceof List) || ((List<?>) list).isEmpty()) {
          problems.add("adapters", "expected a non-empty list of adapters");
        } else {
          int i = 0;
          for (Object item : (List<?>) list) {
            ConfigProblems at = problems.under("adapters[" + i++ + "]");
            AdapterConfig c = parseAdapter(item, at);
            if (c != null) {
              configs.add(c);
            }
          }
        }
      } else {
        AdapterConfig c = parseAdapter(map, problems);
        if (c != null) {
          configs.add(c);
        }
      }
    }
    problems.throwIfAny();
    return configs;
  }

  /**
   * Reads the single adapter in a YAML text.
   *
   * @param yaml the document
   * @return the config
   * @throws ConfigurationException if the document holds problems or more than one adapter
   */
  public AdapterConfig load(String yaml) {
    return single(loadAll(yaml));
  }

  /**
   * Reads the single adapter from a reader.
   *
   * @param reader the YAML source, not closed
   * @return the config
   * @throws ConfigurationException if the document holds problems or more than one adapter
   */
  public AdapterConfig load(Reader reader) {
    return single(loadAll(reader));
  }

  /**
   * Reads the single adapter in a YAML file.
   *
   * @param path the file
   * @return the config
   * @throws ConfigurationException if the file holds problems or more than one adapter
   */
  public AdapterConfig load(Path path) {
    return single(loadAll(path));
  }

  private static String syntaxProblem(YAMLException e) {
    if (e instanceof MarkedYAMLException) {
      MarkedYAMLException m = (MarkedYAMLException) e;
      Mark mark = m.getProblemMark();
      String problem = m.getProblem() == null ? "invalid YAML" : m.getProblem();
      return mark == null
          ? "YAML syntax: " + problem
          : "YAML syntax: "
              + problem
              + " at line "
              + (mark.getLine() + 1)
              + ", column "
              + (mark.getColumn() + 1);
    }
    return "YAML syntax: the document cannot be parsed (" + e.getClass().getSimpleName() + ")";
  }

  private static AdapterConfig single(List<AdapterConfig> configs) {
    if (configs.size() != 1) {
      throw new ConfigurationException(
          "adapters: expected one adapter but found "
              + configs.size()
              + " (use allFromYaml to read several)");
    }
    return configs.get(0);
  }

  private AdapterConfig parseAdapter(Object node, ConfigProblems p) {
    if (!(node instanceof Map)) {
      p.add("", "expected a mapping");
      return null;
    }
    Node n = new Node(expand(node, "", p), p);
    n.checkKeys(TOP_KEYS);
    String type = n.string("type", null);
    if (type == null || type.isBlank()) {
      p.add("type", "required (the adapter type, such as asterisk or kamailio)");
      type = "";
    }
    AdapterConfig.Builder b = AdapterConfig.builder(type);
    b.name(n.string("name", type));
    String host = n.string("host", "127.0.0.1");
    if (host.isBlank()) {
      p.add("host", "must not be blank");
    }
    int port = n.integer("port", 0);
    if (port < 0 || port > 65535) {
      p.add("port", "must be between 1 and 65535, was " + port);
    }
    b.server(host, port);
    b.tls(parseTls(n, p));
    b.realm(n.string("realm", ""));
    Node auth = n.child("auth");
    if (auth != null) {
      auth.checkKeys(Set.of("username", "password", "secret", "token"));
      String password = auth.string("password", null);
      if (password == null) {
        password = auth.string("secret", null);
      }
      if (password == null) {
        password = auth.string("token", null);
      }
      if (password == null || password.isEmpty()) {
        p.add("auth.password", "required when 'auth' is given");
      }
      b.auth(auth.string("username", ""), password);
    }
    Timeouts dt = Timeouts.DEFAULTS;
    Node t = n.child("timeouts");
    if (t != null) {
      t.checkKeys(Set.of("connect", "request", "ring", "keepalive"));
      b.timeouts(
          new Timeouts(
              t.positiveDuration("connect", dt.connect()),
              t.positiveDuration("request", dt.request()),
              t.positiveDuration("ring", dt.ring()),
              t.positiveDuration("keepalive", dt.keepalive())));
    }
    ReconnectPolicy dr = ReconnectPolicy.DEFAULTS;
    Node r = n.child("reconnect");
    if (r != null) {
      r.checkKeys(Set.of("enabled", "initialDelay", "maxDelay", "maxAttempts"));
      Duration initial = r.positiveDuration("initialDelay", dr.initialDelay());
      Duration max = r.positiveDuration("maxDelay", dr.maxDelay());
      if (max.compareTo(initial) < 0) {
        p.add("reconnect.maxDelay", "must not be shorter than reconnect.initialDelay");
      }
      int attempts = r.integer("maxAttempts", dr.maxAttempts());
      if (attempts < 0) {
        p.add("reconnect.maxAttempts", "must be 0 (forever) or more");
      }
      b.reconnect(new ReconnectPolicy(r.bool("enabled", dr.enabled()), initial, max, attempts));
    }
    HealthThresholds dh = HealthThresholds.DEFAULTS;
    Node h = n.child("health");
    if (h != null) {
      h.checkKeys(
          Set.of(
              "degradedLatencyMs",
              "degradedSuccessRate",
              "criticalSuccessRate",
              "minCallsForRate"));
      double degraded = h.rate("degradedSuccessRate", dh.degradedSuccessRate());
      double critical = h.rate("criticalSuccessRate", dh.criticalSuccessRate());
      if (critical > degraded) {
        p.add("health.criticalSuccessRate", "must not be above health.degradedSuccessRate");
      }
      long latency = h.integer("degradedLatencyMs", (int) dh.degradedLatencyMs());
      if (latency <= 0) {
        p.add("health.degradedLatencyMs", "must be positive");
      }
      b.health(
          new HealthThresholds(
              latency, degraded, critical, h.integer("minCallsForRate", dh.minCallsForRate())));
      if (h.integer("minCallsForRate", 0) < 0) {
        p.add("health.minCallsForRate", "must be 0 or more");
      }
    }
    EventSettings de = EventSettings.DEFAULTS;
    Node e = n.child("events");
    if (e != null) {
      e.checkKeys(Set.of("threads", "queueCapacity", "slowListenerThreshold"));
      int threads = e.integer("threads", de.threads());
      int capacity = e.integer("queueCapacity", de.queueCapacity());
      if (threads < 1 || threads > 64) {
        p.add("events.threads", "must be between 1 and 64");
      }
      if (capacity < 16) {
        p.add("events.queueCapacity", "must be at least 16");
      }
      b.events(
          new EventSettings(
              threads,
              capacity,
              e.positiveDuration("slowListenerThreshold", de.slowListenerThreshold())));
    }
    int history = n.integer("historySize", 1000);
    if (history < 0) {
      p.add("historySize", "must be 0 or more");
    }
    b.historySize(history);
    Object opts = n.map.get("options");
    if (opts != null) {
      if (opts instanceof Map) {
        ((Map<?, ?>) opts).forEach((k, v) -> b.option(String.valueOf(k), v));
      } else {
        p.add("options", "expected a mapping");
      }
    }
    return b.build();
  }

  /**
   * Reads {@code tls: true|false} or {@code tls: {enabled, trustStore, trustStorePassword,
   * trustStoreType}}; a mapping means TLS on unless {@code enabled: false}.
   */
  private static TlsSettings parseTls(Node n, ConfigProblems p) {
    Object v = n.map.get("tls");
    if (!(v instanceof Map)) {
      return n.bool("tls", false) ? TlsSettings.SYSTEM_TRUST : TlsSettings.DISABLED;
    }
    Node t = n.child("tls");
    t.checkKeys(Set.of("enabled", "trustStore", "trustStorePassword", "trustStoreType"));
    boolean enabled = t.bool("enabled", true);
    String store = t.string("trustStore", null);
    String password = t.string("trustStorePassword", null);
    String type = t.string("trustStoreType", TlsSettings.DEFAULT_TRUST_STORE_TYPE);
    if (store == null) {
      if (password != null) {
        p.add("tls.trustStorePassword", "given without tls.trustStore");
      }
      if (t.map.containsKey("trustStoreType")) {
        p.add("tls.trustStoreType", "given without tls.trustStore");
      }
      return enabled ? TlsSettings.SYSTEM_TRUST : TlsSettings.DISABLED;
    }
    if (store.isBlank()) {
      p.add("tls.trustStore", "must not be blank");
      return enabled ? TlsSettings.SYSTEM_TRUST : TlsSettings.DISABLED;
    }
    if (type.isBlank()) {
      p.add("tls.trustStoreType", "must not be blank (PKCS12 or JKS)");
      type = TlsSettings.DEFAULT_TRUST_STORE_TYPE;
    }
    Path path;
    try {
      path = Path.of(store);
    } catch (InvalidPathException e) {
      p.add("tls.trustStore", "not a valid path: " + store);
      return enabled ? TlsSettings.SYSTEM_TRUST : TlsSettings.DISABLED;
    }
    TlsSettings settings =
        TlsSettings.trustStore(path, Secret.of(password), type).withEnabled(enabled);
    // An unset ${VAR} in the password is reported already; opening the store with the
    // unexpanded text would only add a misleading "wrong password".
    if (password == null || !password.contains("${")) {
      settings.validate(p);
    }
    return settings;
  }

  /**
   * Checks the common fields of a config built in code, with the same rules as for YAML.
   *
   * @param c the config
   * @param p where to add problems
   */
  public static void validateCommon(AdapterConfig c, ConfigProblems p) {
    if (c.type().isBlank()) {
      p.add("type", "required (the adapter type, such as asterisk or kamailio)");
    }
    if (c.host().isBlank()) {
      p.add("host", "must not be blank");
    }
    if (c.port() < 0 || c.port() > 65535) {
      p.add("port", "must be between 1 and 65535, was " + c.port());
    }
    Timeouts t = c.timeouts();
    positive(p, "timeouts.connect", t.connect());
    positive(p, "timeouts.request", t.request());
    positive(p, "timeouts.ring", t.ring());
    positive(p, "timeouts.keepalive", t.keepalive());
    ReconnectPolicy r = c.reconnect();
    if (r.initialDelay().isNegative() || r.maxDelay().compareTo(r.initialDelay()) < 0) {
      p.add("reconnect.maxDelay", "must not be shorter than reconnect.initialDelay");
    }
    if (r.maxAttempts() < 0) {
      p.add("reconnect.maxAttempts", "must be 0 (forever) or more");
    }
    HealthThresholds h = c.health();
    if (h.criticalSuccessRate() > h.degradedSuccessRate()) {
      p.add("health.criticalSuccessRate", "must not be above health.degradedSuccessRate");
    }
    if (h.minCallsForRate() < 0) {
      p.add("health.minCallsForRate", "must be 0 or more");
    }
    if (c.events().threads() < 1 || c.events().threads() > 64) {
      p.add("events.threads", "must be between 1 and 64");
    }
    if (c.events().queueCapacity() < 16) {
      p.add("events.queueCapacity", "must be at least 16");
    }
    if (c.historySize() < 0) {
      p.add("historySize", "must be 0 or more");
    }
    c.tlsSettings().validate(p);
  }

  private static void positive(ConfigProblems p, String path, Duration d) {
    if (d.isNegative() || d.isZero()) {
      p.add(path, "must be positive");
    }
  }

  /** Expands ${VAR} and ${VAR:-default} in every string of a YAML tree. */
  private Object expand(Object node, String path, ConfigProblems p) {
    return expand(node, path, p, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  /**
   * @param open the mappings and lists being expanded above this node: YAML lets an alias point at
   *     a value that contains it ({@code a: &x [*x]}), which must not recurse forever
   */
  private Object expand(Object node, String path, ConfigProblems p, Set<Object> open) {
    if (node instanceof String) {
      return expandString((String) node, path, p);
    }
    if (!(node instanceof Map) && !(node instanceof List)) {
      return node;
    }
    if (!open.add(node)) {
      p.add(path, "an alias refers to a value that contains it");
      return null;
    }
    try {
      if (node instanceof Map) {
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<?, ?>) node)
            .forEach(
                (k, v) -> {
                  String key = String.valueOf(k);
                  out.put(key, expand(v, path.isEmpty() ? key : path + "." + key, p, open));
                });
        return out;
      }
      List<Object> out = new ArrayList<>();
      int i = 0;
      for (Object v : (List<?>) node) {
        out.add(expand(v, path + "[" + i++ + "]", p, open));
      }
      return out;
    } finally {
      open.remove(node);
    }
  }

  private String expandString(String s, String path, ConfigProblems p) {
    int start = s.indexOf("${");
    if (start < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (start >= 0) {
      int end = s.indexOf('}', start);
      if (end < 0) {
        p.add(path, "unclosed '${' in value");
        return s;
      }
      out.append(s, i, start);
      String expr = s.substring(start + 2, end);
      int sep = expr.indexOf(":-");
      String var = sep < 0 ? expr : expr.substring(0, sep);
      String value = var.isEmpty() ? null : env.apply(var);
      if (value == null || (sep >= 0 && value.isEmpty())) {
        if (sep >= 0) {
          value = expr.substring(sep + 2);
        } else {
          p.add(path, "environment variable '" + var + "' is not set");
          // Keep the reference, so checks on the value (not blank, required) do not report
          // the same mistake a second time.
          value = s.substring(start, end + 1);
        }
      }
      out.append(value);
      i = end + 1;
      start = s.indexOf("${", i);
    }
    out.append(s.substring(i));
    return out.toString();
  }

  /** A mapping with the path of its problems. */
  private static final class Node {
    final Map<?, ?> map;
    final ConfigProblems p;

    Node(Object map, ConfigProblems p) {
      this.map = (Map<?, ?>) map;
      this.p = p;
    }

    void checkKeys(Set<String> known) {
      for (Object k : map.keySet()) {
        if (!known.contains(String.valueOf(k))) {
          p.add(String.valueOf(k), "unknown key (known: " + String.join(", ", sorted(known)) + ")");
        }
      }
    }

    private static List<String> sorted(Set<String> s) {
      List<String> l = new ArrayList<>(s);
      l.sort(null);
      return l;
    }

    Node child(String key) {
      Object v = map.get(key);
      if (v == null) {
        return null;
      }
      if (!(v instanceof Map)) {
        p.add(key, "expected a mapping");
        return null;
      }
      return new Node(v, p.under(key));
    }

    String string(String key, String fallback) {
      Object v = map.get(key);
      if (v == null) {
        return fallback;
      }
      if (v instanceof Map || v instanceof List) {
        p.add(key, "expected a single value");
        return fallback;
      }
      return String.valueOf(v);
    }

    int integer(String key, int fallback) {
      Object v = map.get(key);
      if (v == null) {
        return fallback;
      }
      if (v instanceof Integer) {
        return (Integer) v;
      }
      try {
        return Integer.parseInt(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        p.add(key, "expected a whole number, was '" + v + "'");
        return fallback;
      }
    }

    boolean bool(String key, boolean fallback) {
      Object v = map.get(key);
      if (v == null) {
        return fallback;
      }
      if (v instanceof Boolean) {
        return (Boolean) v;
      }
      String s = String.valueOf(v).trim();
      if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(s);
      }
      p.add(key, "expected true or false, was '" + v + "'");
      return fallback;
    }

    double rate(String key, double fallback) {
      Object v = map.get(key);
      if (v == null) {
        return fallback;
      }
      try {
        double d = Double.parseDouble(String.valueOf(v).trim());
        if (d < 0 || d > 1) {
          p.add(key, "must be between 0 and 1, was " + v);
          return fallback;
        }
        return d;
      } catch (NumberFormatException e) {
        p.add(key, "expected a number between 0 and 1, was '" + v + "'");
        return fallback;
      }
    }

    Duration positiveDuration(String key, Duration fallback) {
      Object v = map.get(key);
      if (v == null) {
        return fallback;
      }
      try {
        Duration d = Durations.parse(String.valueOf(v));
        if (d.isZero()) {
          p.add(key, "must be positive");
          return fallback;
        }
        return d;
      } catch (IllegalArgumentException e) {
        p.add(key, e.getMessage());
        return fallback;
      }
    }
  }
}
