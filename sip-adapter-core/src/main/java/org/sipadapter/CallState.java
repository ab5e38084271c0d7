package org.sipadapter;

import java.util.EnumSet;
import java.util.Set;

/**
 * The unified state of a call. Core owns the transition table: adapters report what the server
 * said, and a move that the table does not allow is refused (logged and counted in {@link
 * MetricsSnapshot#rejectedTransitions()}), so listeners never see an impossible sequence.
 *
 * <p>Every call ends in exactly one terminal state, {@link #DISCONNECTED} or {@link #FAILED}.
 */
public enum CallState {
  /** The call is being placed; nothing has come back from the far end yet. */
  DIALING,
  /** The far end is alerting (SIP 180). */
  RINGING,
  /** The far end sends media before answering (SIP 183). */
  EARLY_MEDIA,
  /** Answered; media flows. */
  CONNECTED,
  /** Answered and on hold. */
  ON_HOLD,
  /** Answered and being transferred. */
  TRANSFERRING,
  /** Ended after it was set up, or ended on purpose before answer. Terminal. */
  DISCONNECTED,
  /** Never set up: busy, no answer, unknown number, rejected or a network error. Terminal. */
  FAILED;

  private Set<CallState> next;

  static {
    DIALING.next = EnumSet.of(RINGING, EARLY_MEDIA, CONNECTED, DISCONNECTED, FAILED);
    RINGING.next = EnumSet.of(EARLY_MEDIA, CONNECTED, DISCONNECTED, FAILED);
    EARLY_MEDIA.next = EnumSet.of(RINGING, CONNECTED, DISCONNECTED, FAILED);
    CONNECTED.next = EnumSet.of(ON_HOLD, TRANSFERRING, DISCONNECTED);
    ON_HOLD.next = EnumSet.of(CONNECTED, TRANSFERRING, DISCONNECTED);
    TRANSFERRING.next = EnumSet.of(CONNECTED, ON_HOLD, DISCONNECTED);
    DISCONNECTED.next = EnumSet.noneOf(CallState.class);
    FAILED.next = EnumSet.noneOf(CallState.class);
  }

  /**
   * Tells whether a call in this state may move to {@code target}. Staying in the same state is not
   * a transition and returns false.
   *
   * @param target the proposed next state
   * @return true if the transition table allows the move
   */
  public boolean canMoveTo(CallState target) {
    return next.contains(target);
  }

  /**
   * Tells whether this state ends the call.
   *
   * @return true for {@link #DISCONNECTED} and {@link #FAILED}
   */
  public boolean isTerminal() {
    return this == DISCONNECTED || this == FAILED;
  }

  /**
   * Tells whether the call was answered when in this state.
   *
   * @return true for {@link #CONNECTED}, {@link #ON_HOLD} and {@link #TRANSFERRING}
   */
  public boolean isAnswered() {
    return this == CONNECTED || this == ON_HOLD || this == TRANSFERRING;
  }
}
