package org.sipadapter.yate.rmanager;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;

/**
 * Decodes the rmanager console stream into replies: lines end in CR LF; telnet negotiation ({@code
 * IAC WILL/WONT/DO/DONT <option>}, subnegotiations) is dropped wherever it appears; the banner's
 * prelude of CR, blanks and backspaces is removed (the text after the last CR of a line counts);
 * the lines of a {@code %%+status} block are gathered into one reply; message notifications of
 * machine mode ({@code %%<message:}) are skipped. Not thread-safe.
 */
public final class RmanagerDecoder implements FrameDecoder<RmanagerReply> {
  private static final int IAC = 0xff;
  private static final int SB = 0xfa;
  private static final int SE = 0xf0;
  private static final int MAX_LINE = 1 << 20;

  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private List<String> block;
  private int telnet; // 0 data, 1 after IAC, 2 option byte, 3 in subnegotiation, 4 IAC in sub
  private boolean overflow;

  @Override
  public void decode(ByteBuffer in, FrameSink<RmanagerReply> sink) {
    while (in.hasRemaining()) {
      int b = in.get() & 0xff;
      switch (telnet) {
        case 1 -> {
          if (b == IAC) {
            append(b, sink);
            telnet = 0;
          } else if (b == SB) {
            telnet = 3;
          } else if (b >= 0xfb) {
            telnet = 2;
          } else {
            telnet = 0;
          }
          continue;
        }
        case 2 -> {
          telnet = 0;
          continue;
        }
        case 3 -> {
          telnet = b == IAC ? 4 : 3;
          continue;
        }
        case 4 -> {
          telnet = b == SE ? 0 : 3;
          continue;
        }
        default -> {
          // data
        }
      }
      if (b == IAC) {
        telnet = 1;
      } else if (b == '\n') {
        endLine(sink);
      } else {
        append(b, sink);
      }
    }
  }

  private void append(int b, FrameSink<RmanagerReply> sink) {
    if (line.size() >= MAX_LINE) {
      if (!overflow) {
        sink.malformed("console line longer than " + MAX_LINE + " bytes skipped");
        overflow = true;
      }
      return;
    }
    line.write(b);
  }

  private void endLine(FrameSink<RmanagerReply> sink) {
    byte[] raw = line.toByteArray();
    line.reset();
    if (overflow) {
      overflow = false;
      return;
    }
    int end = raw.length;
    while (end > 0 && raw[end - 1] == '\r') {
      end--;
    }
    int start = 0;
    for (int i = 0; i < end; i++) {
      if (raw[i] == '\r') {
        start = i + 1; // a carriage return rewinds the terminal line: only what follows shows
      }
    }
    StringBuilder sb = new StringBuilder(end - start);
    String text = new String(raw, start, end - start, StandardCharsets.UTF_8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\b') {
        if (sb.length() > 0) {
          sb.setLength(sb.length() - 1);
        }
      } else {
        sb.append(c);
      }
    }
    String s = sb.toString().strip();
    if (block != null) {
      block.add(s);
      if (s.equals("%%-status")) {
        sink.frame(new RmanagerReply(block));
        block = null;
      }
    } else if (s.startsWith("%%+status")) {
      block = new ArrayList<>();
      block.add(s);
    } else if (s.startsWith("%%<message:") || s.isEmpty()) {
      // machine-mode notifications and blank lines carry no answer
    } else {
      sink.frame(new RmanagerReply(List.of(s)));
    }
  }

  @Override
  public void reset() {
    line.reset();
    block = null;
    telnet = 0;
    overflow = false;
  }
}
