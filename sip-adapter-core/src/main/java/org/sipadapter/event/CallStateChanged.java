package org.sipadapter.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;

/**
 * A call moved to another state. The first event of a call has {@code previous == null}; the last
 * one has a terminal {@code state} and a {@code cause}.
 *
 * @param adapterName the adapter's name
 * @param adapterType the adapter's type
 * @param timestamp when the adapter saw the change
 * @param callId the call's id
 * @param previous the state before, or null for the call's first event
 * @param state the new state
 * @param cause why the call ended; null unless {@code state} is terminal
 * @param serverIds the server's own ids for the call (channel, Unique-ID, dialog id)
 */
public record CallStateChanged(
    String adapterName,
    String adapterType,
    Instant timestamp,
    String callId,
    CallState previous,
    CallState state,
    HangupCause cause,
    Map<String, String> serverIds)
    implements AdapterEvent {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a required component is null
   */
  public CallStateChanged {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(state, "state");
    serverIds = Map.copyOf(serverIds);
  }

  @Override
  public Optional<String> relatedCallId() {
    return Optional.of(callId);
  }

  /**
   * Tells whether this is the call's last event.
   *
   * @return true if {@code state} is terminal
   */
  public boolean isTerminal() {
    return state.isTerminal();
  }
}
