package org.sipadapter.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Joins calls into a conference room: {@link org.sipadapter.Feature#CONFERENCE}. */
public non-sealed interface Conference extends Capability {

  /**
   * Joins calls into a room, creating it if needed.
   *
   * @param room the room's name, checked as {@link WireField#ROOM}
   * @param members the calls, at least one, all live
   * @return a future completed when the server accepted every request
   */
  CompletableFuture<Void> conference(String room, List<TrackedCall> members);
}
