package org.sipadapter.testkit.esl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * One FreeSWITCH event as the emulator sends it: header lines in wire order with their values
 * URL-encoded exactly as FreeSWITCH writes them in {@code text/event-plain}, and an optional body.
 * Immutable; {@link #with} and {@link #map} return changed copies.
 *
 * @param headers name and raw (still URL-encoded) value pairs, in wire order; no inner {@code
 *     Content-Length}
 * @param body the event body, or null when the event has none
 */
public record EslEventTemplate(List<Map.Entry<String, String>> headers, String body) {
  private static final JsonFactory JSON = new JsonFactory();

  /** Copies the list. */
  public EslEventTemplate {
    headers = List.copyOf(headers);
  }

  /**
   * Parses a plain event body ({@code Name: value} lines, optionally an empty line and a body).
   *
   * @param text the event text, not null
   * @return the event
   */
  public static EslEventTemplate parse(String text) {
    List<Map.Entry<String, String>> list = new ArrayList<>();
    int p = 0;
    String body = null;
    while (p < text.length()) {
      int nl = text.indexOf('\n', p);
      if (nl < 0) {
        nl = text.length();
      }
      if (nl == p) {
        body = nl + 1 < text.length() ? text.substring(nl + 1) : null;
        break;
      }
      int colon = text.indexOf(':', p);
      if (colon > p && colon < nl) {
        int v = colon + 1 < nl && text.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1;
        String name = text.substring(p, colon);
        if (!name.equals("Content-Length")) {
          list.add(Map.entry(name, text.substring(v, nl)));
        }
      }
      p = nl + 1;
    }
    return new EslEventTemplate(list, body);
  }

  /** Returns the raw (URL-encoded) value of a header, or null. */
  public String raw(String name) {
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equals(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** Returns the decoded value of a header, or null. */
  public String value(String name) {
    String raw = raw(name);
    return raw == null ? null : UrlCoding.decode(raw);
  }

  /** Returns {@code Event-Name}. */
  public String name() {
    String n = raw("Event-Name");
    return n == null ? "" : n;
  }

  /**
   * Returns a copy with header {@code name} set to {@code value} (encoded here), replacing it in
   * place or appending it.
   */
  public EslEventTemplate with(String name, String value) {
    List<Map.Entry<String, String>> list = new ArrayList<>(headers);
    String raw = UrlCoding.encode(value);
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).getKey().equals(name)) {
        list.set(i, Map.entry(name, raw));
        return new EslEventTemplate(list, body);
      }
    }
    list.add(Map.entry(name, raw));
    return new EslEventTemplate(list, body);
  }

  /** Returns a copy without header {@code name}. */
  public EslEventTemplate without(String name) {
    List<Map.Entry<String, String>> list = new ArrayList<>(headers);
    list.removeIf(e -> e.getKey().equals(name));
    return new EslEventTemplate(list, body);
  }

  /** Returns a copy with a new body (null for none). */
  public EslEventTemplate withBody(String newBody) {
    return new EslEventTemplate(headers, newBody);
  }

  /**
   * Returns a copy whose raw values (and body) are rewritten by {@code rewrite(name, raw)}; the
   * body is passed with the name {@code _body}.
   */
  public EslEventTemplate map(BiFunction<String, String, String> rewrite) {
    List<Map.Entry<String, String>> list = new ArrayList<>(headers.size());
    for (Map.Entry<String, String> e : headers) {
      list.add(Map.entry(e.getKey(), rewrite.apply(e.getKey(), e.getValue())));
    }
    return new EslEventTemplate(list, body == null ? null : rewrite.apply("_body", body));
  }

  /** Returns the complete {@code text/event-plain} frame. */
  public byte[] plainFrame() {
    StringBuilder sb = new StringBuilder(4096);
    for (Map.Entry<String, String> e : headers) {
      sb.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    }
    if (body != null) {
      sb.append("Content-Length: ")
          .append(body.getBytes(StandardCharsets.UTF_8).length)
          .append("\n\n")
          .append(body);
    } else {
      sb.append('\n');
    }
    byte[] event = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("Content-Length: " + event.length + "\nContent-Type: text/event-plain\n\n")
            .getBytes(StandardCharsets.US_ASCII);
    return concat(head, event);
  }

  /**
   * Returns the complete {@code text/event-json} frame: one object of decoded string values, the
   * body under {@code _body}; the body does not end with LF, as FreeSWITCH sends it.
   */
  public byte[] jsonFrame() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      for (Map.Entry<String, String> e : headers) {
        g.writeStringField(e.getKey(), UrlCoding.decode(e.getValue()));
      }
      if (body != null) {
        g.writeStringField(
            "Content-Length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
        g.writeStringField("_body", body);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] json = out.toByteArray();
    byte[] head =
        ("Content-Length: " + json.length + "\nContent-Type: text/event-json\n\n")
            .getBytes(StandardCharsets.US_ASCII);
    return concat(head, json);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
