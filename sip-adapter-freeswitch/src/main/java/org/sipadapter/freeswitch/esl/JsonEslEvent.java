package org.sipadapter.freeswitch.esl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code text/event-json} event: one JSON object whose values are strings, arrays of strings
 * (array headers) and, under {@code _body}, the event body. Other value kinds (numbers, booleans,
 * nested objects), which FreeSWITCH does not send, are kept as their JSON text.
 */
final class JsonEslEvent implements EslEvent {
  private static final JsonFactory JSON = new JsonFactory();

  private final Map<String, String> headers;
  private final String body;

  private JsonEslEvent(Map<String, String> headers, String body) {
    this.headers = headers;
    this.body = body;
  }

  static JsonEslEvent parse(byte[] json) {
    return parse(json, json.length);
  }

  /** Parses the first {@code length} bytes of {@code json}; the array is not kept. */
  static JsonEslEvent parse(byte[] json, int length) {
    Map<String, String> map = new LinkedHashMap<>();
    String body = null;
    try (JsonParser p = JSON.createParser(json, 0, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new EslFormatException("json event is not a JSON object", null);
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        String value;
        if (v == JsonToken.START_ARRAY) {
          StringBuilder sb = new StringBuilder("ARRAY::");
          boolean first = true;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!first) {
              sb.append("|:");
            }
            first = false;
            sb.append(scalarOrTree(p));
          }
          value = sb.toString();
        } else {
          value = scalarOrTree(p);
        }
        if ("_body".equals(key)) {
          body = value;
        } else {
          map.putIfAbsent(key, value);
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw new EslFormatException("json event ends early", null);
      }
    } catch (IOException e) {
      throw new EslFormatException("json event cannot be parsed: " + e.getMessage(), e);
    }
    return new JsonEslEvent(Collections.unmodifiableMap(map), body);
  }

  private static String scalarOrTree(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      // Not sent by FreeSWITCH; keep something readable rather than failing the event.
      p.skipChildren();
      return t == JsonToken.START_OBJECT ? "{}" : "[]";
    }
    if (t == JsonToken.VALUE_NULL) {
      return "";
    }
    return p.getText();
  }

  @Override
  public String headerOrNull(String name) {
    String v = headers.get(name);
    if (v == null) {
      for (Map.Entry<String, String> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
    }
    return v;
  }

  @Override
  public Map<String, String> headers() {
    return headers;
  }

  @Override
  public Optional<String> body() {
    return Optional.ofNullable(body);
  }

  @Override
  public String toString() {
    return "EslEvent[" + name() + ", json]";
  }
}
