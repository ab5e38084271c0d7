package org.sipadapter.opensips.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.sipadapter.tracking.DialogState;

/**
 * One event_stream notification, e.g. {@code
 * {"jsonrpc":"2.0","method":"E_DLG_STATE_CHANGED","params":{"id":"2da.69ee64b1",...,"old_state":1,"new_state":2}}}.
 *
 * @param name the event name ({@code method})
 * @param fields the params as text (nested values as JSON text)
 */
public record DialogStateEvent(String name, Map<String, String> fields) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the fields. */
  public DialogStateEvent {
    Objects.requireNonNull(name, "name");
    fields = Map.copyOf(fields);
  }

  /**
   * Parses one notification.
   *
   * @param bytes one JSON object as {@link JsonObjectDecoder} cut it
   * @return the event
   * @throws IllegalArgumentException if the bytes are not JSON or not a notification with a method
   */
  public static DialogStateEvent parse(byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject() || !root.path("method").isTextual()) {
      throw new IllegalArgumentException("not a JSON-RPC notification (no method)");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    root.path("params")
        .fields()
        .forEachRemaining(
            e ->
                fields.put(
                    e.getKey(),
                    e.getValue().isNull()
                        ? "" // to_tag of OpenSIPS's own replies, body/headers without flags
                        : e.getValue().isValueNode()
                            ? e.getValue().asText()
                            : e.getValue().toString()));
    return new DialogStateEvent(root.get("method").asText(), fields);
  }

  /** Tells whether this is {@code E_DLG_STATE_CHANGED} with a dialog id and Call-ID. */
  public boolean isDialogStateChange() {
    return name.equals("E_DLG_STATE_CHANGED")
        && fields.containsKey("id")
        && fields.containsKey("callid");
  }

  /** The dialog ID ({@code id}), empty if absent. */
  public String dialogId() {
    return fields.getOrDefault("id", "");
  }

  /** The SIP Call-ID ({@code callid}), empty if absent. */
  public String callId() {
    return fields.getOrDefault("callid", "");
  }

  /** {@code old_state}. */
  public DialogState oldState() {
    return state("old_state");
  }

  /** {@code new_state}. */
  public DialogState newState() {
    return state("new_state");
  }

  private DialogState state(String key) {
    try {
      return DialogState.of(Integer.parseInt(fields.getOrDefault(key, "0")));
    } catch (NumberFormatException e) {
      return DialogState.UNKNOWN;
    }
  }
}
