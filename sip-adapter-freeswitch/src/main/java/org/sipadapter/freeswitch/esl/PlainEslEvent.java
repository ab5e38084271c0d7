package org.sipadapter.freeswitch.esl;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code text/event-plain} event: URL-encoded {@code Name: value} lines, then optionally an empty
 * line and a body whose length is the event's own {@code Content-Length} header.
 */
final class PlainEslEvent implements EslEvent {
  private final byte[] buf;
  private final int to;
  private final HeaderLines lines;

  private PlainEslEvent(byte[] buf, int from, int to, int[] lineIndex) {
    this.buf = buf;
    this.to = to;
    this.lines = new HeaderLines(buf, from, to, true, lineIndex);
  }

  static PlainEslEvent parse(byte[] buf, int from, int to) {
    return new PlainEslEvent(buf, from, to, null);
  }

  /**
   * Parses {@code buf[from, to)}, indexing the headers into {@code lineIndex} (an array left by an
   * earlier event, reused) when it is not null.
   */
  static PlainEslEvent parse(byte[] buf, int from, int to, int[] lineIndex) {
    return new PlainEslEvent(buf, from, to, lineIndex);
  }

  /** The header index array, for the next event over the same buffer. */
  int[] lineIndex() {
    return lines.lineIndex();
  }

  @Override
  public String headerOrNull(String name) {
    return lines.get(name);
  }

  @Override
  public Map<String, String> headers() {
    return lines.toMap();
  }

  @Override
  public Optional<String> body() {
    int end = lines.blockEnd();
    if (end >= to) {
      return Optional.empty();
    }
    int start = end + 1; // skip the empty line
    int length = to - start;
    String declared = lines.get("Content-Length");
    if (declared != null) {
      try {
        length = Math.min(length, Integer.parseInt(declared.trim()));
      } catch (NumberFormatException e) {
        // a broken inner length: the rest of the frame is the body
      }
    }
    return Optional.of(new String(buf, start, Math.max(0, length), StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "EslEvent[" + name() + ", plain]";
  }
}
