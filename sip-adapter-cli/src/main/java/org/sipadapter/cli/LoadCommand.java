package org.sipadapter.cli;

import picocli.CommandLine.Command;

/** {@code sipadapter load}: SIPp load runs through the SIPp adapter. */
@Command(
    mixinStandardHelpOptions = true,
    name = "load",
    description = {
      "Run a SIPp load (calls per second, concurrent limit, total) through a 'sipp' adapter,"
          + " with a live progress line."
    })
final class LoadCommand extends ServerCommand {
  @Override
  int run(Adapters adapters, Console console) {
    throw new UnsupportedOperationException(
        "the SIPp adapter of this build offers no load runs yet");
  }
}
