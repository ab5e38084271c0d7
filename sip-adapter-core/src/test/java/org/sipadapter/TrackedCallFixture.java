package org.sipadapter;

import java.util.Map;
import org.sipadapter.spi.TrackedCall;

/** Builds tracked calls for tests of packages outside {@code org.sipadapter}. */
public final class TrackedCallFixture {

  private TrackedCallFixture() {}

  /**
   * An inbound call in the given state, bound to the given server ids.
   *
   * @param callId the adapter's call id
   * @param state the call's state
   * @param serverIds the server ids it is bound to
   * @return the call
   */
  public static TrackedCall tracked(String callId, CallState state, Map<String, String> serverIds) {
    CallEntry c =
        new CallEntry(
            callId, CallDirection.INBOUND, "sip:a@h", "sip:b@h", CallOptions.DEFAULTS, state);
    serverIds.forEach(c::putServerId);
    return c;
  }
}
