package org.sipadapter.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A call that the adapter did not place appeared on the server. It is tracked from now on under
 * {@code callId}; its states follow as {@link CallStateChanged} events.
 *
 * @param adapterName the adapter's name
 * @param adapterType the adapter's type
 * @param timestamp when the adapter saw the call
 * @param callId the id the adapter gave the call
 * @param from the caller (number or URI as the server reports it)
 * @param to the called party
 * @param serverIds the server's own ids for the call
 */
public record IncomingCall(
    String adapterName,
    String adapterType,
    Instant timestamp,
    String callId,
    String from,
    String to,
    Map<String, String> serverIds)
    implements AdapterEvent {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public IncomingCall {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    serverIds = Map.copyOf(serverIds);
  }

  @Override
  public Optional<String> relatedCallId() {
    return Optional.of(callId);
  }
}
