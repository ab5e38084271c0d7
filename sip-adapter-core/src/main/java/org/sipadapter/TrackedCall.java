package org.sipadapter;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A call the adapter is tracking, as its hooks see it. Adapters read it; only {@link SipAdapter}
 * changes it (state under the object's monitor), so reads from any thread see a recent value.
 */
public final class TrackedCall {
  private final String callId;
  private final CallDirection direction;
  private final String from;
  private final String to;
  private final CallOptions options;
  private final Instant createdAt = Instant.now();
  private final long createdNanos = System.nanoTime();
  private final Map<String, String> serverIds = new ConcurrentHashMap<>();

  volatile CallState state;
  volatile Instant answeredAt;
  volatile Instant endedAt;
  volatile HangupCause cause;
  volatile boolean hangupRequested;
  volatile boolean ringTimedOut;

  /** Cancels the ring timer; null when none runs. */
  volatile Runnable cancelRing;

  /** The server-id keys the adapter bound with {@code bindServerId}: ids that name this call. */
  final java.util.Set<String> boundKeys = ConcurrentHashMap.newKeySet();

  /** True once the adapter sent a hangup for this call after giving it up. */
  volatile boolean orphanHangupSent;

  /** True once the call's end has been decided locally (no server report yet). */
  volatile boolean endedLocally;

  TrackedCall(
      String callId,
      CallDirection direction,
      String from,
      String to,
      CallOptions options,
      CallState initial) {
    this.callId = callId;
    this.direction = direction;
    this.from = from;
    this.to = to;
    this.options = options;
    this.state = initial;
  }

  /**
   * Returns the call's id.
   *
   * @return {@code if://call/<uuid>}
   */
  public String callId() {
    return callId;
  }

  /**
   * Returns who started the call.
   *
   * @return the direction
   */
  public CallDirection direction() {
    return direction;
  }

  /**
   * Returns the caller.
   *
   * @return the {@code from} given to makeCall, or the caller the server reported
   */
  public String from() {
    return from;
  }

  /**
   * Returns the called party.
   *
   * @return the {@code to} given to makeCall, or the destination the server reported
   */
  public String to() {
    return to;
  }

  /**
   * Returns the options the call was placed with.
   *
   * @return the options; {@link CallOptions#DEFAULTS} for inbound calls
   */
  public CallOptions options() {
    return options;
  }

  /**
   * Returns the current state.
   *
   * @return the state
   */
  public CallState state() {
    return state;
  }

  /**
   * Tells whether a hangup was asked for through the API.
   *
   * @return true after {@code hangup} or a ring timeout
   */
  public boolean hangupRequested() {
    return hangupRequested;
  }

  /**
   * Returns one of the server's ids for the call.
   *
   * @param key the id's name, such as {@code Uniqueid}
   * @return the value, if known
   */
  public Optional<String> serverId(String key) {
    return Optional.ofNullable(serverIds.get(key));
  }

  /**
   * Returns all server ids known for the call.
   *
   * @return a copy
   */
  public Map<String, String> serverIds() {
    return Map.copyOf(serverIds);
  }

  Map<String, String> mutableServerIds() {
    return serverIds;
  }

  long createdNanos() {
    return createdNanos;
  }

  synchronized CallStatus status() {
    return new CallStatus(
        callId, direction, from, to, state, createdAt, answeredAt, endedAt, cause, serverIds);
  }

  CallRecord record(String adapterName, String adapterType) {
    return new CallRecord(
        callId,
        adapterName,
        adapterType,
        direction,
        from,
        to,
        createdAt,
        answeredAt,
        endedAt,
        state,
        cause,
        cause.disposition(answeredAt != null),
        serverIds);
  }
}
