package org.sipadapter.tracking;

import java.util.Map;

/**
 * One dialog as a SIP proxy's dialog module lists or announces it (Kamailio's {@code dlg.list},
 * OpenSIPS' {@code dlg_list}): what {@link DialogCalls} needs to turn dialogs into calls.
 */
public interface ProxyDialog {

  /** Server id key of the SIP Call-ID. */
  String CALL_ID = "Call-ID";

  /** Server id key of the dialog module's own id of the dialog. */
  String DIALOG = "dialog";

  /**
   * The dialog module's id, as its end command takes it ({@code h_entry:h_id}, {@code
   * 2da.69ee64b1}).
   *
   * @return the id, never null
   */
  String dialogId();

  /**
   * The SIP Call-ID.
   *
   * @return the Call-ID, never null
   */
  String callId();

  /**
   * The caller's From URI.
   *
   * @return the URI, empty when not known
   */
  String fromUri();

  /**
   * The To URI.
   *
   * @return the URI, empty when not known
   */
  String toUri();

  /**
   * The dialog state.
   *
   * @return the state, never null
   */
  DialogState state();

  /**
   * When the dialog was answered.
   *
   * @return epoch seconds, 0 before the answer or when not known
   */
  long answeredAtEpochSeconds();

  /**
   * The server ids a call of this dialog carries: {@value #CALL_ID} and {@value #DIALOG}.
   *
   * @return the ids
   */
  default Map<String, String> serverIds() {
    return Map.of(CALL_ID, callId(), DIALOG, dialogId());
  }
}
