package org.sipadapter.freeswitch.esl;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An event from FreeSWITCH, as sent in {@code text/event-plain} or {@code text/event-json}.
 *
 * <p>Header values are decoded on demand: asking for five headers of a 120-header event decodes
 * five strings. Names are matched exactly first, then ignoring case. Not thread-safe until the
 * first lookup has happened; hand an event to one thread at a time.
 */
public sealed interface EslEvent permits PlainEslEvent, JsonEslEvent {

  /**
   * Returns a header value, decoded (percent-decoding for plain events, JSON unescaping for json).
   * A JSON array header is returned in FreeSWITCH's plain form {@code ARRAY::a|:b}.
   *
   * @param name the header name, not null
   * @return the value, or null when absent
   */
  String headerOrNull(String name);

  /**
   * Returns a header value like {@link #headerOrNull} but as an {@code Optional}.
   *
   * @param name the header name, not null
   * @return the value, or empty when absent
   */
  default Optional<String> header(String name) {
    return Optional.ofNullable(headerOrNull(name));
  }

  /** Returns {@code Event-Name}, or an empty string when the event has none. */
  default String name() {
    String n = headerOrNull("Event-Name");
    return n == null ? "" : n;
  }

  /** Returns {@code Unique-ID} (the channel UUID), or null when absent. */
  default String uniqueId() {
    return headerOrNull("Unique-ID");
  }

  /** Returns every header in wire order, all values decoded (costly: use for logs and tools). */
  Map<String, String> headers();

  /**
   * Returns the values of an array header ({@code ARRAY::a|:b} in plain, a JSON array in json), or
   * a single-element list for a plain value, or an empty list when absent.
   */
  default List<String> headerValues(String name) {
    String v = headerOrNull(name);
    if (v == null) {
      return List.of();
    }
    if (!v.startsWith("ARRAY::")) {
      return List.of(v);
    }
    java.util.ArrayList<String> values = new java.util.ArrayList<>();
    int start = "ARRAY::".length();
    for (int sep = v.indexOf("|:", start); sep >= 0; sep = v.indexOf("|:", start)) {
      values.add(v.substring(start, sep));
      start = sep + 2;
    }
    values.add(v.substring(start));
    return List.copyOf(values);
  }

  /** Returns the event body (after the inner blank line in plain, {@code _body} in json). */
  Optional<String> body();
}
