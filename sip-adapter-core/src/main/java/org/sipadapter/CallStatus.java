package org.sipadapter;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one call as the adapter knows it.
 *
 * @param callId the call's id ({@code if://call/<uuid>})
 * @param direction who started the call
 * @param from the caller
 * @param to the called party
 * @param state the current state
 * @param createdAt when the call was placed or first seen
 * @param answeredAt when it was answered, or null
 * @param endedAt when it ended, or null
 * @param cause why it ended, or null while it is active
 * @param serverIds the server's own ids for the call (channel, Unique-ID, dialog id)
 */
public record CallStatus(
    String callId,
    CallDirection direction,
    String from,
    String to,
    CallState state,
    Instant createdAt,
    Instant answeredAt,
    Instant endedAt,
    HangupCause cause,
    Map<String, String> serverIds) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a required component is null
   */
  public CallStatus {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    serverIds = Map.copyOf(serverIds);
  }

  /**
   * Returns the hangup cause, if the call ended.
   *
   * @return the cause
   */
  public Optional<HangupCause> hangupCause() {
    return Optional.ofNullable(cause);
  }

  /**
   * Tells whether the call is still going.
   *
   * @return true unless the state is terminal
   */
  public boolean isActive() {
    return !state.isTerminal();
  }
}
