package org.sipadapter.benchmarks.ami;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;

/**
 * The benchmark input: every event the first recording of Asterisk 22 sessions (the testkit's
 * {@code ami} fixtures 01-18, see {@link Fixtures}) sent, back to back, in recording order, as CRLF
 * wire bytes.
 */
public final class AmiEventStream {
  /**
   * The last file of the first recording, which the published numbers were measured on; the later
   * files would change the event mix.
   */
  private static final int LAST_FILE = 18;

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
   */
  public static AmiEventStream load(int count) {
    List<byte[]> events = new ArrayList<>();
    for (Fixture file : Fixtures.transcripts("ami")) {
      if (Integer.parseInt(file.name().substring(0, 2)) > LAST_FILE) {
        continue;
      }
      String server = serverText(WireTranscript.read(file).serverBytes());
      for (String packet : server.split("\r\n\r\n")) {
        if (packet.startsWith("Event: ")) {
          events.add((packet + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      out.writeBytes(events.get(i % events.size()));
    }
    return new AmiEventStream(out.toByteArray(), count);
  }

  private static String serverText(byte[] server) {
    // Make every line end in CRLF and drop the banner so the stream holds events only.
    String text = new String(server, StandardCharsets.UTF_8).replaceAll("(?<!\r)\n", "\r\n");
    return text.substring(text.indexOf("\r\n") + 2).replaceAll("(\r\n){3,}", "\r\n\r\n");
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
