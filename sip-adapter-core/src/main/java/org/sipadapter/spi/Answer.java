package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/** Answers inbound calls: {@link org.sipadapter.Feature#ANSWER}. */
public non-sealed interface Answer extends Capability {

  /**
   * Answers a ringing inbound call. The call's {@code CONNECTED} comes from the server's report.
   *
   * @param call the call
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> answer(TrackedCall call);
}
