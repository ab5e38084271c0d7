package org.sipadapter.kamailio.evapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sipadapter.kamailio.dialog.Dialog;
import org.sipadapter.kamailio.dialog.DialogKey;
import org.sipadapter.tracking.DialogState;

/**
 * One dialog event as the routing script relays it over evapi, e.g. {@code
 * {"event":"dialog:start","h_entry":3182,"h_id":9442,"callid":"1-32554@127.0.0.1",
 * "from_uri":"sip:a@h","to_uri":"sip:b@h","state":3}}.
 *
 * @param kind which dialog event route produced it
 * @param name the {@code event} field as sent
 * @param key h_entry and h_id
 * @param callId the SIP Call-ID
 * @param fromUri the From URI, empty when the event does not carry it
 * @param toUri the To URI, empty when the event does not carry it
 * @param state the dialog state at the event
 * @param fields every top-level field as text, for {@code ServerEvent}s
 */
public record DialogEvent(
    Kind kind,
    String name,
    DialogKey key,
    String callId,
    String fromUri,
    String toUri,
    DialogState state,
    Map<String, String> fields) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The dialog event routes the adapter understands. */
  public enum Kind {
    /** {@code dialog:early}: a provisional reply (relayed from an onreply_route). */
    EARLY,
    /** {@code dialog:start}: answered (event_route[dialog:start]). */
    START,
    /** {@code dialog:end}: ended by BYE or timeout (event_route[dialog:end]). */
    END,
    /** {@code dialog:failed}: a final error reply (event_route[dialog:failed]). */
    FAILED,
    /** Any other {@code event} value; passed on as a server event only. */
    OTHER;

    static Kind of(String event) {
      return switch (event) {
        case "dialog:early", "dialog:ringing" -> EARLY;
        case "dialog:start", "dialog:answered" -> START;
        case "dialog:end" -> END;
        case "dialog:failed" -> FAILED;
        default -> OTHER;
      };
    }
  }

  /** Copies {@code fields}. */
  public DialogEvent {
    Objects.requireNonNull(kind, "kind");
    fields = Map.copyOf(fields);
  }

  /**
   * The dialog as this event shows it, in the state its kind means: early for {@code dialog:early},
   * answered for {@code dialog:start} (as sent, or confirmed when the event's state says less),
   * deleted for {@code dialog:end} and {@code dialog:failed}.
   *
   * @return the dialog
   * @throws IllegalStateException for {@link Kind#OTHER}
   */
  public Dialog dialog() {
    DialogState s =
        switch (kind) {
          case EARLY -> DialogState.EARLY;
          case START -> state.answered() ? state : DialogState.CONFIRMED;
          case END, FAILED -> DialogState.DELETED;
          case OTHER -> throw new IllegalStateException(name + " is not a dialog event");
        };
    return Dialog.ofEvent(key, callId, fromUri, toUri, s);
  }

  /**
   * Parses one evapi payload.
   *
   * @return the event, or empty for an empty payload
   * @throws IllegalArgumentException if the payload is not a JSON object with a string {@code
   *     event}, or a dialog event lacks {@code callid}
   */
  public static Optional<DialogEvent> parse(byte[] payload) {
    if (payload.length == 0) {
      return Optional.empty();
    }
    JsonNode n;
    try {
      n = JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("evapi payload is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("evapi payload unreadable: " + e.getMessage());
    }
    if (n == null || !n.isObject() || !n.path("event").isTextual()) {
      throw new IllegalArgumentException("evapi payload has no \"event\" string");
    }
    String name = n.get("event").asText();
    Kind kind = Kind.of(name);
    if (kind != Kind.OTHER && !n.path("callid").isTextual()) {
      throw new IllegalArgumentException(name + " event without \"callid\"");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    n.properties().forEach(e -> fields.put(e.getKey(), e.getValue().asText()));
    return Optional.of(
        new DialogEvent(
            kind,
            name,
            new DialogKey(n.path("h_entry").asLong(), n.path("h_id").asLong()),
            n.path("callid").asText(""),
            n.path("from_uri").asText(""),
            n.path("to_uri").asText(""),
            DialogState.of(n.path("state").asInt()),
            fields));
  }
}
