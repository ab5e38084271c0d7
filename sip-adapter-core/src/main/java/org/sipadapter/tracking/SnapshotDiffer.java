package org.sipadapter.tracking;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The live items of the last read of a server's list (dialogs, channels), keyed, and the diff to
 * the next read. Adapters that learn about calls by polling a list, or that settle what they missed
 * after a reconnect, turn two reads into {@link SnapshotChange}s with it.
 *
 * <p>An item for which the {@code ended} predicate holds is not live: servers keep ended entries
 * listed for a while, and such an entry ends a live item of the same key but never appears as new.
 *
 * <p>Not thread-safe: one poller owns an instance, or callers synchronize on it.
 *
 * @param <K> the key that identifies an item across reads, e.g. a Call-ID
 * @param <T> the item type
 */
public final class SnapshotDiffer<K, T> {

  private final Function<? super T, ? extends K> key;
  private final Predicate<? super T> ended;
  private final Function<? super T, ?> state;
  private Map<K, T> live = new LinkedHashMap<>();

  /**
   * Creates a differ with an empty snapshot.
   *
   * @param key the key of an item; must not return null
   * @param ended whether an item is listed as ended (so not live)
   * @param state the part of an item whose change is reported as {@link SnapshotChange.Changed}
   *     (compared with {@code equals})
   * @throws NullPointerException if an argument is null
   */
  public SnapshotDiffer(
      Function<? super T, ? extends K> key,
      Predicate<? super T> ended,
      Function<? super T, ?> state) {
    this.key = Objects.requireNonNull(key, "key");
    this.ended = Objects.requireNonNull(ended, "ended");
    this.state = Objects.requireNonNull(state, "state");
  }

  /**
   * Replaces the snapshot with the live items of {@code now} and returns what changed, in this
   * order: ended (those listed as ended in list order, then those gone), appeared and changed (in
   * list order).
   *
   * @param now the items just read; not null, no null elements
   * @return the changes, empty when nothing changed
   * @throws NullPointerException if {@code now} or one of its items is null
   */
  public List<SnapshotChange<T>> update(Collection<? extends T> now) {
    Objects.requireNonNull(now, "now");
    Map<K, T> next = new LinkedHashMap<>();
    List<SnapshotChange<T>> changes = new ArrayList<>();
    Set<K> endedKeys = new HashSet<>();
    List<SnapshotChange<T>> others = new ArrayList<>();
    for (T item : now) {
      K k = keyOf(item);
      T before = live.get(k);
      if (ended.test(item)) {
        if (before != null) {
          changes.add(new SnapshotChange.Ended<>(before, item, true));
          endedKeys.add(k);
        }
        continue;
      }
      next.put(k, item);
      if (before == null) {
        others.add(new SnapshotChange.Appeared<>(item));
      } else if (!Objects.equals(state.apply(before), state.apply(item))) {
        others.add(new SnapshotChange.Changed<>(before, item));
      }
    }
    for (Map.Entry<K, T> e : live.entrySet()) {
      if (!next.containsKey(e.getKey()) && !endedKeys.contains(e.getKey())) {
        changes.add(new SnapshotChange.Ended<>(e.getValue(), e.getValue(), false));
      }
    }
    live = next;
    changes.addAll(others);
    return changes;
  }

  /**
   * The live items of {@code items}, keyed as {@link #update} would keep them, without touching the
   * snapshot: what a resync matches tracked calls against.
   *
   * @param items a list as read from the server; not null, no null elements
   * @return the live items by key, in list order (a later item wins a duplicate key); a new map
   * @throws NullPointerException if {@code items} or one of its items is null
   */
  public Map<K, T> liveOf(Collection<? extends T> items) {
    Objects.requireNonNull(items, "items");
    Map<K, T> out = new LinkedHashMap<>();
    for (T item : items) {
      if (!ended.test(Objects.requireNonNull(item, "item"))) {
        out.put(keyOf(item), item);
      }
    }
    return out;
  }

  /**
   * The live items of the last snapshot.
   *
   * @return an unmodifiable copy, by key
   */
  public Map<K, T> live() {
    return Map.copyOf(live);
  }

  /** Forgets everything, so the next update reports every live item as appeared. */
  public void clear() {
    live = new LinkedHashMap<>();
  }

  private K keyOf(T item) {
    return Objects.requireNonNull(key.apply(Objects.requireNonNull(item, "item")), "item key");
  }
}
