package org.sipadapter.cli.demo;

import java.util.Optional;
import org.sipadapter.SipAdapters;

/** Shared availability checks for demo targets. */
final class Unavailable {
  private Unavailable() {}

  /**
   * Checks that an adapter type is on the class path.
   *
   * @param type the adapter type
   * @return the reason it is missing, or empty
   */
  static Optional<String> ifNoAdapter(String type) {
    if (SipAdapters.availableTypes().contains(type)) {
      return Optional.empty();
    }
    return Optional.of(
        "no '" + type + "' adapter on the class path (module sip-adapter-" + type + ")");
  }
}
