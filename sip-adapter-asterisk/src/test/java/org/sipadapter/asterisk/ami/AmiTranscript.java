package org.sipadapter.asterisk.ami;

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
 * A recorded AMI session from {@code shared/fixtures/ami}: each record is {@code <<< } (server) or
 * {@code >>> } (client) followed by the exact wire bytes up to and including the LF.
 */
record AmiTranscript(String name, byte[] serverBytes, byte[] clientBytes) {

  static Path fixtureDir() {
    String configured = System.getProperty("sipadapter.fixtures");
    if (configured != null) {
      return Path.of(configured, "ami");
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("shared/fixtures/ami");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "shared/fixtures/ami not found above " + Path.of("").toAbsolutePath());
  }

  static List<AmiTranscript> all() {
    try (Stream<Path> files = Files.list(fixtureDir())) {
      return files
          .filter(p -> p.getFileName().toString().matches("\\d\\d-.*\\.txt"))
          .sorted()
          .map(AmiTranscript::load)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static AmiTranscript load(Path file) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream server = new ByteArrayOutputStream();
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    int start = 0;
    while (start < all.length) {
      int lf = start;
      while (lf < all.length && all[lf] != '\n') {
        lf++;
      }
      int end = Math.min(lf + 1, all.length);
      if (end - start >= 4 && all[start] == '<' && all[start + 1] == '<' && all[start + 2] == '<') {
        server.write(all, start + 4, end - start - 4);
      } else if (end - start >= 4 && all[start] == '>' && all[start + 1] == '>') {
        client.write(all, start + 4, end - start - 4);
      }
      start = end;
    }
    return new AmiTranscript(
        file.getFileName().toString(), server.toByteArray(), client.toByteArray());
  }

  /**
   * The server's stream with every line ending made CRLF and runs of empty lines collapsed. Real
   * servers are not perfectly regular: in 16-park.txt Asterisk ends {@code Message: Park
   * successful} with a bare LF and then sends two empty lines.
   */
  byte[] normalizedServerBytes() {
    String text = new String(serverBytes, StandardCharsets.UTF_8);
    return text.replaceAll("(?<!\r)\n", "\r\n")
        .replaceAll("(\r\n){3,}", "\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The server's packets as text blocks, split by a plain reading of the transcript. */
  List<String> serverPackets() {
    String text = new String(normalizedServerBytes(), StandardCharsets.UTF_8);
    List<String> packets = new ArrayList<>();
    int bannerEnd = text.indexOf("\r\n");
    packets.add(text.substring(0, bannerEnd));
    for (String p : text.substring(bannerEnd + 2).split("\r\n\r\n")) {
      if (!p.isEmpty()) {
        packets.add(p);
      }
    }
    return packets;
  }

  @Override
  public String toString() {
    return name;
  }
}
