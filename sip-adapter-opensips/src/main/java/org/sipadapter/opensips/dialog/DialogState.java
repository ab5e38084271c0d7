package org.sipadapter.opensips.dialog;

import org.sipadapter.CallState;

/**
 * The OpenSIPS dialog module's numeric states, as {@code dlg_list} ({@code state}) and {@code
 * E_DLG_STATE_CHANGED} ({@code old_state}, {@code new_state}) report them.
 */
public enum DialogState {
  /** 1: INVITE seen, no reply yet. */
  UNCONFIRMED(1),
  /** 2: a provisional reply was relayed. */
  EARLY(2),
  /** 3: 200 OK relayed, ACK not yet seen. */
  CONFIRMED_NOT_ACKED(3),
  /** 4: answered and acknowledged. */
  CONFIRMED(4),
  /** 5: ended (BYE, CANCEL, failure, timeout); listed a little longer before deletion. */
  DELETED(5),
  /** Any number this version does not know. */
  UNKNOWN(0);

  private final int code;

  DialogState(int code) {
    this.code = code;
  }

  /** The number OpenSIPS uses. */
  public int code() {
    return code;
  }

  /** The state for OpenSIPS's number; {@link #UNKNOWN} for anything else. */
  public static DialogState of(int code) {
    for (DialogState s : values()) {
      if (s.code == code && s != UNKNOWN) {
        return s;
      }
    }
    return UNKNOWN;
  }

  /** Tells whether the dialog has ended. */
  public boolean ended() {
    return this == DELETED;
  }

  /** Tells whether the dialog was answered (200 OK relayed). */
  public boolean answered() {
    return this == CONFIRMED_NOT_ACKED || this == CONFIRMED;
  }

  /**
   * The unified call state: DIALING before any reply, RINGING while early, CONNECTED once answered,
   * DISCONNECTED when deleted.
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
