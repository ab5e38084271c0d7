package org.sipadapter.testkit.tck;

/**
 * The kinds of destination the conformance suite calls. A {@link TckFixture} maps each to a number
 * or URI its server treats that way ({@link TckFixture#destination}).
 */
public enum Destination {
  /** Rings, then answers within a few seconds, and stays up until hung up. */
  ANSWERS,
  /** Refuses the call as busy (Q.850 17, SIP 486). */
  BUSY,
  /** Does not exist (Q.850 1 unallocated number, or 3 no route; SIP 404). */
  UNKNOWN,
  /** Rings and never answers. */
  NO_ANSWER
}
