package org.sipadapter.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.sipadapter.SipAdapter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * A command that works on the servers of a YAML file: reads it, builds the adapters, runs, and
 * closes them (the link only; calls on the servers are left as they are).
 */
abstract class ServerCommand implements Callable<Integer> {
  @ParentCommand SipAdapterCli root;

  @Mixin ConfigOptions configOptions;

  @Override
  public final Integer call() throws Exception {
    Console console = root.console();
    try (Adapters adapters = new Adapters(configOptions.createAdapters(console.redactor()))) {
      return run(adapters, console);
    }
  }

  /**
   * Runs the command.
   *
   * @param adapters the adapters of the file, not yet connected
   * @param console where to print
   * @return the exit code
   */
  abstract int run(Adapters adapters, Console console) throws Exception;

  /** The one adapter a single-adapter command works on. */
  static SipAdapter single(Adapters adapters, String command) {
    List<SipAdapter> list = adapters.list();
    if (list.size() != 1) {
      throw new IllegalArgumentException(
          "'"
              + command
              + "' works on one adapter, and the file holds "
              + list.size()
              + " ("
              + String.join(", ", adapters.names())
              + "); choose one with --adapter NAME");
    }
    return list.get(0);
  }
}
