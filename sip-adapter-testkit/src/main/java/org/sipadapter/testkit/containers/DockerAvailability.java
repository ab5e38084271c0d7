package org.sipadapter.testkit.containers;

import java.util.Optional;
import org.testcontainers.DockerClientFactory;

/**
 * Tells whether a Docker engine is reachable, once per JVM, and why not when it is not.
 *
 * <p>Used by {@link RequiresDocker} so that container tests are skipped with a readable reason on
 * machines without an engine (a {@code docker} client alone is not enough). Thread-safe.
 */
public final class DockerAvailability {

  private static volatile Optional<String> unavailableReason;

  private DockerAvailability() {}

  /** Returns true when Testcontainers can reach a Docker engine. */
  public static boolean isAvailable() {
    return unavailableReason().isEmpty();
  }

  /**
   * Returns why no Docker engine is usable, or empty when one is. The first call asks
   * Testcontainers (which tries its usual strategies: {@code DOCKER_HOST}, the local socket, {@code
   * ~/.testcontainers.properties}); later calls return the cached answer.
   */
  public static Optional<String> unavailableReason() {
    Optional<String> reason = unavailableReason;
    if (reason == null) {
      synchronized (DockerAvailability.class) {
        reason = unavailableReason;
        if (reason == null) {
          reason = probe();
          unavailableReason = reason;
        }
      }
    }
    return reason;
  }

  private static Optional<String> probe() {
    try {
      if (DockerClientFactory.instance().isDockerAvailable()) {
        return Optional.empty();
      }
      return Optional.of(
          "no Docker engine reachable (Testcontainers found no working DOCKER_HOST, socket or"
              + " ~/.testcontainers.properties)");
    } catch (RuntimeException | LinkageError e) {
      return Optional.of("no Docker engine reachable: " + e);
    }
  }
}
