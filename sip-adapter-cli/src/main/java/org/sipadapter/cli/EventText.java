package org.sipadapter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import org.sipadapter.HangupCause;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;

/**
 * Formats unified events as one line of text or one line of JSON, as {@code watch} and the demo
 * print them. Stateless and thread-safe.
 */
public final class EventText {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  private EventText() {}

  /** The event as one human-readable line, starting with the local time. */
  public static String text(AdapterEvent event) {
    return CLOCK.format(event.timestamp()) + "  " + pad(event.adapterName(), 10) + body(event);
  }

  /** The event without time and adapter name, for the demo's timeline. */
  public static String body(AdapterEvent event) {
    if (event instanceof CallStateChanged e) {
      StringBuilder sb = new StringBuilder();
      sb.append(pad("call", 9)).append(e.callId()).append("  ").append(pad(e.state().name(), 13));
      if (e.cause() != null) {
        sb.append(cause(e.cause())).append("  ");
      }
      sb.append(ids(e.serverIds()));
      return sb.toString().stripTrailing();
    }
    if (event instanceof IncomingCall e) {
      return (pad("incoming", 9)
              + e.callId()
              + "  from "
              + e.from()
              + " to "
              + e.to()
              + "  "
              + ids(e.serverIds()))
          .stripTrailing();
    }
    if (event instanceof DtmfReceived e) {
      return pad("dtmf", 9) + e.callId() + "  digit " + e.digit();
    }
    if (event instanceof ConnectionStateChanged e) {
      return (pad("link", 9) + pad(e.state().name(), 13) + e.reason()).stripTrailing();
    }
    if (event instanceof AdapterError e) {
      return pad("error", 9)
          + (e.callId() == null ? "" : e.callId() + "  ")
          + e.message()
          + (e.error() == null || e.error().getMessage() == null
              ? ""
              : " (" + e.error().getMessage() + ")");
    }
    ServerEvent e = (ServerEvent) event;
    return (pad("server", 9) + e.name() + "  " + ids(e.fields())).stripTrailing();
  }

  /** The event as one line of JSON (no line break). */
  public static String json(AdapterEvent event) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", event.timestamp().toString());
    n.put("adapter", event.adapterName());
    n.put("type", event.adapterType());
    n.put("event", event.getClass().getSimpleName());
    event.relatedCallId().ifPresent(id -> n.put("callId", id));
    if (event instanceof CallStateChanged e) {
      n.put("previous", e.previous() == null ? null : e.previous().name());
      n.put("state", e.state().name());
      if (e.cause() != null) {
        n.set("cause", causeJson(e.cause()));
      }
      putMap(n, "serverIds", e.serverIds());
    } else if (event instanceof IncomingCall e) {
      n.put("from", e.from());
      n.put("to", e.to());
      putMap(n, "serverIds", e.serverIds());
    } else if (event instanceof DtmfReceived e) {
      n.put("digit", e.digit());
      putMap(n, "serverIds", e.serverIds());
    } else if (event instanceof ConnectionStateChanged e) {
      n.put("previous", e.previous().name());
      n.put("state", e.state().name());
      n.put("reason", e.reason());
    } else if (event instanceof AdapterError e) {
      n.put("message", e.message());
      if (e.error() != null) {
        n.put("error", String.valueOf(e.error().getMessage()));
      }
    } else if (event instanceof ServerEvent e) {
      n.put("name", e.name());
      putMap(n, "fields", e.fields());
    }
    return write(n);
  }

  static ObjectNode causeJson(HangupCause c) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", c.name());
    n.put("q850", c.q850());
    n.put("sipStatus", c.sipStatus());
    n.put("text", c.text());
    return n;
  }

  /** A cause as {@code USER_BUSY (Q.850 17, SIP 486)}, with the server's text when it differs. */
  public static String cause(HangupCause c) {
    StringBuilder sb = new StringBuilder(c.name()).append(" (Q.850 ").append(c.q850());
    if (c.sipStatus() > 0) {
      sb.append(", SIP ").append(c.sipStatus());
    }
    sb.append(')');
    if (!c.text().equals(c.name())) {
      sb.append(" \"").append(c.text()).append('"');
    }
    return sb.toString();
  }

  /**
   * Server ids as {@code key=value} pairs, sorted by key and separated by spaces.
   *
   * @param ids the server's ids of a call (channel, Unique-ID, dialog id)
   * @return the text, empty for no ids
   */
  public static String ids(Map<String, String> ids) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(ids)
        .forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return sb.toString();
  }

  static String clock(Instant t) {
    return CLOCK.format(t);
  }

  static String pad(String s, int width) {
    StringBuilder sb = new StringBuilder(s);
    do {
      sb.append(' ');
    } while (sb.length() < width);
    return sb.toString();
  }

  static String write(ObjectNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static ObjectMapper mapper() {
    return JSON;
  }

  private static void putMap(ObjectNode n, String field, Map<String, String> map) {
    ObjectNode m = n.putObject(field);
    new TreeMap<>(map).forEach(m::put);
  }
}
