package org.sipadapter.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.sipadapter.CallRecord;
import org.sipadapter.HangupCause;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;

/**
 * The JSON written to the topics, schema version {@value #VERSION}. The fields are listed in
 * docs/kafka.md; a consumer must ignore fields it does not know, and a change that removes or
 * changes a field raises the version.
 */
public final class EventSchema {

  /** The schema version written in every message's {@code schema} field. */
  public static final int VERSION = 1;

  /** The {@code kind} of an adapter event message. */
  public static final String KIND_EVENT = "event";

  /** The {@code kind} of a call record message. */
  public static final String KIND_RECORD = "record";

  static final ObjectMapper JSON = new ObjectMapper();

  private EventSchema() {}

  /**
   * Writes an adapter event.
   *
   * @param event the event
   * @param instanceId the id of the adapter object that raised it
   * @param eventId the message's id
   * @return the JSON
   */
  public static String event(AdapterEvent event, String instanceId, UUID eventId) {
    ObjectNode n =
        header(KIND_EVENT, eventId, event.adapterName(), event.adapterType(), instanceId);
    n.put("type", event.getClass().getSimpleName());
    n.put("callId", event.relatedCallId().orElse(null));
    n.put("timestamp", event.timestamp() == null ? null : event.timestamp().toString());
    if (event instanceof CallStateChanged e) {
      n.put("previous", e.previous() == null ? null : e.previous().name());
      n.put("state", e.state().name());
      n.put("terminal", e.isTerminal());
      cause(n, e.cause());
      ids(n, "serverIds", e.serverIds());
    } else if (event instanceof IncomingCall e) {
      n.put("from", e.from());
      n.put("to", e.to());
      ids(n, "serverIds", e.serverIds());
    } else if (event instanceof DtmfReceived e) {
      n.put("digit", e.digit());
      ids(n, "serverIds", e.serverIds());
    } else if (event instanceof ConnectionStateChanged e) {
      n.put("previous", e.previous().name());
      n.put("state", e.state().name());
      n.put("reason", e.reason());
    } else if (event instanceof AdapterError e) {
      n.put("message", e.message());
      n.put("error", e.error() == null ? null : e.error().getClass().getName());
    } else if (event instanceof ServerEvent e) {
      n.put("name", e.name());
      ObjectNode f = n.putObject("fields");
      e.fields().forEach(f::put);
    }
    return write(n);
  }

  /**
   * Writes a call record.
   *
   * @param r the record
   * @param instanceId the id of the adapter object that kept it
   * @param eventId the message's id
   * @return the JSON
   */
  public static String record(CallRecord r, String instanceId, UUID eventId) {
    ObjectNode n = header(KIND_RECORD, eventId, r.adapterName(), r.adapterType(), instanceId);
    n.put("type", "CallRecord");
    n.put("callId", r.callId());
    n.put("timestamp", r.endedAt().toString());
    n.put("direction", r.direction() == null ? null : r.direction().name());
    n.put("from", r.from());
    n.put("to", r.to());
    n.put("createdAt", r.createdAt() == null ? null : r.createdAt().toString());
    n.put("answeredAt", r.answeredAt() == null ? null : r.answeredAt().toString());
    n.put("endedAt", r.endedAt().toString());
    n.put("setupMs", r.setupTime().toMillis());
    n.put("durationMs", r.billableDuration().toMillis());
    n.put("state", r.finalState().name());
    cause(n, r.cause());
    n.put("disposition", r.disposition().name());
    ids(n, "serverIds", r.serverIds());
    return write(n);
  }

  private static ObjectNode header(
      String kind, UUID eventId, String adapterName, String adapterType, String instanceId) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema", VERSION);
    n.put("kind", kind);
    n.put("eventId", eventId.toString());
    n.put("publishedAt", Instant.now().toString());
    n.put("adapterName", adapterName);
    n.put("adapterType", adapterType);
    n.put("instanceId", instanceId);
    return n;
  }

  private static void cause(ObjectNode n, HangupCause cause) {
    if (cause == null) {
      n.putNull("cause");
      return;
    }
    ObjectNode c = n.putObject("cause");
    c.put("q850", cause.q850());
    c.put("sipStatus", cause.sipStatus());
    c.put("name", cause.name());
    c.put("text", cause.text());
  }

  private static void ids(ObjectNode n, String field, Map<String, String> ids) {
    ObjectNode o = n.putObject(field);
    new TreeMap<>(ids).forEach(o::put);
  }

  private static String write(ObjectNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise message", e);
    }
  }
}
