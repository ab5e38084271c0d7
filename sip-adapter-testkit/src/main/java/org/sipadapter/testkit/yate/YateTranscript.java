package org.sipadapter.testkit.yate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;

/**
 * One recorded Yate session from the {@code yate-extmodule} or {@code yate-rmanager} fixtures (see
 * {@link Fixtures}), in the format of those folders: {@code >>> } client bytes, {@code <<< } server
 * bytes, each up to and including its original terminator; {@code [[no-eol]]} after a fragment that
 * had no LF; {@code \xNN} for a byte outside printable ASCII; {@code ### } annotations, ignored.
 *
 * @param name the file name
 * @param records the data records in wire order
 */
public record YateTranscript(String name, List<Record> records) {

  /**
   * One record.
   *
   * @param fromServer true for {@code <<<}
   * @param bytes the bytes, terminator included when there was one
   */
  public record Record(boolean fromServer, byte[] bytes) {
    /** Returns the bytes as text (ISO-8859-1, one char per byte) without the line terminator. */
    public String line() {
      String s = new String(bytes, StandardCharsets.ISO_8859_1);
      if (s.endsWith("\n")) {
        s = s.substring(0, s.length() - 1);
      }
      return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
  }

  /** Copies the list. */
  public YateTranscript {
    records = List.copyOf(records);
  }

  /**
   * Parses one recorded fixture, such as one of {@link Fixtures#transcripts(String)
   * Fixtures.transcripts("yate-extmodule")}.
   *
   * @param fixture the recording
   * @return the transcript, named after the fixture's file
   */
  public static YateTranscript read(Fixture fixture) {
    return parse(fixture.name(), fixture.bytes());
  }

  /**
   * Parses a transcript's bytes.
   *
   * @param name a name for the transcript
   * @param all the file's bytes
   * @return the transcript
   */
  public static YateTranscript parse(String name, byte[] all) {
    List<Record> out = new ArrayList<>();
    int start = 0;
    while (start < all.length) {
      int lf = start;
      while (lf < all.length && all[lf] != '\n') {
        lf++;
      }
      String line = new String(all, start, lf - start, StandardCharsets.ISO_8859_1);
      start = lf + 1;
      boolean server = line.startsWith("<<< ");
      if (!server && !line.startsWith(">>> ")) {
        continue;
      }
      String data = line.substring(4);
      boolean eol = true;
      if (data.endsWith("[[no-eol]]")) {
        data = data.substring(0, data.length() - 10);
        eol = false;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.length() + 1);
      for (int i = 0; i < data.length(); i++) {
        char c = data.charAt(i);
        if (c == '\\'
            && i + 3 < data.length() + 0
            && data.charAt(i + 1) == 'x'
            && hex(data, i + 2)) {
          bytes.write(Integer.parseInt(data.substring(i + 2, i + 4), 16));
          i += 3;
        } else {
          bytes.write(c);
        }
      }
      if (eol) {
        bytes.write('\n');
      }
      out.add(new Record(server, bytes.toByteArray()));
    }
    return new YateTranscript(name, out);
  }

  private static boolean hex(String s, int at) {
    return at + 2 <= s.length()
        && Character.digit(s.charAt(at), 16) >= 0
        && Character.digit(s.charAt(at + 1), 16) >= 0;
  }

  /** Returns everything the server sent, in order. */
  public byte[] serverBytes() {
    return join(true);
  }

  /** Returns everything the client sent, in order. */
  public byte[] clientBytes() {
    return join(false);
  }

  /** Returns the server's records, in order. */
  public List<Record> server() {
    return records.stream().filter(Record::fromServer).toList();
  }

  private byte[] join(boolean server) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Record r : records) {
      if (r.fromServer() == server) {
        out.writeBytes(r.bytes());
      }
    }
    return out.toByteArray();
  }
}
