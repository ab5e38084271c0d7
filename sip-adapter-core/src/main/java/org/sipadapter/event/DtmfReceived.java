package org.sipadapter.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A DTMF digit arrived on a call.
 *
 * @param adapterName the adapter's name
 * @param adapterType the adapter's type
 * @param timestamp when the adapter saw the digit
 * @param callId the call's id
 * @param digit the digit: 0-9, *, #, A-D
 * @param serverIds the server's own ids for the call
 */
public record DtmfReceived(
    String adapterName,
    String adapterType,
    Instant timestamp,
    String callId,
    String digit,
    Map<String, String> serverIds)
    implements AdapterEvent {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public DtmfReceived {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(digit, "digit");
    serverIds = Map.copyOf(serverIds);
  }

  @Override
  public Optional<String> relatedCallId() {
    return Optional.of(callId);
  }
}
