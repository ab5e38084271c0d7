package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/** Hold and resume: {@link org.sipadapter.Feature#HOLD}. */
public non-sealed interface Hold extends Capability {

  /**
   * Puts a call on hold. The driver reports {@code ON_HOLD} when the server shows it.
   *
   * @param call the call
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> hold(TrackedCall call);

  /**
   * Takes a call off hold. The driver reports {@code CONNECTED} when the server shows it.
   *
   * @param call the call
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> resume(TrackedCall call);
}
