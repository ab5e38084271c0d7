package org.sipadapter.event;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Something went wrong that no caller is waiting for: a malformed frame from the server, an event
 * that could not be mapped, a failed keepalive. The adapter carries on.
 *
 * @param adapterName the adapter's name
 * @param adapterType the adapter's type
 * @param timestamp when it happened
 * @param callId the call it concerns, or null
 * @param message what happened
 * @param error the exception, or null
 */
public record AdapterError(
    String adapterName,
    String adapterType,
    Instant timestamp,
    String callId,
    String message,
    Throwable error)
    implements AdapterEvent {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if the message is null
   */
  public AdapterError {
    Objects.requireNonNull(message, "message");
  }

  @Override
  public Optional<String> relatedCallId() {
    return Optional.ofNullable(callId);
  }
}
