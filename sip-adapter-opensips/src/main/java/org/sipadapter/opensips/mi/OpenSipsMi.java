package org.sipadapter.opensips.mi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.sipadapter.opensips.dialog.Dialog;
import org.sipadapter.transport.JsonRpcClient;
import org.sipadapter.transport.JsonRpcException;

/**
 * The OpenSIPS 3.x MI commands the adapter uses, typed, on core's {@link JsonRpcClient}. Every
 * command is sent with named parameters ({@link JsonRpcClient#callNamed}; the safe form: {@code
 * dlg_list} takes no other, {@code get_statistics} refuses a positional list), and without {@code
 * params} when there are none, as in the recorded requests: {@code
 * {"jsonrpc":"2.0","method":"dlg_list","id":7}}. Futures fail with {@link MiException} for JSON-RPC
 * errors (code and message from OpenSIPS plus a hint), {@code AdapterTimeoutException}, {@code
 * AdapterConnectionException} or {@code ProtocolException}.
 *
 * <p>Thread-safe.
 */
public final class OpenSipsMi {

  private final JsonRpcClient client;
  private final Duration timeout;

  /**
   * Wraps {@code client}.
   *
   * @param client a client whose transport posts to mi_http, such as an {@code
   *     OkHttpJsonRpcTransport} with {@link MiHttpErrorHint}
   * @param timeout the timeout of every command
   */
  public OpenSipsMi(JsonRpcClient client, Duration timeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Runs any MI command with named parameters.
   *
   * @param method the command, e.g. {@code dlg_list}
   * @param params the named parameters (empty for none); values must be JSON-writable
   * @return the {@code result} node
   */
  public CompletableFuture<JsonNode> call(String method, Map<String, ?> params) {
    return client
        .callNamed(timeout, method, params)
        .exceptionally(
            e -> {
              Throwable c =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              if (c instanceof JsonRpcException j && !(c instanceof MiException)) {
                throw new CompletionException(MiException.of(j));
              }
              throw e instanceof CompletionException ce ? ce : new CompletionException(c);
            });
  }

  /** {@code version}: e.g. {@code OpenSIPS (3.5.9 (x86_64/linux))}. */
  public CompletableFuture<String> version() {
    return call("version", Map.of()).thenApply(n -> n.path("Server").asText(""));
  }

  /** {@code uptime}: the result object ({@code Now}, {@code Up since}, {@code Up time}). */
  public CompletableFuture<JsonNode> uptime() {
    return call("uptime", Map.of());
  }

  /** Seconds from an {@code uptime} result's {@code "Up time":"1234 [sec]"}; -1 if absent. */
  public static long uptimeSeconds(JsonNode uptime) {
    String s = uptime.path("Up time").asText("");
    int end = 0;
    while (end < s.length() && Character.isDigit(s.charAt(end))) {
      end++;
    }
    return end == 0 ? -1 : Long.parseLong(s.substring(0, end));
  }

  /** {@code dlg_list}: every dialog, including recently ended ones (state 5). */
  public CompletableFuture<List<Dialog>> dialogs() {
    return call("dlg_list", Map.of()).thenApply(OpenSipsMi::dialogList);
  }

  /**
   * {@code dlg_end_dlg}: OpenSIPS sends BYE both ways (CANCEL if not answered yet). Fails with a
   * {@link MiException} whose {@link MiException#notFound()} is true when the dialog is gone.
   *
   * @param dialogId the dialog ID or the SIP Call-ID
   * @param extraHeaders headers for the BYEs, each ending in CRLF, or empty
   */
  public CompletableFuture<Void> endDialog(String dialogId, String extraHeaders) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("dialog_id", dialogId);
    if (!extraHeaders.isEmpty()) {
      p.put("extra_hdrs", extraHeaders);
    }
    return call("dlg_end_dlg", p).thenApply(n -> null);
  }

  /** {@code get_statistics}: counters of the given names or groups ({@code "dialog:"}). */
  public CompletableFuture<Map<String, Long>> statistics(List<String> names) {
    return call("get_statistics", Map.of("statistics", names))
        .thenApply(
            n -> {
              Map<String, Long> out = new LinkedHashMap<>();
              n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
              return out;
            });
  }

  /** The dialog counters ({@code get_statistics ["dialog:"]}). */
  public CompletableFuture<ActiveDialogStats> activeDialogStats() {
    return call("get_statistics", Map.of("statistics", List.of("dialog:")))
        .thenApply(ActiveDialogStats::fromJson);
  }

  /** {@code ul_dump}: every registered contact. */
  public CompletableFuture<List<RegisteredContact>> registeredContacts() {
    return call("ul_dump", Map.of()).thenApply(RegisteredContact::fromDump);
  }

  /**
   * {@code event_subscribe}: asks OpenSIPS to send {@code event} to {@code socket}.
   *
   * @param event e.g. {@code E_DLG_STATE_CHANGED}
   * @param socket e.g. {@code tcp:127.0.0.1:9100}
   * @param expire the lifetime; {@link Duration#ZERO} unsubscribes
   */
  public CompletableFuture<Void> subscribe(String event, String socket, Duration expire) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("event", event);
    p.put("socket", socket);
    p.put("expire", expire.toSeconds());
    return call("event_subscribe", p).thenApply(n -> null);
  }

  /** {@code events_list}: the names of the events this OpenSIPS can raise. */
  public CompletableFuture<List<String>> events() {
    return call("events_list", Map.of())
        .thenApply(
            n -> {
              List<String> out = new ArrayList<>();
              n.path("Events").forEach(e -> out.add(e.path("name").asText()));
              return out;
            });
  }

  /**
   * {@code ua_session_client_start}: b2b_entities sends an INVITE as a UA session.
   *
   * @param params ruri, to, from and the optional body, flags, socket, extra_headers
   * @return the session key
   */
  public CompletableFuture<String> startUaSession(Map<String, String> params) {
    return call("ua_session_client_start", params).thenApply(JsonNode::asText);
  }

  /**
   * {@code ua_session_update}: a sequential request in a UA session.
   *
   * @param params key, method and the optional body, extra_headers, content_type
   */
  public CompletableFuture<Void> updateUaSession(Map<String, String> params) {
    return call("ua_session_update", params).thenApply(n -> null);
  }

  /**
   * {@code ua_session_reply}: a reply to a request of a UA session.
   *
   * @param params key, method, code, reason and the optional body
   */
  public CompletableFuture<Void> replyUaSession(Map<String, Object> params) {
    return call("ua_session_reply", params).thenApply(n -> null);
  }

  /**
   * {@code ua_session_terminate}: BYE for an answered session (nothing is sent for one rejected
   * here); fails with 500 for a session that is not live.
   *
   * @param key the session key
   */
  public CompletableFuture<Void> terminateUaSession(String key) {
    return call("ua_session_terminate", Map.of("key", key)).thenApply(n -> null);
  }

  /** {@code ua_session_list}: every UA session (key, state, from_uri, to_uri, ...). */
  public CompletableFuture<List<JsonNode>> uaSessions() {
    return call("ua_session_list", Map.of())
        .thenApply(
            n -> {
              List<JsonNode> out = new ArrayList<>();
              n.forEach(out::add);
              return out;
            });
  }

  /** {@code which}: the names of every MI command, to tell which modules are loaded. */
  public CompletableFuture<List<String>> commands() {
    return call("which", Map.of())
        .thenApply(
            n -> {
              List<String> out = new ArrayList<>();
              n.forEach(c -> out.add(c.asText()));
              return out;
            });
  }

  static List<Dialog> dialogList(JsonNode result) {
    List<Dialog> out = new ArrayList<>();
    for (JsonNode n : result.path("Dialogs")) {
      out.add(Dialog.fromJson(n));
    }
    return out;
  }
}
