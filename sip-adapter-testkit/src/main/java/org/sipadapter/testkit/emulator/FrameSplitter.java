package org.sipadapter.testkit.emulator;

import java.nio.charset.StandardCharsets;

/**
 * Finds frame boundaries in the bytes a client sent, so a {@link TcpEmulator} can hand its session
 * handler one whole frame at a time whatever the TCP segmentation.
 *
 * <p>Implementations are stateless and thread-safe: the emulator keeps the unread bytes and asks
 * again after every read. Ready-made splitters cover the protocols of this project: {@link
 * #lines()} (Yate extmodule, rmanager), {@link #blankLineTerminated()} (Asterisk AMI) and {@link
 * #headersWithContentLength()} (FreeSWITCH ESL).
 */
public interface FrameSplitter {

  /**
   * Returns the length of the first complete frame in {@code buffer[offset, offset + length)},
   * including its terminator, or {@code -1} when more bytes are needed.
   *
   * @param buffer the unread bytes; never modified
   * @param offset where the unread bytes start
   * @param length how many unread bytes there are (may be 0)
   * @return the frame length, 1 to {@code length}, or -1
   */
  int frameLength(byte[] buffer, int offset, int length);

  /**
   * Wraps {@code payload} into one frame of this format, e.g. appends the terminator. Used by fault
   * hooks such as {@link TcpEmulator#injectHugeFrame(int)}.
   *
   * @param payload the frame content without terminator; not null
   * @return a complete frame
   */
  byte[] frame(byte[] payload);

  /** Frames end with {@code \n} (a preceding {@code \r} is kept in the frame). */
  static FrameSplitter lines() {
    return new FrameSplitter() {
      @Override
      public int frameLength(byte[] buffer, int offset, int length) {
        for (int i = 0; i < length; i++) {
          if (buffer[offset + i] == '\n') {
            return i + 1;
          }
        }
        return -1;
      }

      @Override
      public byte[] frame(byte[] payload) {
        return concat(payload, new byte[] {'\n'});
      }

      @Override
      public String toString() {
        return "lines";
      }
    };
  }

  /**
   * Frames end with an empty line: {@code \r\n\r\n} or {@code \n\n} (AMI actions and events). Empty
   * lines before a frame (stray line ends) form frames of their own, which handlers usually ignore.
   */
  static FrameSplitter blankLineTerminated() {
    return new FrameSplitter() {
      @Override
      public int frameLength(byte[] buffer, int offset, int length) {
        int end = headerBlockEnd(buffer, offset, length);
        return end < 0 ? -1 : end;
      }

      @Override
      public byte[] frame(byte[] payload) {
        return concat(payload, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }

      @Override
      public String toString() {
        return "blank-line-terminated";
      }
    };
  }

  /**
   * A header block ending with an empty line, followed by a body of {@code Content-Length} bytes
   * when that header is present (ESL commands and events).
   */
  static FrameSplitter headersWithContentLength() {
    return new FrameSplitter() {
      @Override
      public int frameLength(byte[] buffer, int offset, int length) {
        int headerEnd = headerBlockEnd(buffer, offset, length);
        if (headerEnd < 0) {
          return -1;
        }
        long body = contentLength(buffer, offset, headerEnd);
        if (body < 0) {
          return headerEnd;
        }
        long total = headerEnd + body;
        return total <= length ? (int) total : -1;
      }

      @Override
      public byte[] frame(byte[] payload) {
        byte[] head =
            ("Content-Length: " + payload.length + "\nContent-Type: text/event-plain\n\n")
                .getBytes(StandardCharsets.US_ASCII);
        return concat(head, payload);
      }

      @Override
      public String toString() {
        return "headers-with-content-length";
      }
    };
  }

  /**
   * Returns the length up to and including the first empty line ({@code \n\n} or {@code \r\n\r\n}),
   * or -1 when there is none yet.
   */
  private static int headerBlockEnd(byte[] buffer, int offset, int length) {
    int lineStart = 0;
    for (int i = 0; i < length; i++) {
      if (buffer[offset + i] != '\n') {
        continue;
      }
      int lineLength = i - lineStart;
      if (lineLength == 0 || (lineLength == 1 && buffer[offset + lineStart] == '\r')) {
        return i + 1;
      }
      lineStart = i + 1;
    }
    return -1;
  }

  /** Reads a {@code Content-Length} header from a header block; -1 when absent or invalid. */
  private static long contentLength(byte[] buffer, int offset, int blockLength) {
    byte[] name = "content-length:".getBytes(StandardCharsets.US_ASCII);
    int lineStart = 0;
    while (lineStart < blockLength) {
      int lineEnd = lineStart;
      while (lineEnd < blockLength && buffer[offset + lineEnd] != '\n') {
        lineEnd++;
      }
      if (lineEnd - lineStart > name.length
          && startsWithIgnoreCase(buffer, offset + lineStart, name)) {
        long value = 0;
        boolean digits = false;
        for (int i = lineStart + name.length; i < lineEnd; i++) {
          byte b = buffer[offset + i];
          if (b >= '0' && b <= '9') {
            value = value * 10 + (b - '0');
            digits = true;
            if (value > Integer.MAX_VALUE) {
              return -1;
            }
          } else if (b != ' ' && b != '\t' && b != '\r') {
            return -1;
          }
        }
        return digits ? value : -1;
      }
      lineStart = lineEnd + 1;
    }
    return -1;
  }

  private static boolean startsWithIgnoreCase(byte[] buffer, int at, byte[] lowerPrefix) {
    for (int i = 0; i < lowerPrefix.length; i++) {
      int b = buffer[at + i];
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != lowerPrefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
