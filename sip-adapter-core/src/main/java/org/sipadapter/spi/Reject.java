package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;
import org.sipadapter.HangupCause;

/** Rejects inbound calls: {@link org.sipadapter.Feature#REJECT}. */
public non-sealed interface Reject extends Capability {

  /**
   * Rejects a ringing inbound call. Core has marked the call as hung up by the user, so its end is
   * {@code DISCONNECTED}.
   *
   * @param call the call
   * @param cause the cause to send, such as {@link HangupCause#CALL_REJECTED}
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> reject(TrackedCall call, HangupCause cause);
}
