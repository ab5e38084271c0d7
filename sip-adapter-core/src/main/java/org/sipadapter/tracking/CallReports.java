package org.sipadapter.tracking;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.TrackedCall;

/**
 * One adapter's call table as the shared trackers of this package use it: the lookups and reports
 * of {@link DriverContext} of the same names, with the same rules (terminal rule, given-up calls
 * hung up when the server shows them). A driver hands its own to a tracker with {@link
 * #of(DriverContext)}.
 *
 * <p>Thread-safe; no method blocks on the network.
 */
public interface CallReports {

  /**
   * A live call bound to a server id.
   *
   * @param key the id's name
   * @param value its value
   * @return the call, if tracked and not ended
   */
  Optional<TrackedCall> findCallByServerId(String key, String value);

  /**
   * The calls not yet ended.
   *
   * @return a snapshot
   */
  Collection<TrackedCall> trackedCalls();

  /**
   * A call given up on and then bound to a server id, which core hangs up (see {@link
   * DriverContext#findGivenUpCallByServerId}).
   *
   * @param key the id's name
   * @param value its value
   * @return the call, if one is bound to the id
   */
  Optional<TrackedCall> findGivenUpCallByServerId(String key, String value);

  /**
   * Reports a call the adapter did not place (an {@code IncomingCall} and its first state).
   *
   * @param from the caller
   * @param to the destination
   * @param initialState the first state, not terminal
   * @param serverIds the server's ids
   * @return the call id issued (or that of a given-up call the ids belong to, which is hung up)
   */
  String reportIncomingCall(
      String from, String to, CallState initialState, Map<String, String> serverIds);

  /**
   * Reports server ids of a call and indexes them, so lookups find it.
   *
   * @param callId the call id
   * @param serverIds the ids
   */
  void bindServerIds(String callId, Map<String, String> serverIds);

  /**
   * Reports a state the server shows.
   *
   * @param callId the call id
   * @param state the state
   * @param serverIds ids to merge
   */
  void reportCallState(String callId, CallState state, Map<String, String> serverIds);

  /**
   * Reports that a call ended on the server.
   *
   * @param callId the call id
   * @param cause the server's cause
   * @param serverIds ids to merge
   */
  void reportCallEnded(String callId, HangupCause cause, Map<String, String> serverIds);

  /**
   * The call table of a driver's context.
   *
   * @param core the context core gave the driver
   * @return a view of it
   */
  static CallReports of(DriverContext core) {
    return new CallReports() {
      @Override
      public Optional<TrackedCall> findCallByServerId(String key, String value) {
        return core.findCallByServerId(key, value);
      }

      @Override
      public Collection<TrackedCall> trackedCalls() {
        return core.trackedCalls();
      }

      @Override
      public Optional<TrackedCall> findGivenUpCallByServerId(String key, String value) {
        return core.findGivenUpCallByServerId(key, value);
      }

      @Override
      public String reportIncomingCall(
          String from, String to, CallState initialState, Map<String, String> serverIds) {
        return core.reportIncomingCall(from, to, initialState, serverIds);
      }

      @Override
      public void bindServerIds(String callId, Map<String, String> serverIds) {
        core.bindServerIds(callId, serverIds);
      }

      @Override
      public void reportCallState(String callId, CallState state, Map<String, String> serverIds) {
        core.reportCallState(callId, state, null, serverIds);
      }

      @Override
      public void reportCallEnded(String callId, HangupCause cause, Map<String, String> serverIds) {
        core.reportCallEnded(callId, cause, serverIds);
      }
    };
  }
}
