package org.sipadapter.opensips.dialog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.tracking.ProxyDialog;

/**
 * One dialog as {@code dlg_list} returns it (the fields the adapter uses).
 *
 * @param id the dialog ID, e.g. {@code "2da.69ee64b1"} (hash entry and id in hex; {@code
 *     dlg_end_dlg} takes it as {@code dialog_id})
 * @param callId the SIP Call-ID
 * @param fromUri the caller's From URI
 * @param toUri the To URI
 * @param state the dialog state
 * @param startEpochSeconds when it was answered, 0 before
 * @param callerTag the caller's tag
 * @param calleeTag the callee's tag, empty before a reply with a tag
 */
public record Dialog(
    String id,
    String callId,
    String fromUri,
    String toUri,
    DialogState state,
    long startEpochSeconds,
    String callerTag,
    String calleeTag)
    implements ProxyDialog {

  /** Checks that no component is null. */
  public Dialog {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(fromUri, "fromUri");
    Objects.requireNonNull(toUri, "toUri");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(callerTag, "callerTag");
    Objects.requireNonNull(calleeTag, "calleeTag");
  }

  /** The dialog ID. */
  @Override
  public String dialogId() {
    return id;
  }

  /** {@code timestart}. */
  @Override
  public long answeredAtEpochSeconds() {
    return startEpochSeconds;
  }

  /**
   * Reads one dialog object of {@code dlg_list} ({@code Dialogs[n]} or {@code Dialog}).
   *
   * @throws IllegalArgumentException if {@code ID} or {@code callid} is missing
   */
  public static Dialog fromJson(JsonNode n) {
    if (n == null || !n.isObject() || !n.hasNonNull("ID") || !n.hasNonNull("callid")) {
      throw new IllegalArgumentException("not a dlg_list dialog object");
    }
    JsonNode callee = n.path("CALLEES").path(0);
    return new Dialog(
        n.get("ID").asText(),
        n.get("callid").asText(),
        n.path("from_uri").asText(""),
        n.path("to_uri").asText(""),
        DialogState.of(n.path("state").asInt()),
        n.path("timestart").asLong(),
        n.path("caller_tag").asText(""),
        callee.path("callee_tag").asText(""));
  }
}
