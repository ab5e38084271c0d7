package org.sipadapter.kamailio.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Counts of active dialogs by state, from {@code dlg.stats_active}.
 *
 * @param starting dialogs with no reply yet
 * @param connecting dialogs in early state (provisional reply)
 * @param answering dialogs answered but not yet acknowledged
 * @param ongoing answered and acknowledged dialogs
 * @param all every active dialog
 */
public record ActiveDialogStats(int starting, int connecting, int answering, int ongoing, int all) {

  /** Reads the {@code result} object of {@code dlg.stats_active}. */
  public static ActiveDialogStats fromJson(JsonNode n) {
    return new ActiveDialogStats(
        n.path("starting").asInt(),
        n.path("connecting").asInt(),
        n.path("answering").asInt(),
        n.path("ongoing").asInt(),
        n.path("all").asInt());
  }
}
