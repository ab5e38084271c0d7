package org.sipadapter.cli.fake;

import java.util.Optional;
import org.sipadapter.cli.demo.DemoServer;
import org.sipadapter.cli.demo.DemoTarget;

/** A target that can never run here, as a server that is not installed would be. */
public final class MissingServerDemoTarget implements DemoTarget {

  /** The reason the demo must print. */
  public static final String REASON = "the missing server is not installed";

  /** Creates the target (called by the service loader). */
  public MissingServerDemoTarget() {}

  @Override
  public String adapterType() {
    return "missing";
  }

  @Override
  public Optional<String> unavailableReason() {
    return Optional.of(REASON);
  }

  @Override
  public DemoServer start() {
    throw new UnsupportedOperationException(REASON);
  }
}
