package org.sipadapter.kamailio.dialog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dialogs last read from {@code dlg.list}, keyed by Call-ID, and the diff to the next read: the
 * polling fallback and the resync after a reconnect both turn two snapshots into {@link
 * DialogChange}s.
 *
 * <p>A dialog in state 5 counts as ended (Kamailio keeps deleted dialogs in the list for a few
 * seconds). Not thread-safe: one poller owns it.
 */
public final class DialogTable {

  private Map<String, Dialog> live = new HashMap<>();

  /**
   * Replaces the snapshot with {@code now} and returns what changed, in this order: ended,
   * appeared, state changes.
   */
  public List<DialogChange> update(Collection<Dialog> now) {
    Map<String, Dialog> next = new HashMap<>();
    List<DialogChange> ended = new ArrayList<>();
    List<DialogChange> others = new ArrayList<>();
    for (Dialog d : now) {
      Dialog before = live.get(d.callId());
      if (d.state().ended()) {
        if (before != null) {
          ended.add(new DialogChange.Ended(d));
        }
        continue;
      }
      next.put(d.callId(), d);
      if (before == null) {
        others.add(new DialogChange.Appeared(d));
      } else if (before.state() != d.state()) {
        others.add(new DialogChange.StateChanged(before.state(), d));
      }
    }
    for (Dialog before : live.values()) {
      if (!next.containsKey(before.callId())
          && ended.stream().noneMatch(c -> c.dialog().callId().equals(before.callId()))) {
        ended.add(new DialogChange.Ended(before));
      }
    }
    live = next;
    ended.addAll(others);
    return ended;
  }

  /** The live dialogs of the last snapshot (copy). */
  public Map<String, Dialog> live() {
    return Map.copyOf(live);
  }

  /** Forgets everything, so the next update reports every live dialog as appeared. */
  public void clear() {
    live = new HashMap<>();
  }
}
