package org.sipadapter.benchmarks.ami;

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
 * The benchmark input: every event the recorded Asterisk 22 sessions in {@code shared/fixtures/ami}
 * sent, back to back, in recording order, as CRLF wire bytes.
 *
 * <p>The fixture directory is {@code -Dsipadapter.fixtures=<dir>/ami}'s parent, or the first {@code
 * shared/fixtures} found above the working directory.
 */
public final class AmiEventStream {

  private final byte[] bytes;
  private final int events;

  private AmiEventStream(byte[] bytes, int events) {
    this.bytes = bytes;
    this.events = events;
  }

  /**
   * Loads the fixtures' events and repeats them, in order, until there are {@code count}.
   *
   * @param count number of events in the stream
   * @return the stream
   * @throws IllegalStateException when the fixture directory cannot be found
   */
  public static AmiEventStream load(int count) {
    List<byte[]> events = new ArrayList<>();
    try (Stream<Path> files = Files.list(fixtureDir())) {
      for (Path file : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
        String server = serverText(Files.readAllBytes(file));
        for (String packet : server.split("\r\n\r\n")) {
          if (packet.startsWith("Event: ")) {
            events.add((packet + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      out.writeBytes(events.get(i % events.size()));
    }
    return new AmiEventStream(out.toByteArray(), count);
  }

  private static String serverText(byte[] transcript) {
    StringBuilder server = new StringBuilder();
    for (String line : new String(transcript, StandardCharsets.UTF_8).split("(?<=\n)")) {
      if (line.startsWith("<<< ")) {
        server.append(line, 4, line.length());
      }
    }
    // Make every line end in CRLF and drop the banner so the stream holds events only.
    String text = server.toString().replaceAll("(?<!\r)\n", "\r\n");
    return text.substring(text.indexOf("\r\n") + 2).replaceAll("(\r\n){3,}", "\r\n\r\n");
  }

  private static Path fixtureDir() {
    String configured = System.getProperty("sipadapter.fixtures");
    if (configured != null) {
      return Path.of(configured, "ami");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/fixtures/ami");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "shared/fixtures/ami not found; run from the repository or set -Dsipadapter.fixtures");
  }

  /**
   * The wire bytes.
   *
   * @return the array itself; callers must not modify it
   */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * Number of events in {@link #bytes()}.
   *
   * @return the count
   */
  public int events() {
    return events;
  }
}
