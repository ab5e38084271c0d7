package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/** Places outbound calls: {@link org.sipadapter.Feature#OUTBOUND_CALLS}. */
public non-sealed interface OutboundCalls extends Capability {

  /**
   * Places a call. Core already tracks it in {@code DIALING}, runs its ring timer and bounds the
   * request by the request timeout; report its progress through {@link DriverContext}. If the
   * request times out or the link drops, core gives the call up: what the server later shows for it
   * (through its marker or bound server ids) is hung up.
   *
   * @param call the call, with its id, from, to and options (already checked by {@link
   *     AdapterDriver#checkWire})
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> makeCall(TrackedCall call);
}
