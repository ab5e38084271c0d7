package org.sipadapter;

import java.util.List;

/**
 * The configuration is invalid. Lists every problem found at once, each prefixed with its path in
 * the YAML document (for example {@code auth.password: required}).
 */
public class ConfigurationException extends SipAdapterException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * Creates the exception from a list of problems.
   *
   * @param problems every problem found, each as {@code path: message}; not empty
   */
  public ConfigurationException(List<String> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * Creates the exception for a single problem.
   *
   * @param problem the problem, as {@code path: message}
   */
  public ConfigurationException(String problem) {
    this(List.of(problem));
  }

  /**
   * Creates the exception for a single problem with its cause.
   *
   * @param problem the problem, as {@code path: message}
   * @param cause the underlying failure (a YAML parse error, an I/O error)
   */
  public ConfigurationException(String problem, Throwable cause) {
    super(format(List.of(problem)), cause);
    this.problems = List.of(problem);
  }

  /**
   * Returns every problem found, in document order.
   *
   * @return the problems, each as {@code path: message}
   */
  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    if (problems.size() == 1) {
      return "Invalid configuration: " + problems.get(0);
    }
    return "Invalid configuration ("
        + problems.size()
        + " problems):\n  - "
        + String.join("\n  - ", problems);
  }
}
