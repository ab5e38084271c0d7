package org.sipadapter.kamailio.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.sipadapter.kamailio.dialog.Dialog;
import org.sipadapter.kamailio.dialog.DialogKey;
import org.sipadapter.transport.JsonRpcClient;
import org.sipadapter.transport.JsonRpcException;

/**
 * The Kamailio RPC commands the adapter uses, typed, on top of core's {@link JsonRpcClient}. Each
 * method returns a future that fails as {@link JsonRpcClient#call(String, Object...)} describes
 * ({@link JsonRpcException} with Kamailio's code and message, timeout, connection error).
 *
 * <p>Thread-safe.
 */
public final class KamailioRpc {

  private final JsonRpcClient client;

  /** Wraps {@code client}. */
  public KamailioRpc(JsonRpcClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** The underlying client, for commands without a typed method. */
  public JsonRpcClient client() {
    return client;
  }

  /** {@code core.version}: e.g. {@code kamailio 5.6.3 (x86_64/linux)}, trimmed. */
  public CompletableFuture<String> version() {
    return client.call("core.version").thenApply(n -> n.asText().trim());
  }

  /** {@code core.uptime}: seconds since start. */
  public CompletableFuture<Long> uptimeSeconds() {
    return client.call("core.uptime").thenApply(n -> n.path("uptime").asLong());
  }

  /** {@code dlg.list}: every dialog Kamailio tracks, including recently deleted ones (state 5). */
  public CompletableFuture<List<Dialog>> dialogs() {
    return client.call("dlg.list").thenApply(KamailioRpc::dialogList);
  }

  /**
   * {@code dlg.dlg_list callid}: the dialog with that Call-ID, or empty (Kamailio answers {@code
   * {}} when none matches).
   */
  public CompletableFuture<Optional<Dialog>> dialog(String callId) {
    return client
        .call("dlg.dlg_list", callId)
        .thenApply(
            n ->
                n != null && n.has("call-id") ? Optional.of(Dialog.fromJson(n)) : Optional.empty());
  }

  /**
   * {@code dlg.end_dlg h_entry h_id}: Kamailio sends BYE to both parties. Fails with {@link
   * JsonRpcException} code 404 when the dialog is unknown.
   */
  public CompletableFuture<Void> endDialog(DialogKey key) {
    return client.call("dlg.end_dlg", key.hEntry(), key.hId()).thenApply(n -> null);
  }

  /**
   * {@code tm.cancel callid cseq}: cancels the INVITE transaction of a dialog that is not answered
   * yet (Kamailio sends CANCEL to the callee; the caller gets 487).
   */
  public CompletableFuture<Void> cancel(String callId, String cseq) {
    return client.call("tm.cancel", callId, cseq).thenApply(n -> null);
  }

  /** {@code dlg.stats_active}: active dialogs by state. */
  public CompletableFuture<ActiveDialogStats> activeDialogStats() {
    return client.call("dlg.stats_active").thenApply(ActiveDialogStats::fromJson);
  }

  /** {@code ul.dump}: every registered contact. */
  public CompletableFuture<List<RegisteredContact>> registeredContacts() {
    return client.call("ul.dump").thenApply(RegisteredContact::fromDump);
  }

  /**
   * {@code stats.get_statistics group:}: counters of one group (e.g. {@code dialog}, {@code tmx})
   * as a map {@code "dialog:active_dialogs" -> "3"}. Needs the kex module; fails with "Method Not
   * Found" without it.
   */
  public CompletableFuture<Map<String, String>> statistics(String group) {
    return client.call("stats.get_statistics", group + ":").thenApply(KamailioRpc::statLines);
  }

  static List<Dialog> dialogList(JsonNode result) {
    List<Dialog> out = new ArrayList<>();
    if (result != null && result.isArray()) {
      result.forEach(n -> out.add(Dialog.fromJson(n)));
    }
    return out;
  }

  static Map<String, String> statLines(JsonNode result) {
    Map<String, String> out = new LinkedHashMap<>();
    if (result != null && result.isArray()) {
      for (JsonNode line : result) {
        String s = line.asText();
        int eq = s.indexOf(" = ");
        if (eq > 0) {
          out.put(s.substring(0, eq).trim(), s.substring(eq + 3).trim());
        }
      }
    }
    return out;
  }
}
