package org.sipadapter.spi;

import java.util.concurrent.CompletableFuture;

/** Call recording: {@link org.sipadapter.Feature#RECORDING}. */
public non-sealed interface Recording extends Capability {

  /**
   * Starts recording a call.
   *
   * @param call the call
   * @param fileName where the server writes the recording, checked as {@link WireField#FILE_NAME}
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> startRecording(TrackedCall call, String fileName);

  /**
   * Stops recording a call.
   *
   * @param call the call
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> stopRecording(TrackedCall call);
}
