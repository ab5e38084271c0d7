package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/** Blind transfer: {@link org.sipadapter.Feature#TRANSFER}. */
public non-sealed interface Transfer extends Capability {

  /**
   * Transfers a call blind. Core reports {@code TRANSFERRING} before calling this, and {@code
   * CONNECTED} again if the request fails; the driver reports what the server shows next (the call
   * continuing with the target, or its end as our leg leaves it).
   *
   * @param call the call
   * @param target the destination, checked by {@link AdapterDriver#checkWire} as {@link
   *     WireField#TARGET}
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> transfer(TrackedCall call, String target);
}
