package org.sipadapter.sipp.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a growing SIPp {@code -trace_msg} file incrementally and decodes its messages.
 *
 * <p>Each entry is a separator line of dashes and a timestamp, a line such as {@code UDP message
 * sent (494 bytes):} or {@code UDP message received [295] bytes :}, an empty line and then exactly
 * that many bytes of SIP message. The byte count tells when an entry is complete, so a half-written
 * entry is kept for the next {@link #poll()}. Text that does not fit the layout is skipped up to
 * the next separator; decoding never throws.
 *
 * <p>Not thread-safe: one reader thread polls it.
 */
public final class MessageTraceReader {

  private static final byte[] SEPARATOR =
      "-----------------------------------------------".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_PENDING = 4 << 20;

  private final Path file;
  private long offset;
  private byte[] pending = new byte[0];

  /**
   * Creates a reader of {@code file}, which may not exist yet.
   *
   * @param file the trace file
   */
  public MessageTraceReader(Path file) {
    this.file = file;
  }

  /**
   * Reads what SIPp appended since the last call and returns the complete messages in it.
   *
   * @return the new messages in file order; empty when nothing new is complete
   * @throws IOException if the file exists but cannot be read
   */
  public List<TracedMessage> poll() throws IOException {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < offset) {
        offset = 0; // SIPp rotated the file (-ringbuffer_size): start on the new one
        pending = new byte[0];
      }
      if (size <= offset) {
        return List.of();
      }
      int toRead = (int) Math.min(size - offset, MAX_PENDING);
      ByteBuffer buffer = ByteBuffer.allocate(pending.length + toRead);
      buffer.put(pending);
      channel.position(offset);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          break;
        }
      }
      offset += buffer.position() - pending.length;
      byte[] bytes = Arrays.copyOf(buffer.array(), buffer.position());
      List<TracedMessage> out = new ArrayList<>();
      int consumed = decode(bytes, out);
      pending = Arrays.copyOfRange(bytes, consumed, bytes.length);
      if (pending.length > MAX_PENDING) {
        pending = new byte[0]; // an entry this large is not a SIP message; drop it
      }
      return out;
    }
  }

  /**
   * Decodes complete entries from {@code bytes}.
   *
   * @return how many bytes were consumed; the rest is an incomplete entry
   */
  static int decode(byte[] bytes, List<TracedMessage> out) {
    int pos = 0;
    while (true) {
      int sep = indexOf(bytes, SEPARATOR, pos);
      if (sep < 0) {
        return Math.max(pos, bytes.length - SEPARATOR.length);
      }
      int sepEnd = indexOf(bytes, (byte) '\n', sep);
      if (sepEnd < 0) {
        return sep;
      }
      String time = ascii(bytes, sep + SEPARATOR.length, sepEnd).trim();
      int descEnd = indexOf(bytes, (byte) '\n', sepEnd + 1);
      if (descEnd < 0) {
        return sep;
      }
      String desc = ascii(bytes, sepEnd + 1, descEnd);
      boolean sent = desc.contains(" sent ");
      int length = declaredLength(desc);
      // Not a message entry (SIPp logs other notes too), or one longer than a poll may hold, which
      // could never complete (and would overflow the offsets below).
      if ((!sent && !desc.contains(" received ")) || length < 0 || length > MAX_PENDING) {
        pos = descEnd + 1;
        continue;
      }
      int start = descEnd + 1;
      if (start < bytes.length && bytes[start] == '\n') {
        start++;
      } else if (start >= bytes.length) {
        return sep;
      }
      if (start + length > bytes.length) {
        return sep;
      }
      TracedMessage message = parseSip(time, sent, bytes, start, start + length);
      if (message != null) {
        out.add(message);
      }
      pos = start + length;
    }
  }

  private static int declaredLength(String desc) {
    int open = desc.indexOf('(');
    int close = desc.indexOf(')');
    if (open < 0 || close < open) {
      open = desc.indexOf('[');
      close = desc.indexOf(']');
    }
    if (open < 0 || close < open) {
      return -1;
    }
    String digits = desc.substring(open + 1, close).replace("bytes", "").trim();
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Parses the start line and the headers the agent needs; null when it is not SIP. */
  static TracedMessage parseSip(String time, boolean sent, byte[] b, int from, int to) {
    int lineEnd = lineEnd(b, from, to);
    String startLine = ascii(b, from, lineEnd);
    String method = null;
    int status = 0;
    String reason = null;
    if (startLine.startsWith("SIP/2.0 ")) {
      int codeEnd = startLine.indexOf(' ', 8);
      String code = codeEnd < 0 ? startLine.substring(8) : startLine.substring(8, codeEnd);
      try {
        status = Integer.parseInt(code.trim());
      } catch (NumberFormatException e) {
        return null;
      }
      reason = codeEnd < 0 ? "" : startLine.substring(codeEnd + 1).trim();
    } else if (startLine.endsWith(" SIP/2.0") && startLine.indexOf(' ') > 0) {
      method = startLine.substring(0, startLine.indexOf(' '));
    } else {
      return null;
    }
    String callId = null;
    String fromHeader = null;
    String toHeader = null;
    String cseqMethod = null;
    int pos = next(b, lineEnd, to);
    while (pos < to) {
      int end = lineEnd(b, pos, to);
      if (end == pos) {
        break; // empty line: end of headers
      }
      int colon = indexOf(b, (byte) ':', pos);
      if (colon > pos && colon < end) {
        String name = ascii(b, pos, colon).trim().toLowerCase(java.util.Locale.ROOT);
        String value = ascii(b, colon + 1, end).trim();
        switch (name) {
          case "call-id", "i" -> callId = value;
          case "from", "f" -> fromHeader = value;
          case "to", "t" -> toHeader = value;
          case "cseq" -> {
            int space = value.lastIndexOf(' ');
            cseqMethod = space < 0 ? null : value.substring(space + 1);
          }
          default -> {}
        }
      }
      pos = next(b, end, to);
    }
    return new TracedMessage(
        time, sent, method, status, reason, callId, fromHeader, toHeader, cseqMethod);
  }

  private static int lineEnd(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\r' || b[i] == '\n') {
        return i;
      }
    }
    return to;
  }

  private static int next(byte[] b, int lineEnd, int to) {
    int i = lineEnd;
    if (i < to && b[i] == '\r') {
      i++;
    }
    if (i < to && b[i] == '\n') {
      i++;
    }
    return i;
  }

  private static String ascii(byte[] b, int from, int to) {
    return new String(b, from, Math.max(0, to - from), StandardCharsets.ISO_8859_1);
  }

  private static int indexOf(byte[] b, byte value, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] b, byte[] needle, int from) {
    outer:
    for (int i = from; i <= b.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (b[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
