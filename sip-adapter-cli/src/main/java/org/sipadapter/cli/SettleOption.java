package org.sipadapter.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --settle} option of the commands that work on the calls a server reports when the
 * adapter connects ({@code calls}, {@code hangup}), and the connect-then-wait that goes with it.
 */
final class SettleOption {
  @Option(
      names = "--settle",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "2s",
      description =
          "Longest wait for the calls the servers report on connect (default: ${DEFAULT-VALUE}).")
  Duration settle;

  /** Connects every adapter, then waits until they have reported the calls already up. */
  void connectAndSettle(Adapters adapters) throws InterruptedException {
    Activity activity = Activity.watch(adapters);
    adapters.connectAll();
    activity.settle(settle);
  }
}
