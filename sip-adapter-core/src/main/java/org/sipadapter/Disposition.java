package org.sipadapter;

/** How a call ended, from the caller's point of view, as written to the {@link CallRecord}. */
public enum Disposition {
  /** The call was answered (whatever ended it later). */
  ANSWERED,
  /** Nobody answered in time. */
  NO_ANSWER,
  /** The far end was busy. */
  BUSY,
  /** The call could not be set up (unknown number, network error, rejection). */
  FAILED,
  /** The caller gave up before the call was answered. */
  CANCELLED
}
