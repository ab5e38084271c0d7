package org.sipadapter.tracking;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.sipadapter.CallSnapshot;
import org.sipadapter.CallState;
import org.sipadapter.TrackedCall;

/**
 * Builds the answer of a resync from a server list: each tracked call bound to a live item (by one
 * of its server ids) becomes a {@link CallSnapshot}; calls without a live item are left out, so
 * core ends them.
 */
public final class CallSnapshots {

  private CallSnapshots() {}

  /**
   * The snapshots of the tracked calls whose server id {@code serverIdKey} names a live item.
   *
   * @param calls the tracked calls, e.g. {@code trackedCalls()} of the adapter
   * @param serverIdKey the server id that keys {@code live}, e.g. the SIP Call-ID
   * @param live the live items by that id, e.g. from {@link SnapshotDiffer#liveOf}
   * @param state the call state an item reports
   * @param serverIds the server ids an item carries, merged into the tracked call
   * @param <T> the item type
   * @return the snapshots in the order of {@code calls}; a new list
   * @throws NullPointerException if an argument is null
   */
  public static <T> List<CallSnapshot> matching(
      Collection<TrackedCall> calls,
      String serverIdKey,
      Map<String, ? extends T> live,
      Function<? super T, CallState> state,
      Function<? super T, Map<String, String>> serverIds) {
    Objects.requireNonNull(serverIdKey, "serverIdKey");
    Objects.requireNonNull(live, "live");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(serverIds, "serverIds");
    List<CallSnapshot> out = new ArrayList<>();
    for (TrackedCall c : Objects.requireNonNull(calls, "calls")) {
      c.serverId(serverIdKey)
          .map(live::get)
          .ifPresent(
              item ->
                  out.add(new CallSnapshot(c.callId(), state.apply(item), serverIds.apply(item))));
    }
    return out;
  }
}
