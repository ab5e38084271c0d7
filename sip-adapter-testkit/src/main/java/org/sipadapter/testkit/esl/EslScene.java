package org.sipadapter.testkit.esl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorded sequence of FreeSWITCH events (one phase of a call, from the real transcripts in
 * {@code org/sipadapter/testkit/fixtures/esl}), replayed by the emulator with fresh ids.
 *
 * <p>Resource format: a first line {@code # recorded legs a=<uuid> b=<uuid> job=<uuid|-> dest=<n>},
 * then the server's {@code text/event-plain} frames exactly as recorded.
 */
final class EslScene {
  final String name;
  final String legA;
  final String legB;
  final String job;
  final String dest;
  final List<EslEventTemplate> events;

  private EslScene(
      String name, String legA, String legB, String job, String dest, List<EslEventTemplate> ev) {
    this.name = name;
    this.legA = legA;
    this.legB = legB;
    this.job = job;
    this.dest = dest;
    this.events = List.copyOf(ev);
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
    String a = field(first, "a=");
    String b = field(first, "b=");
    String job = field(first, "job=");
    String dest = field(first, "dest=");
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
    return new EslScene(name, a, b, "-".equals(job) ? null : job, dest, events);
  }

  private static String field(String line, String key) {
    int at = line.indexOf(key) + key.length();
    int end = line.indexOf(' ', at);
    return line.substring(at, end < 0 ? line.length() : end);
  }
}
