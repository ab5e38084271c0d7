package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/** Attended (consultative) transfer: {@link org.sipadapter.Feature#ATTENDED_TRANSFER}. */
public non-sealed interface AttendedTransfer extends Capability {

  /**
   * Starts an attended transfer. Core reports {@code TRANSFERRING} first, exactly as for {@link
   * Transfer#transfer}.
   *
   * @param call the call
   * @param target the destination, checked as {@link WireField#TARGET}
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> attendedTransfer(TrackedCall call, String target);
}
