package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Asks the server for one call's state, for {@link org.sipadapter.SipAdapter#refreshStatus}.
 * Without it, {@code refreshStatus} returns the tracked state: all the adapter knows.
 */
public non-sealed interface RefreshStatus extends Capability {

  /**
   * Asks the server for a tracked call's current state and reports what changed through {@link
   * DriverContext} (a call the server no longer has ends).
   *
   * @param call the call
   * @return a future completed when the check is done
   */
  CompletableFuture<Void> refreshStatus(TrackedCall call);
}
