package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/** Bridges two calls together: {@link org.sipadapter.Feature#BRIDGE}. */
public non-sealed interface Bridge extends Capability {

  /**
   * Bridges two live calls.
   *
   * @param a the first call
   * @param b the second call
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> bridge(TrackedCall a, TrackedCall b);
}
