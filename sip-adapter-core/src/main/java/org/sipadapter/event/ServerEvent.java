package org.sipadapter.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A raw server event that the unified model does not cover (an unknown AMI event, a FreeSWITCH
 * {@code CUSTOM} event, an evapi message), passed on so nothing the server says is lost.
 *
 * @param adapterName the adapter's name
 * @param adapterType the adapter's type
 * @param timestamp when the adapter received it
 * @param callId the call it concerns, or null
 * @param name the server's event name
 * @param fields the event's fields in server order (a repeated key keeps its last value, or its
 *     first in a {@link LazyFields} map); an immutable copy, or the {@link LazyFields} map given
 */
public record ServerEvent(
    String adapterName,
    String adapterType,
    Instant timestamp,
    String callId,
    String name,
    Map<String, String> fields)
    implements AdapterEvent {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if the name or fields are null
   */
  public ServerEvent {
    Objects.requireNonNull(name, "name");
    fields = OrderedFields.copyOf(fields);
  }

  @Override
  public Optional<String> relatedCallId() {
    return Optional.ofNullable(callId);
  }
}
