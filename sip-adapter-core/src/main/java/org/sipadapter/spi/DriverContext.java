package org.sipadapter.spi;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.HangupCause;
import org.sipadapter.MetricsSnapshot;

/**
 * What core offers a driver: the reports of what the server says, the lookups of tracked calls, the
 * call markers, and the link's generation. Core hands each driver its own context when the adapter
 * is built.
 *
 * <p>Core applies its rules to every report: the call state table (impossible moves are refused,
 * logged and counted), exactly one terminal event per call and nothing after it, and given-up calls
 * hung up when the server shows them again. Thread-safe; no method blocks on the network, so all
 * may be called from a socket's reader thread.
 */
public interface DriverContext {

  // ---------------------------------------------------------------- reports

  /**
   * Reports a call's new state as the server said it. Repeating the current state does nothing; a
   * terminal state ends the call (see {@link #reportCallEnded}). A report about a call core gave up
   * on (its request timed out, its link was lost, the adapter disconnected) means the server still
   * holds it: it is hung up, counted in {@link MetricsSnapshot#orphansHungUp()} and reported to
   * nobody.
   *
   * @param callId the call id
   * @param state the state
   * @param cause why the call ended, for terminal states (null gives NORMAL_CLEARING)
   * @param serverIds server ids to merge into the call (may be empty); they are shown, not indexed
   *     (see {@link #bindServerIds})
   */
  void reportCallState(
      String callId, CallState state, HangupCause cause, Map<String, String> serverIds);

  /**
   * Reports that a call ended. Core chooses the terminal state so it is the same on every server:
   * {@code DISCONNECTED} if the call was answered or a hangup was asked for, else {@code FAILED}; a
   * call that hit its ring timeout ends {@code FAILED} with {@code NO_ANSWER}. Reporting the end of
   * an ended call does nothing.
   *
   * @param callId the call id
   * @param cause the server's cause
   * @param serverIds server ids to merge (may be empty)
   */
  void reportCallEnded(String callId, HangupCause cause, Map<String, String> serverIds);

  /**
   * Reports a call this adapter did not place: an {@code IncomingCall}, then its first {@code
   * CallStateChanged}. If one of the server ids is bound to a call core gave up on, the server
   * still holds that call: it is hung up instead, nothing is raised, and its id is returned.
   *
   * @param from the caller as the server reports it
   * @param to the destination
   * @param initialState usually {@code RINGING}; {@code CONNECTED} for calls found already up
   * @param serverIds the server's ids for the call (shown; bind the ones that name it)
   * @return the call id issued for it
   */
  String reportIncomingCall(
      String from, String to, CallState initialState, Map<String, String> serverIds);

  /**
   * Reports server ids of a call and indexes them: {@link #findCallByServerId} finds the call by
   * any of them until it ends. Binding ids to a call core gave up on means the server still holds
   * it: it is hung up, with every id bound so far. Null or empty values are skipped.
   *
   * @param callId the call id
   * @param serverIds the ids, such as {@code Uniqueid} and {@code Linkedid}
   */
  void bindServerIds(String callId, Map<String, String> serverIds);

  /**
   * Reports and indexes one server id; {@link #bindServerIds} for one entry.
   *
   * @param callId the call id
   * @param key the id's name
   * @param value its value; null or empty does nothing
   */
  default void bindServerId(String callId, String key, String value) {
    if (key != null && value != null && !value.isEmpty()) {
      bindServerIds(callId, Map.of(key, value));
    }
  }

  /**
   * Reports a DTMF digit received on a call. Dropped once the call has ended.
   *
   * @param callId the call id
   * @param digit the digit
   * @param serverIds the server's ids (may be empty)
   */
  void reportDtmf(String callId, String digit, Map<String, String> serverIds);

  /**
   * Passes on a raw server event outside the unified model. About a call that has ended (or that
   * core does not know), it is delivered without the call id: nothing carries a call's id after its
   * terminal event.
   *
   * @param callId the call it concerns, or null
   * @param eventName the server's event name
   * @param fields its fields (leave out values with secret-looking keys)
   */
  void reportServerEvent(String callId, String eventName, Map<String, String> fields);

  /**
   * Reports a background error (a malformed frame, an unmappable event). Carries the call id only
   * while the call is live.
   *
   * @param callId the call it concerns, or null
   * @param message what happened
   * @param error the exception, or null
   */
  void reportError(String callId, String message, Throwable error);

  /**
   * Sets the server version shown by {@code serverVersion()} and the health report.
   *
   * @param version the version as the server reported it
   */
  void reportServerVersion(String version);

  /**
   * Records the round trip of a request the driver made on its own (keepalive, status query).
   * Requests of the public operations are measured by core.
   *
   * @param nanos the latency
   */
  void recordRequestLatency(long nanos);

  /**
   * Replaces the record of a finished call in {@code callHistory()}, for what the server reports
   * after the call ended (such as its own call detail record). Does nothing when the call has not
   * ended or its record has left the history.
   *
   * @param callId the call id
   * @param change the new record, made from the old one; must keep the call id
   * @return true when a record was replaced
   */
  boolean amendCallRecord(String callId, UnaryOperator<CallRecord> change);

  // ---------------------------------------------------------------- lookups

  /**
   * Looks up a tracked call.
   *
   * @param callId the call id
   * @return the call, if tracked and not ended
   */
  Optional<TrackedCall> findCall(String callId);

  /**
   * Looks up a tracked call by a server id bound with {@link #bindServerIds}.
   *
   * @param key the id's name, such as {@code Uniqueid}
   * @param value its value
   * @return the call, if tracked and not ended
   */
  Optional<TrackedCall> findCallByServerId(String key, String value);

  /**
   * Returns the tracked calls.
   *
   * @return the calls not yet ended
   */
  Collection<TrackedCall> trackedCalls();

  /**
   * Returns the outbound calls core gave up on while the server may still hold them (their request
   * timed out, their link was lost or given up), oldest first, for drivers that must match what the
   * server creates later by other means than a call marker. Report what is found with {@link
   * #reportCallState} or {@link #bindServerIds}: the call is then hung up.
   *
   * @return the given-up calls
   */
  List<TrackedCall> givenUpCalls();

  /**
   * Returns the given-up call (see {@link #givenUpCalls}) that was bound to this server id after it
   * ended here, when the server showed it and core hung it up. What the server reports about that
   * id belongs to that call until the server reports its end: a driver must not match it to another
   * call.
   *
   * @param key the id's name
   * @param value its value
   * @return the given-up call, if one is bound to the id
   */
  Optional<TrackedCall> findGivenUpCallByServerId(String key, String value);

  /**
   * Returns the records of the last finished calls, oldest first, as {@code callHistory()} does:
   * for what the server reports about a call after its end (see {@link #amendCallRecord}).
   *
   * @return the records
   */
  List<CallRecord> callHistory();

  // ---------------------------------------------------------------- markers

  /**
   * Returns this adapter instance's marker: twelve hex digits, new for every adapter object.
   *
   * @return the marker
   */
  String instanceId();

  /**
   * Returns the marker of one call, to put on what the call creates on the server (a channel
   * variable, a message parameter): {@code <instanceId>.<uuid of the call id>}. It holds only hex
   * digits, {@code -} and {@code .}, so it passes every protocol's value rules.
   *
   * @param call the call
   * @return the marker
   */
  String callMarker(TrackedCall call);

  /**
   * Reads a call marker found on the server.
   *
   * @param marker the marker, or null
   * @return the call id if this adapter instance made the marker
   */
  Optional<String> callIdOfMarker(String marker);

  /**
   * Tells whether a marker was made by another adapter instance (in this process or another): the
   * call is not this adapter's to control, and is reported as a call it did not place.
   *
   * @param marker the marker, or null
   * @return true for a well-formed marker of another instance
   */
  boolean isForeignMarker(String marker);

  // ---------------------------------------------------------------- the link

  /**
   * Returns the generation of the link being brought up (inside {@link AdapterDriver#connect}) or
   * in use. Read it in {@code connect} and hand it to {@link #reportConnectionLost} when that link
   * drops.
   *
   * @return the generation
   */
  long linkGeneration();

  /**
   * Reports that the link of a given generation dropped by itself. A stale generation changes
   * nothing. The current link's loss while connected moves to {@code RECONNECTING} and reconnects
   * with backoff (or to {@code ERROR}, ending every call, when reconnect is off), once per outage;
   * its loss while {@link AdapterDriver#connect} or {@link Resync#resync} still runs fails that
   * attempt. Returns at once.
   *
   * @param linkGeneration {@link #linkGeneration()} as read in {@code connect} for this link
   * @param cause why the link dropped
   */
  void reportConnectionLost(long linkGeneration, Throwable cause);

  /**
   * Returns the link's state as the adapter reports it: for a driver's own operations that need a
   * live link, and for telling a reconnect's {@link AdapterDriver#disconnect} from the user's.
   *
   * @return the state now
   */
  ConnectionState connectionState();

  /**
   * Returns the target of the current or last connect.
   *
   * @return the target, or empty before the first connect
   */
  Optional<ConnectTarget> connectTarget();

  /**
   * Checks a user value of the driver's own operations (beyond the unified API) with the same rules
   * core applies to the API's values: control characters refused, then {@link
   * AdapterDriver#checkWire}.
   *
   * @param field which value it is
   * @param value the value
   * @throws IllegalArgumentException if the value is null or refused
   */
  void checkWire(WireField field, String value);
}
