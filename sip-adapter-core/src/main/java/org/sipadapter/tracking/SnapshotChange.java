package org.sipadapter.tracking;

/**
 * What changed about one item between two reads of a server's list, as {@link
 * SnapshotDiffer#update} reports it.
 *
 * @param <T> the item type, e.g. a dialog record
 */
public sealed interface SnapshotChange<T> {

  /**
   * The item as last seen: the new entry for {@link Appeared} and {@link Changed}, the ended entry
   * or the last live one for {@link Ended}. Never null.
   *
   * @return the item
   */
  T item();

  /**
   * An item that was not live before.
   *
   * @param item the item now
   * @param <T> the item type
   */
  record Appeared<T>(T item) implements SnapshotChange<T> {}

  /**
   * A live item whose state moved.
   *
   * @param previous the item as the snapshot before held it
   * @param item the item now
   * @param <T> the item type
   */
  record Changed<T>(T previous, T item) implements SnapshotChange<T> {}

  /**
   * A live item that is now listed as ended or is gone from the list.
   *
   * @param previous the item as last seen live
   * @param item the entry listed as ended, or {@code previous} when the item is gone from the list
   * @param listedAsEnded true when the list still holds the item in an ended state, false when it
   *     is gone
   * @param <T> the item type
   */
  record Ended<T>(T previous, T item, boolean listedAsEnded) implements SnapshotChange<T> {}
}
