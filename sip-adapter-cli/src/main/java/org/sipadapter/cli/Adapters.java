package org.sipadapter.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterException;

/**
 * The adapters a command works with, connected and closed together. Closing ends only the link:
 * calls on the server stay as they are.
 */
final class Adapters implements AutoCloseable {
  private final List<SipAdapter> adapters;

  Adapters(List<SipAdapter> adapters) {
    this.adapters = List.copyOf(adapters);
  }

  /**
   * Connects every adapter, stopping at the first that fails.
   *
   * @throws SipAdapterException from the adapter that could not connect (its message names it)
   */
  void connectAll() {
    for (SipAdapter a : adapters) {
      a.connect();
    }
  }

  /**
   * Connects every adapter it can, keeping the failures.
   *
   * @return the failure of each adapter that did not connect, by adapter name
   */
  Map<String, RuntimeException> connectEach() {
    Map<String, RuntimeException> failures = new LinkedHashMap<>();
    for (SipAdapter a : adapters) {
      try {
        a.connect();
      } catch (RuntimeException e) {
        failures.put(a.name(), e);
      }
    }
    return failures;
  }

  List<SipAdapter> list() {
    return adapters;
  }

  List<String> names() {
    List<String> names = new ArrayList<>();
    adapters.forEach(a -> names.add(a.name()));
    return names;
  }

  @Override
  public void close() {
    for (SipAdapter a : adapters) {
      a.close();
    }
  }
}
