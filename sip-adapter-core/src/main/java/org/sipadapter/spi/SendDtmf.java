package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/** Sends DTMF on a call: {@link org.sipadapter.Feature#SEND_DTMF}. */
public non-sealed interface SendDtmf extends Capability {

  /**
   * Sends DTMF digits.
   *
   * @param call the call
   * @param digits one or more of {@code 0-9 * # A-D}, checked by core
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> sendDtmf(TrackedCall call, String digits);
}
