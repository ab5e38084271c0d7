package org.sipadapter.kamailio.dialog;

/** What changed about one dialog between two reads of {@code dlg.list}. */
public sealed interface DialogChange {

  /** The dialog as last seen. */
  Dialog dialog();

  /**
   * A dialog that was not there before.
   *
   * @param dialog the dialog now
   */
  record Appeared(Dialog dialog) implements DialogChange {}

  /**
   * A dialog whose state moved.
   *
   * @param previous the state before
   * @param dialog the dialog now
   */
  record StateChanged(DialogState previous, Dialog dialog) implements DialogChange {}

  /**
   * A dialog that is gone from the list or now in state 5 (deleted).
   *
   * @param dialog the dialog as last seen alive (or as deleted)
   */
  record Ended(Dialog dialog) implements DialogChange {

    /** Tells whether the dialog had been answered, so its end is a hangup, not a failure. */
    public boolean wasAnswered() {
      return dialog.startTs() > 0
          || dialog.state() == DialogState.CONFIRMED
          || dialog.state() == DialogState.CONFIRMED_NOT_ACKED;
    }
  }
}
