package org.sipadapter.event;

import java.time.Instant;
import java.util.Optional;

/**
 * Something an adapter reports to its listeners. The set is closed: every event is one of the
 * permitted records, so a {@code switch} over them (or {@code instanceof} chains) is complete.
 * Events are immutable and safe to keep or hand to other threads.
 */
public sealed interface AdapterEvent
    permits CallStateChanged,
        IncomingCall,
        DtmfReceived,
        ConnectionStateChanged,
        AdapterError,
        ServerEvent {

  /**
   * Returns the name of the adapter that raised the event.
   *
   * @return the adapter's configured name
   */
  String adapterName();

  /**
   * Returns the type of the adapter that raised the event.
   *
   * @return the type name, such as {@code asterisk}
   */
  String adapterType();

  /**
   * Returns when the adapter saw what the event reports.
   *
   * @return the time
   */
  Instant timestamp();

  /**
   * Returns the id of the call the event is about.
   *
   * @return the call id ({@code if://call/<uuid>}), or empty for events not about one call
   */
  Optional<String> relatedCallId();
}
