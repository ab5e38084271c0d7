package org.sipadapter.benchmarks.esl;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;

/**
 * The benchmark input: every {@code text/event-plain} frame of the first ESL recording (the
 * testkit's {@code esl} fixtures 01-20, see {@link Fixtures}), concatenated into one
 * server-to-client byte stream.
 */
final class EslEventStream {
  /**
   * The last file of the first recording, which the published numbers were measured on; the later
   * files would change the event mix and the count the benchmarks declare.
   */
  private static final int LAST_FILE = 20;

  final byte[] bytes;
  final int events;
  final List<byte[]> frames;

  private EslEventStream(byte[] bytes, int events, List<byte[]> frames) {
    this.bytes = bytes;
    this.events = events;
    this.frames = List.copyOf(frames);
  }

  /** Returns the first recorded frame whose event has {@code Event-Name: name}. */
  byte[] first(String name) {
    String wanted = "\nEvent-Name: " + name + "\n";
    for (byte[] f : frames) {
      if (new String(f, StandardCharsets.UTF_8).contains(wanted)) {
        return f;
      }
    }
    throw new IllegalStateException("no recorded " + name + " event");
  }

  static EslEventStream load() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<byte[]> all = new ArrayList<>();
    int events = 0;
    for (Fixture file : Fixtures.transcripts("esl")) {
      if (Integer.parseInt(file.name().substring(0, 2)) > LAST_FILE) {
        continue;
      }
      for (byte[] frame : plainEventFrames(WireTranscript.read(file).serverBytes())) {
        out.writeBytes(frame);
        all.add(frame);
        events++;
      }
    }
    if (events == 0) {
      throw new IllegalStateException("no text/event-plain frames in the esl fixtures");
    }
    return new EslEventStream(out.toByteArray(), events, all);
  }

  /** Splits a server stream into frames by header block and Content-Length; keeps plain events. */
  private static List<byte[]> plainEventFrames(byte[] s) {
    List<byte[]> frames = new ArrayList<>();
    int p = 0;
    while (p < s.length) {
      int end = p;
      while (end + 1 < s.length && !(s[end] == '\n' && s[end + 1] == '\n')) {
        end++;
      }
      if (end + 1 >= s.length) {
        break;
      }
      String head = new String(s, p, end - p, StandardCharsets.UTF_8);
      int bodyStart = end + 2;
      int length = 0;
      for (String h : head.split("\n")) {
        if (h.startsWith("Content-Length: ")) {
          length = Integer.parseInt(h.substring(16).trim());
        }
      }
      int frameEnd = bodyStart + length;
      if (head.contains("Content-Type: text/event-plain")) {
        byte[] f = new byte[frameEnd - p];
        System.arraycopy(s, p, f, 0, f.length);
        frames.add(f);
      }
      p = frameEnd;
    }
    return frames;
  }
}
