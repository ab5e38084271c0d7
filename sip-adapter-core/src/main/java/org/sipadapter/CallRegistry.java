package org.sipadapter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The calls of one adapter: the live ones, the index of their server ids, the records of ended
 * ones, and the calls the adapter gave up on while the server may still hold them.
 *
 * <p>A call is given up when the adapter ended it without the server confirming the end: its
 * request timed out, the link was lost or given up, or the adapter was disconnected or closed.
 * Whatever the server later reports about such a call is an orphan: {@link CallStateMachine} hangs
 * it up instead of reporting it. Given-up calls are kept as many as the history keeps records (at
 * least {@value #MIN_GIVEN_UP}), and dropped when the server reports their end.
 *
 * <p>Thread-safe. The live map and index are concurrent; history and given-up calls share one lock,
 * held only for map operations.
 */
final class CallRegistry {
  private final int historySize;
  private final Map<String, CallEntry> live = new ConcurrentHashMap<>();
  private final ServerIdIndex serverIdIndex = new ServerIdIndex();
  private final Object endedLock = new Object();
  private final LinkedHashMap<String, CallRecord> history = new LinkedHashMap<>();
  private final LinkedHashMap<String, CallEntry> givenUp = new LinkedHashMap<>();
  private final ServerIdIndex givenUpIndex = new ServerIdIndex();

  /** Given-up calls kept at least, whatever the history size. */
  static final int MIN_GIVEN_UP = 1_000;

  private final int givenUpSize;

  CallRegistry(int historySize) {
    this.historySize = historySize;
    this.givenUpSize = Math.max(historySize, MIN_GIVEN_UP);
  }

  void add(CallEntry call) {
    live.put(call.callId(), call);
  }

  /** Returns the live call, or null. */
  CallEntry live(String callId) {
    return live.get(callId);
  }

  int liveCount() {
    return live.size();
  }

  Collection<CallEntry> liveCalls() {
    return List.copyOf(live.values());
  }

  /** Indexes a server id of a live call. */
  void index(CallEntry call, String key, String value) {
    serverIdIndex.put(key, value, call.callId());
  }

  /** Returns the live call bound to a server id. */
  Optional<CallEntry> liveByServerId(String key, String value) {
    String id = serverIdIndex.get(key, value);
    return id == null ? Optional.empty() : Optional.ofNullable(live.get(id));
  }

  /**
   * Moves an ended call from the live calls to the history: the record first, so a lookup never
   * misses the call in between.
   *
   * @param call the ended call
   * @param record its record
   * @param serverMayHoldIt true if the server did not confirm the end
   */
  void retire(CallEntry call, CallRecord record, boolean serverMayHoldIt) {
    synchronized (endedLock) {
      history.put(record.callId(), record);
      while (history.size() > historySize) {
        history.remove(history.keySet().iterator().next());
      }
      if (serverMayHoldIt) {
        givenUp.put(call.callId(), call);
        // Only the ids the adapter bound: they name this call alone, unlike shared ones (Linkedid).
        call.currentServerIds()
            .forEach(
                (k, v) -> {
                  if (call.boundKeys.contains(k)) {
                    givenUpIndex.put(k, v, call.callId());
                  }
                });
        while (givenUp.size() > givenUpSize) {
          forgetLocked(givenUp.keySet().iterator().next());
        }
      }
    }
    live.remove(call.callId());
    call.currentServerIds().forEach((k, v) -> serverIdIndex.remove(k, v, call.callId()));
  }

  /** Returns the given-up call with this id, or null. */
  CallEntry givenUp(String callId) {
    synchronized (endedLock) {
      return givenUp.get(callId);
    }
  }

  /**
   * Returns the given-up call bound (through {@code bindServerId}) to one of these ids, or null.
   */
  CallEntry givenUpByServerIds(Map<String, String> serverIds) {
    if (serverIds == null) {
      return null;
    }
    for (Map.Entry<String, String> e : serverIds.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        continue;
      }
      String id = givenUpIndex.get(e.getKey(), e.getValue());
      if (id != null) {
        CallEntry c = givenUp(id);
        if (c != null) {
          return c;
        }
      }
    }
    return null;
  }

  /** Indexes a server id learnt for a given-up call. */
  void indexGivenUp(CallEntry call, String key, String value) {
    givenUpIndex.put(key, value, call.callId());
  }

  /** Forgets a given-up call once the server confirmed its end. */
  void forgetGivenUp(String callId) {
    synchronized (endedLock) {
      forgetLocked(callId);
    }
  }

  private void forgetLocked(String callId) {
    CallEntry c = givenUp.remove(callId);
    if (c != null) {
      c.currentServerIds().forEach((k, v) -> givenUpIndex.remove(k, v, callId));
    }
  }

  /** Returns the given-up calls, oldest first. */
  List<CallEntry> givenUpCalls() {
    synchronized (endedLock) {
      return new ArrayList<>(givenUp.values());
    }
  }

  Optional<CallRecord> record(String callId) {
    synchronized (endedLock) {
      return Optional.ofNullable(history.get(callId));
    }
  }

  /**
   * Replaces a finished call's record (what the server reports after the end, such as its own CDR);
   * the record keeps its place in the history.
   *
   * @return true when the call's record was in the history
   */
  boolean amend(String callId, UnaryOperator<CallRecord> change) {
    synchronized (endedLock) {
      CallRecord old = history.get(callId);
      if (old == null) {
        return false;
      }
      CallRecord updated = change.apply(old);
      if (!updated.callId().equals(callId)) {
        throw new IllegalArgumentException("an amended record must keep its call id");
      }
      history.put(callId, updated);
      return true;
    }
  }

  List<CallRecord> history() {
    synchronized (endedLock) {
      return List.copyOf(history.values());
    }
  }

  /** Tells whether the id was issued by this adapter: live, or still in the history. */
  boolean known(String callId) {
    return live.containsKey(callId) || record(callId).isPresent();
  }

  /**
   * Call ids by server id: one map per id kind (a handful, such as {@code Uniqueid}), then by
   * value. A lookup builds no key (the kind's hash is cached, the value's computed once), and the
   * index holds the call's own value strings.
   */
  private static final class ServerIdIndex {
    private final Map<String, Map<String, String>> byKind = new ConcurrentHashMap<>();

    String get(String kind, String value) {
      Map<String, String> ids = byKind.get(kind);
      return ids == null ? null : ids.get(value);
    }

    void put(String kind, String value, String callId) {
      byKind.computeIfAbsent(kind, k -> new ConcurrentHashMap<>()).put(value, callId);
    }

    void remove(String kind, String value, String callId) {
      Map<String, String> ids = byKind.get(kind);
      if (ids != null) {
        ids.remove(value, callId);
      }
    }
  }
}
