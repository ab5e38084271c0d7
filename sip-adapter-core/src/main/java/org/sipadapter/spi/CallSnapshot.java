package org.sipadapter.spi;

import java.util.Map;
import java.util.Objects;
import org.sipadapter.CallState;

/**
 * One call as the server reports it during a resync after a reconnect. Returned by {@link
 * Resync#resync()} for the calls the driver could match to its own call ids.
 *
 * @param callId the adapter's call id
 * @param state the state the server reports now
 * @param serverIds the server's ids for the call, merged into the tracked call
 */
public record CallSnapshot(String callId, CallState state, Map<String, String> serverIds) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public CallSnapshot {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(state, "state");
    serverIds = Map.copyOf(serverIds);
  }
}
