package org.sipadapter.opensips.dialog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live dialogs of the last {@code dlg_list}, keyed by dialog ID, and the diff to the next read,
 * for the polling fallback.
 *
 * <p>A dialog in state 5 counts as ended (OpenSIPS keeps ended dialogs listed for a while). Not
 * thread-safe: one poller owns it.
 */
public final class DialogTable {

  private Map<String, Dialog> live = new HashMap<>();

  /**
   * Replaces the snapshot with {@code now} and returns what changed, in this order: ended,
   * appeared, state changes.
   *
   * @param now the dialogs just read
   * @return the changes, empty when nothing changed
   */
  public List<DialogChange> update(Collection<Dialog> now) {
    Map<String, Dialog> next = new HashMap<>();
    List<DialogChange> ended = new ArrayList<>();
    List<DialogChange> others = new ArrayList<>();
    for (Dialog d : now) {
      Dialog before = live.get(d.id());
      if (d.state().ended()) {
        if (before != null) {
          ended.add(
              new DialogChange.Ended(before.state().answered() || d.startEpochSeconds() > 0, d));
        }
        continue;
      }
      next.put(d.id(), d);
      if (before == null) {
        others.add(new DialogChange.Appeared(d));
      } else if (before.state() != d.state()) {
        others.add(new DialogChange.StateChanged(before.state(), d));
      }
    }
    for (Dialog before : live.values()) {
      if (!next.containsKey(before.id())
          && ended.stream().noneMatch(c -> c.dialog().id().equals(before.id()))) {
        ended.add(new DialogChange.Ended(before.state().answered(), before));
      }
    }
    live = next;
    ended.addAll(others);
    return ended;
  }

  /** Forgets everything, so the next update reports every live dialog as appeared. */
  public void clear() {
    live = new HashMap<>();
  }
}
