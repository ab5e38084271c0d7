package org.sipadapter.opensips.mi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The dialog module's counters, from {@code get_statistics} with {@code ["dialog:"]}.
 *
 * @param active dialogs now active (answered or not)
 * @param early dialogs now in early state (ringing)
 * @param processed dialogs created since start (or the last reset)
 * @param expired dialogs ended by their timeout
 * @param failed dialogs that never got answered
 */
public record ActiveDialogStats(
    long active, long early, long processed, long expired, long failed) {

  /** Reads the {@code result} object of {@code get_statistics}. */
  public static ActiveDialogStats fromJson(JsonNode n) {
    return new ActiveDialogStats(
        n.path("dialog:active_dialogs").asLong(),
        n.path("dialog:early_dialogs").asLong(),
        n.path("dialog:processed_dialogs").asLong(),
        n.path("dialog:expired_dialogs").asLong(),
        n.path("dialog:failed_dialogs").asLong());
  }
}
