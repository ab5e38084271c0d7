package org.sipadapter.kamailio.dialog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.tracking.ProxyDialog;

/**
 * One dialog as {@code dlg.list} or {@code dlg.dlg_list} return it (only the fields the adapter
 * uses).
 *
 * @param key h_entry and h_id
 * @param callId the SIP Call-ID
 * @param fromUri the caller's From URI
 * @param toUri the callee's To URI
 * @param state the dialog state
 * @param startTs epoch seconds of the answer, 0 before it
 * @param initTs epoch seconds of the INVITE
 * @param fromTag the caller's tag
 * @param toTag the callee's tag, empty before a reply
 * @param callerCseq the caller's CSeq number (that of the INVITE until the caller sends more)
 */
public record Dialog(
    DialogKey key,
    String callId,
    String fromUri,
    String toUri,
    DialogState state,
    long startTs,
    long initTs,
    String fromTag,
    String toTag,
    String callerCseq)
    implements ProxyDialog {

  /** Checks that no component is null. */
  public Dialog {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(fromUri, "fromUri");
    Objects.requireNonNull(toUri, "toUri");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(fromTag, "fromTag");
    Objects.requireNonNull(toTag, "toTag");
    Objects.requireNonNull(callerCseq, "callerCseq");
  }

  /**
   * A dialog as an evapi event shows it: no timestamps, tags or CSeq.
   *
   * @param key h_entry and h_id
   * @param callId the SIP Call-ID
   * @param fromUri the From URI, empty when not carried
   * @param toUri the To URI, empty when not carried
   * @param state the state
   * @return the dialog
   */
  public static Dialog ofEvent(
      DialogKey key, String callId, String fromUri, String toUri, DialogState state) {
    return new Dialog(key, callId, fromUri, toUri, state, 0, 0, "", "", "");
  }

  /** {@code h_entry:h_id}. */
  @Override
  public String dialogId() {
    return key.toString();
  }

  /** {@code start_ts}. */
  @Override
  public long answeredAtEpochSeconds() {
    return startTs;
  }

  /**
   * Reads one dialog object of {@code dlg.list}.
   *
   * @throws IllegalArgumentException if {@code h_entry}, {@code h_id} or {@code call-id} is missing
   */
  public static Dialog fromJson(JsonNode n) {
    if (n == null || !n.isObject() || !n.has("h_entry") || !n.has("h_id") || !n.has("call-id")) {
      throw new IllegalArgumentException("not a dialog object: " + n);
    }
    return new Dialog(
        new DialogKey(n.path("h_entry").asLong(), n.path("h_id").asLong()),
        n.path("call-id").asText(),
        n.path("from_uri").asText(""),
        n.path("to_uri").asText(""),
        DialogState.of(n.path("state").asInt()),
        n.path("start_ts").asLong(),
        n.path("init_ts").asLong(),
        n.path("caller").path("tag").asText(""),
        n.path("callee").path("tag").asText(""),
        n.path("caller").path("cseq").asText(""));
  }
}
