package org.sipadapter.freeswitch.esl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a recorded ESL transcript ({@code shared/fixtures/esl/*.txt}) into the byte streams of each
 * direction, following the fixture README: {@code <<< } server bytes, {@code >>> } client bytes,
 * {@code \ No newline} removes the LF before it, {@code #} lines are comments.
 */
record EslTranscript(String name, byte[] serverBytes, byte[] clientBytes) {

  /** Locates {@code shared/fixtures/esl} above the working directory; skips the test if absent. */
  static Path fixtureDir() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/fixtures/esl");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    assumeTrue(false, "shared/fixtures/esl not found above " + dir);
    return null;
  }

  static List<Path> files() {
    try (Stream<Path> s = Files.list(fixtureDir())) {
      return s.filter(p -> p.getFileName().toString().matches("\\d\\d-.*\\.txt")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static EslTranscript read(Path file) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream server = new ByteArrayOutputStream();
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    ByteArrayOutputStream last = null;
    int i = 0;
    while (i < all.length) {
      int j = i;
      while (j < all.length && all[j] != '\n') {
        j++;
      }
      int lineEnd = Math.min(j + 1, all.length); // includes the LF
      if (startsWith(all, i, "<<< ")) {
        server.write(all, i + 4, lineEnd - i - 4);
        last = server;
      } else if (startsWith(all, i, ">>> ")) {
        client.write(all, i + 4, lineEnd - i - 4);
        last = client;
      } else if (startsWith(all, i, "\\ No newline") && last != null) {
        byte[] b = last.toByteArray();
        last.reset();
        last.write(b, 0, b.length - 1);
      }
      i = lineEnd;
    }
    return new EslTranscript(
        file.getFileName().toString(), server.toByteArray(), client.toByteArray());
  }

  private static boolean startsWith(byte[] b, int at, String prefix) {
    if (at + prefix.length() > b.length) {
      return false;
    }
    for (int k = 0; k < prefix.length(); k++) {
      if (b[at + k] != prefix.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return name;
  }
}
