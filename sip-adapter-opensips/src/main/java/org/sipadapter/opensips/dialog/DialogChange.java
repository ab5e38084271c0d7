package org.sipadapter.opensips.dialog;

/** What changed about one dialog between two reads of {@code dlg_list}. */
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
   * A dialog that is gone from the list or now in state 5.
   *
   * @param wasAnswered whether it had been answered, so its end is a hangup, not a failure
   * @param dialog the dialog as last seen
   */
  record Ended(boolean wasAnswered, Dialog dialog) implements DialogChange {}
}
