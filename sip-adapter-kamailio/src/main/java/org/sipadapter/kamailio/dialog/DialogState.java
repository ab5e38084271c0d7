package org.sipadapter.kamailio.dialog;

import org.sipadapter.CallState;

/**
 * The dialog module's numeric dialog states, as {@code dlg.list} and the dialog event routes report
 * them ({@code $dlg(state)}).
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
  /** 5: ended (BYE, failure, timeout); kept briefly before deletion. */
  DELETED(5),
  /** Any number this version does not know. */
  UNKNOWN(0);

  private final int code;

  DialogState(int code) {
    this.code = code;
  }

  /** The number Kamailio uses. */
  public int code() {
    return code;
  }

  /** The state for Kamailio's number; {@link #UNKNOWN} for anything else. */
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

  /**
   * The unified call state of a live dialog: DIALING before any reply, RINGING while early,
   * CONNECTED once answered; {@link CallState#DISCONNECTED} for a deleted dialog.
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
