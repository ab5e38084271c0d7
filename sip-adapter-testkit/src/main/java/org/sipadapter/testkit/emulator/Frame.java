package org.sipadapter.testkit.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One frame a client sent to an emulator, exactly as received (terminator included).
 *
 * @param sessionId the {@link EmulatorSession#id()} of the connection it arrived on
 * @param bytes the raw frame; treat as read-only
 * @param receivedAt when the emulator read its last byte
 */
public record Frame(long sessionId, byte[] bytes, Instant receivedAt) {

  /** Checks the components. */
  public Frame {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(receivedAt, "receivedAt");
  }

  /** Returns the frame decoded as UTF-8, terminator included. */
  public String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Returns the frame length in bytes. */
  public int size() {
    return bytes.length;
  }

  /** Returns true when the UTF-8 text of the frame contains {@code fragment}. */
  public boolean contains(String fragment) {
    return text().contains(fragment);
  }

  /**
   * Returns the value of the first {@code Name: value} line whose name equals {@code name}
   * (ignoring case), trimmed, for header-block protocols such as AMI and ESL.
   *
   * @param name the header name without the colon; not null
   * @return the value, or empty when no line has that name
   */
  public Optional<String> header(String name) {
    Objects.requireNonNull(name, "name");
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    int lineStart = 0;
    while (lineStart < bytes.length) {
      int lineEnd = lineStart;
      while (lineEnd < bytes.length && bytes[lineEnd] != '\n') {
        lineEnd++;
      }
      int colon = lineStart + wanted.length;
      if (colon < lineEnd && bytes[colon] == ':' && nameMatches(lineStart, wanted)) {
        int from = colon + 1;
        int to = lineEnd;
        while (from < to && (bytes[from] == ' ' || bytes[from] == '\t')) {
          from++;
        }
        while (to > from && (bytes[to - 1] == '\r' || bytes[to - 1] == ' ')) {
          to--;
        }
        return Optional.of(new String(bytes, from, to - from, StandardCharsets.UTF_8));
      }
      lineStart = lineEnd + 1;
    }
    return Optional.empty();
  }

  private boolean nameMatches(int at, byte[] wanted) {
    for (int i = 0; i < wanted.length; i++) {
      if (Character.toLowerCase(bytes[at + i]) != Character.toLowerCase(wanted[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    String text = text();
    String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    return "Frame[session="
        + sessionId
        + ", "
        + bytes.length
        + " bytes: "
        + shown.replace("\r", "\\r").replace("\n", "\\n")
        + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f
        && f.sessionId == sessionId
        && java.util.Arrays.equals(f.bytes, bytes)
        && f.receivedAt.equals(receivedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sessionId, java.util.Arrays.hashCode(bytes), receivedAt);
  }
}
