package org.sipadapter.benchmarks.esl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The benchmark input: every {@code text/event-plain} frame of the recorded ESL transcripts in
 * {@code shared/fixtures/esl}, concatenated into one server-to-client byte stream.
 *
 * <p>The transcripts are found through the system property {@code esl.fixtures} or by walking up
 * from the working directory to a {@code shared/fixtures/esl} folder.
 */
final class EslEventStream {
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
    Path dir = fixtureDir();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<byte[]> all = new ArrayList<>();
    int events = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
        for (byte[] frame : plainEventFrames(serverBytes(file))) {
          out.writeBytes(frame);
          all.add(frame);
          events++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (events == 0) {
      throw new IllegalStateException("no text/event-plain frames in " + dir);
    }
    return new EslEventStream(out.toByteArray(), events, all);
  }

  private static Path fixtureDir() {
    String configured = System.getProperty("esl.fixtures");
    if (configured != null) {
      return Path.of(configured);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/fixtures/esl");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "shared/fixtures/esl not found; run from the project folder or set -Desl.fixtures=DIR");
  }

  /** The server's bytes of a transcript ({@code <<< } records, {@code \ No newline} applied). */
  private static byte[] serverBytes(Path file) throws IOException {
    ByteArrayOutputStream server = new ByteArrayOutputStream();
    boolean lastWasServer = false;
    for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.startsWith("<<< ")) {
        server.writeBytes((line.substring(4) + "\n").getBytes(StandardCharsets.UTF_8));
        lastWasServer = true;
      } else if (line.startsWith(">>> ")) {
        lastWasServer = false;
      } else if (line.startsWith("\\ No newline") && lastWasServer) {
        byte[] b = server.toByteArray();
        server.reset();
        server.write(b, 0, b.length - 1);
      }
    }
    return server.toByteArray();
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
