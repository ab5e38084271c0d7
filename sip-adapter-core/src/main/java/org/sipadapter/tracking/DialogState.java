package org.sipadapter.tracking;

import org.sipadapter.CallState;

/**
 * The numeric dialog states shared by the dialog modules of Kamailio and OpenSIPS, as their dialog
 * lists ({@code dlg.list}, {@code dlg_list}: {@code state}) and dialog events ({@code $dlg(state)},
 * {@code E_DLG_STATE_CHANGED}) report them. Both number them alike: 1 unconfirmed, 2 early, 3
 * confirmed without ACK, 4 confirmed, 5 deleted (ended).
 */
public enum DialogState {
  /** 1: INVITE seen, no reply yet. */
  UNCONFIRMED(1),
  /** 2: a provisional reply (18x) was relayed. */
  EARLY(2),
  /** 3: 200 OK relayed, ACK not yet seen. */
  CONFIRMED_NOT_ACKED(3),
  /** 4: answered and acknowledged. */
  CONFIRMED(4),
  /** 5: ended (BYE, CANCEL, failure, timeout); still listed a little while before deletion. */
  DELETED(5),
  /** Any number this version does not know. */
  UNKNOWN(0);

  private final int code;

  DialogState(int code) {
    this.code = code;
  }

  /**
   * The number the server uses.
   *
   * @return 1 to 5, or 0 for {@link #UNKNOWN}
   */
  public int code() {
    return code;
  }

  /**
   * The state for the server's number.
   *
   * @param code the number as listed
   * @return its state; {@link #UNKNOWN} for any number outside 1 to 5
   */
  public static DialogState of(int code) {
    for (DialogState s : values()) {
      if (s.code == code && s != UNKNOWN) {
        return s;
      }
    }
    return UNKNOWN;
  }

  /**
   * Tells whether the dialog has ended.
   *
   * @return true for {@link #DELETED}
   */
  public boolean ended() {
    return this == DELETED;
  }

  /**
   * Tells whether the dialog was answered (200 OK relayed) and is still up.
   *
   * @return true for {@link #CONFIRMED_NOT_ACKED} and {@link #CONFIRMED}
   */
  public boolean answered() {
    return this == CONFIRMED_NOT_ACKED || this == CONFIRMED;
  }

  /**
   * The unified call state: DIALING before any reply (and for an unknown number), RINGING while
   * early, CONNECTED once answered, DISCONNECTED when deleted.
   *
   * @return the call state, never null
   */
  public CallState toCallState() {
    return switch (this) {
      case UNCONFIRMED, UNKNOWN -> CallState.DIALING;
      case EARLY -> CallState.RINGING;
      case CONFIRMED_NOT_ACKED, CONFIRMED -> CallState.CONNECTED;
      case DELETED -> CallState.DISCONNECTED;
    };
  }
}
