package org.sipadapter.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
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
   * Writes an adapter event, published now.
   *
   * @param event the event
   * @param instanceId the id of the adapter object that raised it
   * @param eventId the message's id
   * @return the JSON
   */
  public static String event(AdapterEvent event, String instanceId, UUID eventId) {
    return event(event, instanceId, eventId, Instant.now());
  }

  /**
   * Writes an adapter event.
   *
   * @param event the event
   * @param instanceId the id of the adapter object that raised it
   * @param eventId the message's id
   * @param publishedAt when the publisher took it
   * @return the JSON
   */
  public static String event(
      AdapterEvent event, String instanceId, UUID eventId, Instant publishedAt) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      header(
          g,
          KIND_EVENT,
          eventId,
          publishedAt,
          event.adapterName(),
          event.adapterType(),
          instanceId);
      g.writeStringField("type", event.getClass().getSimpleName());
      g.writeStringField("callId", event.relatedCallId().orElse(null));
      g.writeStringField("timestamp", text(event.timestamp()));
      if (event instanceof CallStateChanged e) {
        g.writeStringField("previous", e.previous() == null ? null : e.previous().name());
        g.writeStringField("state", e.state().name());
        g.writeBooleanField("terminal", e.isTerminal());
        cause(g, e.cause());
        ids(g, "serverIds", e.serverIds());
      } else if (event instanceof IncomingCall e) {
        g.writeStringField("from", e.from());
        g.writeStringField("to", e.to());
        ids(g, "serverIds", e.serverIds());
      } else if (event instanceof DtmfReceived e) {
        g.writeStringField("digit", e.digit());
        ids(g, "serverIds", e.serverIds());
      } else if (event instanceof ConnectionStateChanged e) {
        g.writeStringField("previous", e.previous().name());
        g.writeStringField("state", e.state().name());
        g.writeStringField("reason", e.reason());
      } else if (event instanceof AdapterError e) {
        g.writeStringField("message", e.message());
        g.writeStringField("error", e.error() == null ? null : e.error().getClass().getName());
      } else if (event instanceof ServerEvent e) {
        g.writeStringField("name", e.name());
        g.writeObjectFieldStart("fields");
        for (Map.Entry<String, String> f : e.fields().entrySet()) {
          g.writeStringField(f.getKey(), f.getValue());
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise message", e);
    }
    return out.toString();
  }

  /**
   * Writes a call record, published now.
   *
   * @param r the record
   * @param instanceId the id of the adapter object that kept it
   * @param eventId the message's id
   * @return the JSON
   */
  public static String record(CallRecord r, String instanceId, UUID eventId) {
    return record(r, instanceId, eventId, Instant.now());
  }

  /**
   * Writes a call record.
   *
   * @param r the record
   * @param instanceId the id of the adapter object that kept it
   * @param eventId the message's id
   * @param publishedAt when the publisher took it
   * @return the JSON
   */
  public static String record(CallRecord r, String instanceId, UUID eventId, Instant publishedAt) {
    StringWriter out = new StringWriter(768);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      header(g, KIND_RECORD, eventId, publishedAt, r.adapterName(), r.adapterType(), instanceId);
      g.writeStringField("type", "CallRecord");
      g.writeStringField("callId", r.callId());
      g.writeStringField("timestamp", text(r.endedAt()));
      g.writeStringField("direction", r.direction() == null ? null : r.direction().name());
      g.writeStringField("from", r.from());
      g.writeStringField("to", r.to());
      g.writeStringField("createdAt", text(r.createdAt()));
      g.writeStringField("answeredAt", text(r.answeredAt()));
      g.writeStringField("endedAt", text(r.endedAt()));
      g.writeNumberField("setupMs", r.setupTime().toMillis());
      g.writeNumberField("durationMs", r.billableDuration().toMillis());
      g.writeStringField("state", r.finalState().name());
      cause(g, r.cause());
      g.writeStringField("disposition", r.disposition().name());
      ids(g, "serverIds", r.serverIds());
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise message", e);
    }
    return out.toString();
  }

  private static void header(
      JsonGenerator g,
      String kind,
      UUID eventId,
      Instant publishedAt,
      String adapterName,
      String adapterType,
      String instanceId)
      throws IOException {
    g.writeStartObject();
    g.writeNumberField("schema", VERSION);
    g.writeStringField("kind", kind);
    g.writeStringField("eventId", eventId.toString());
    g.writeStringField("publishedAt", publishedAt.toString());
    g.writeStringField("adapterName", adapterName);
    g.writeStringField("adapterType", adapterType);
    g.writeStringField("instanceId", instanceId);
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  private static void cause(JsonGenerator g, HangupCause cause) throws IOException {
    if (cause == null) {
      g.writeNullField("cause");
      return;
    }
    g.writeObjectFieldStart("cause");
    g.writeNumberField("q850", cause.q850());
    g.writeNumberField("sipStatus", cause.sipStatus());
    g.writeStringField("name", cause.name());
    g.writeStringField("text", cause.text());
    g.writeEndObject();
  }

  private static void ids(JsonGenerator g, String field, Map<String, String> ids)
      throws IOException {
    g.writeObjectFieldStart(field);
    for (Map.Entry<String, String> e : new TreeMap<>(ids).entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
