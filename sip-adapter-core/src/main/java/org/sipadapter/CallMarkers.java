package org.sipadapter;

import java.util.Optional;
import java.util.UUID;
import org.sipadapter.spi.TrackedCall;

/**
 * The marks by which an adapter knows its own calls on a server shared with other clients: an
 * instance id of twelve hex digits, new for every adapter object, and per call {@code
 * <instanceId>.<uuid of the call id>}. A marker of another instance names a call this adapter did
 * not place, whatever the shape of the server's own ids.
 */
final class CallMarkers {
  private static final int ID_LENGTH = 12;

  private final String instanceId;

  CallMarkers(String instanceId) {
    if (instanceId.length() != ID_LENGTH || !isHex(instanceId)) {
      throw new IllegalArgumentException("an instance id is 12 hex digits: " + instanceId);
    }
    this.instanceId = instanceId;
  }

  /** Markers with a new random instance id. */
  static CallMarkers random() {
    return new CallMarkers(UUID.randomUUID().toString().replace("-", "").substring(0, ID_LENGTH));
  }

  String instanceId() {
    return instanceId;
  }

  /** The marker of one call: only hex digits, {@code -} and {@code .}. */
  String of(TrackedCall call) {
    return instanceId + "." + call.callId().substring(CallStateMachine.CALL_ID_PREFIX.length());
  }

  /** The call id of a marker this instance made, or empty for any other text. */
  Optional<String> callIdOf(String marker) {
    if (marker == null || !marker.startsWith(instanceId + ".")) {
      return Optional.empty();
    }
    return Optional.of(CallStateMachine.CALL_ID_PREFIX + marker.substring(ID_LENGTH + 1));
  }

  /** True for a well-formed marker of another instance. */
  boolean isForeign(String marker) {
    if (marker == null
        || marker.length() < ID_LENGTH + 2
        || marker.charAt(ID_LENGTH) != '.'
        || !isHex(marker.substring(0, ID_LENGTH))) {
      return false;
    }
    return !marker.startsWith(instanceId + ".");
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
