package org.sipadapter;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.sipadapter.spi.TrackedCall;

/**
 * One call in the {@link CallRegistry}: what a driver reads through {@link TrackedCall}, and the
 * state only {@link CallStateMachine} changes (under the object's monitor), so reads from any
 * thread see a recent value.
 */
final class CallEntry implements TrackedCall {
  private final String callId;
  private final CallDirection direction;
  private final String from;
  private final String to;
  private final CallOptions options;
  private final Instant createdAt = Instant.now();
  private final long createdNanos = System.nanoTime();
  private final Map<String, String> serverIds = new ConcurrentHashMap<>();
  // The immutable copy events carry, made once per change of the ids; null when stale. Guarded by
  // serverIds' monitor, which nothing else takes and under which nothing else is called.
  private Map<String, String> serverIdsCopy = Map.of();

  volatile CallState state;
  volatile Instant answeredAt;
  volatile Instant endedAt;
  volatile HangupCause cause;
  volatile boolean hangupRequested;
  volatile boolean ringTimedOut;

  /** Cancels the ring timer; null when none runs. */
  volatile Runnable cancelRing;

  /** The server-id keys the driver bound with {@code bindServerIds}: ids that name this call. */
  final Set<String> boundKeys = ConcurrentHashMap.newKeySet();

  /** True once the adapter sent a hangup for this call after giving it up. */
  volatile boolean orphanHangupSent;

  /** True once the call's end has been decided locally (no server report yet). */
  volatile boolean endedLocally;

  CallEntry(
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

  @Override
  public String callId() {
    return callId;
  }

  @Override
  public CallDirection direction() {
    return direction;
  }

  @Override
  public String from() {
    return from;
  }

  @Override
  public String to() {
    return to;
  }

  @Override
  public CallOptions options() {
    return options;
  }

  @Override
  public CallState state() {
    return state;
  }

  @Override
  public boolean hangupRequested() {
    return hangupRequested;
  }

  @Override
  public Optional<String> serverId(String key) {
    return Optional.ofNullable(serverIds.get(key));
  }

  @Override
  public Map<String, String> serverIds() {
    synchronized (serverIds) {
      Map<String, String> copy = serverIdsCopy;
      if (copy == null) {
        copy = Map.copyOf(serverIds);
        serverIdsCopy = copy;
      }
      return copy;
    }
  }

  /** Sets a server id; the copy {@link #serverIds()} hands out is made again only if it changed. */
  void putServerId(String key, String value) {
    synchronized (serverIds) {
      if (!value.equals(serverIds.put(key, value))) {
        serverIdsCopy = null;
      }
    }
  }

  /** The ids as they are now, read-only; change them through {@link #putServerId}. */
  Map<String, String> currentServerIds() {
    return java.util.Collections.unmodifiableMap(serverIds);
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

  @Override
  public String toString() {
    return "Call[" + callId + ", " + direction + ", " + state + "]";
  }
}
