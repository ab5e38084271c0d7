package org.sipadapter;

/** Who started a call. */
public enum CallDirection {
  /** Placed by this adapter with {@code makeCall}. */
  OUTBOUND,
  /** Arrived from outside and reported as {@code IncomingCall}. */
  INBOUND
}
