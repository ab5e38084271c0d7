package org.sipadapter.cli.demo;

import java.util.Optional;

/**
 * One server the demo can run: an emulator from the testkit or a real server installed on this
 * machine, and the adapter type that drives it. Found with {@link java.util.ServiceLoader} ({@code
 * META-INF/services/org.sipadapter.cli.demo.DemoTarget}), so a module can add its own.
 *
 * <p>Implementations need a public no-argument constructor and must be cheap to create: the demo
 * creates all of them to list what it runs and what it skips.
 */
public interface DemoTarget {

  /**
   * Returns the adapter type this target demonstrates.
   *
   * @return the type, such as {@code asterisk}
   */
  String adapterType();

  /**
   * Returns where the target comes in the demo; lower runs first.
   *
   * @return the position
   */
  default int order() {
    return 100;
  }

  /**
   * Tells why the target cannot run on this machine.
   *
   * @return the reason in words (what is missing and how to get it), or empty when it can run
   */
  Optional<String> unavailableReason();

  /**
   * Starts the server (in this process, or as a local child process) on free loopback ports.
   *
   * @return the running server; the caller closes it
   * @throws Exception if it cannot start
   */
  DemoServer start() throws Exception;
}
