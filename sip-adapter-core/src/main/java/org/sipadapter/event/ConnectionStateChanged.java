package org.sipadapter.event;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.sipadapter.ConnectionState;

/**
 * The adapter's link to its server changed state.
 *
 * @param adapterName the adapter's name
 * @param adapterType the adapter's type
 * @param timestamp when it changed
 * @param previous the state before
 * @param state the new state
 * @param reason why, in words; empty when there is nothing to add
 */
public record ConnectionStateChanged(
    String adapterName,
    String adapterType,
    Instant timestamp,
    ConnectionState previous,
    ConnectionState state,
    String reason)
    implements AdapterEvent {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a component is null
   */
  public ConnectionStateChanged {
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public Optional<String> relatedCallId() {
    return Optional.empty();
  }
}
