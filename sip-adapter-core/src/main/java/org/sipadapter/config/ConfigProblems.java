package org.sipadapter.config;

import java.util.ArrayList;
import java.util.List;
import org.sipadapter.ConfigurationException;

/**
 * Collects configuration problems so that every one is reported at once. Each problem has the path
 * of the offending YAML key, such as {@code adapters[1].auth.password: required}.
 */
public final class ConfigProblems {
  private final String prefix;
  private final List<String> problems;

  /** Creates an empty collection. */
  public ConfigProblems() {
    this("", new ArrayList<>());
  }

  private ConfigProblems(String prefix, List<String> problems) {
    this.prefix = prefix;
    this.problems = problems;
  }

  /**
   * Returns a view that prefixes each path with {@code prefix} and shares this collection.
   *
   * @param path the prefix, such as {@code adapters[1]}
   * @return the view
   */
  public ConfigProblems under(String path) {
    return new ConfigProblems(join(prefix, path), problems);
  }

  /**
   * Adds a problem.
   *
   * @param path the key's path below this view's prefix, such as {@code auth.password}
   * @param message what is wrong, such as {@code required}
   */
  public void add(String path, String message) {
    String full = join(prefix, path);
    problems.add(full.isEmpty() ? message : full + ": " + message);
  }

  /**
   * Returns the problems so far.
   *
   * @return problems in the order found
   */
  public List<String> list() {
    return List.copyOf(problems);
  }

  /**
   * Tells whether nothing was found.
   *
   * @return true if there are no problems
   */
  public boolean isEmpty() {
    return problems.isEmpty();
  }

  /**
   * Throws a {@link ConfigurationException} listing every problem, if there is any.
   *
   * @throws ConfigurationException if a problem was added
   */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  private static String join(String a, String b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return b.startsWith("[") ? a + b : a + "." + b;
  }
}
