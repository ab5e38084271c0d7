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

  private static final ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
          .build();

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
      try {
        // OpenSIPS 3.5.9 may put bytes of its memory into a string (E_UA_SESSION headers): read
        // what is not UTF-8 and every control character as U+FFFD, keep the rest.
        root = JSON.readTree(sanitized(bytes));
      } catch (IOException again) {
        throw new IllegalArgumentException(
            "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
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

  /**
   * The text of {@code bytes} with malformed UTF-8 and control characters other than tab, CR and LF
   * replaced by U+FFFD.
   */
  private static String sanitized(byte[] bytes) throws java.nio.charset.CharacterCodingException {
    String text =
        java.nio.charset.StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)
            .decode(java.nio.ByteBuffer.wrap(bytes))
            .toString();
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      b.append(c < 0x20 && c != '\t' && c != '\r' && c != '\n' ? '\uFFFD' : c);
    }
    return b.toString();
  }

  /**
   * Tells whether a text field holds bytes the server wrote that are not text: U+FFFD (see {@link
   * #parse}) or a control character other than tab, CR and LF.
   *
   * @param key the field
   * @return true when the field is damaged
   */
  public boolean damaged(String key) {
    String v = fields.getOrDefault(key, "");
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\uFFFD' || (c < 0x20 && c != '\t' && c != '\r' && c != '\n')) {
        return true;
      }
    }
    return false;
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
