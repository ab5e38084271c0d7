package org.sipadapter.testkit.esl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recorded sequence of FreeSWITCH events (one phase of a call, from the real transcripts in
 * {@code org/sipadapter/testkit/fixtures/esl}), replayed by the emulator with fresh ids.
 *
 * <p>Resource format: a first line {@code # recorded legs a=<uuid> b=<uuid> job=<uuid|-> dest=<n>}
 * (or {@code # scene <name> sub=<ALL|names> a=... b=... [c=... d=...] job=... dest=... source=...}
 * for the segments cut from files 21-33: {@code sub} is the subscription the recording was made
 * with, the letters name the channels the segment's events belong to), then the server's {@code
 * text/event-plain} frames exactly as recorded.
 */
final class EslScene {
  final String name;
  final String legA;
  final String legB;
  final String job;
  final String dest;
  final List<EslEventTemplate> events;

  /**
   * Recorded uuid to the role it plays ({@code a}, {@code b}, {@code c}, {@code d}, {@code job}).
   */
  final Map<String, String> roles;

  /** The event names the recording subscribed to; empty when it subscribed to ALL. */
  final Set<String> recordedWith;

  private EslScene(
      String name,
      Map<String, String> fields,
      Map<String, String> roles,
      Set<String> recordedWith,
      List<EslEventTemplate> ev) {
    this.name = name;
    this.legA = fields.get("a");
    this.legB = fields.get("b");
    this.job = fields.get("job");
    this.dest = fields.get("dest");
    this.roles = Map.copyOf(roles);
    this.recordedWith = Set.copyOf(recordedWith);
    this.events = List.copyOf(ev);
  }

  /** Whether the recording saw every event a client subscribed to {@code wanted} would get. */
  boolean covers(Set<String> wanted, boolean all) {
    if (recordedWith.isEmpty()) {
      return true;
    }
    return !all && recordedWith.containsAll(wanted);
  }

  static EslScene load(String name) {
    String resource = "/org/sipadapter/testkit/esl/" + name + ".esl";
    byte[] bytes;
    try (InputStream in = EslScene.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    int nl = text.indexOf('\n');
    String first = text.substring(0, nl);
    Map<String, String> fields = new HashMap<>();
    for (String word : first.split(" ")) {
      int eq = word.indexOf('=');
      if (eq > 0 && !word.substring(eq + 1).equals("-")) {
        fields.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    Map<String, String> roles = new HashMap<>();
    for (String role : List.of("a", "b", "c", "d", "job")) {
      if (fields.containsKey(role)) {
        roles.put(fields.get(role), role);
      }
    }
    String sub = fields.getOrDefault("sub", "ALL");
    Set<String> recordedWith =
        sub.equals("ALL") ? Set.of() : new HashSet<>(Arrays.asList(sub.split(",")));
    List<EslEventTemplate> events = new ArrayList<>();
    int p = nl + 1;
    while (p < text.length()) {
      int headEnd = text.indexOf("\n\n", p);
      int lengthAt = text.indexOf("Content-Length: ", p);
      int lengthEnd = text.indexOf('\n', lengthAt);
      int length = Integer.parseInt(text.substring(lengthAt + 16, lengthEnd).trim());
      // Lengths are bytes; the recorded events are ASCII (values are URL-encoded).
      int bodyStart = headEnd + 2;
      events.add(EslEventTemplate.parse(text.substring(bodyStart, bodyStart + length)));
      p = bodyStart + length;
    }
    return new EslScene(name, fields, roles, recordedWith, events);
  }
}
