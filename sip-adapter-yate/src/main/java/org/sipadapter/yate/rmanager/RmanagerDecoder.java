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
 * machine mode ({@code %%<message:}) are skipped. A line, or a status block, longer than the limit
 * is reported and dropped, and decoding goes on with the next line; so is a subnegotiation that
 * does not end within 64 bytes. Not thread-safe.
 */
public final class RmanagerDecoder implements FrameDecoder<RmanagerReply> {
  private static final int IAC = 0xff;
  private static final int SB = 0xfa;
  private static final int SE = 0xf0;
  private static final int MAX_LINE = 1 << 20;
  // Yate sends no subnegotiation at all; an unterminated one must not swallow the stream.
  private static final int MAX_SUBNEGOTIATION = 64;

  private final int maxLine;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private List<String> block;
  private int blockBytes; // characters in block: with the line in progress, within maxLine
  private int telnet; // 0 data, 1 after IAC, 2 option byte, 3 in subnegotiation, 4 IAC in sub
  private int subnegotiationBytes;
  private boolean overflow;

  /** Creates a decoder for console lines of up to 1 MiB. */
  public RmanagerDecoder() {
    this(MAX_LINE);
  }

  /** Creates a decoder with a smaller line limit (tests reach it with short inputs). */
  RmanagerDecoder(int maxLine) {
    this.maxLine = maxLine;
  }

  /** Bytes held for the line and status block not yet complete; the fuzz tests check the bound. */
  int bufferedBytes() {
    return line.size() + blockBytes;
  }

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
            subnegotiationBytes = 0;
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
        case 3, 4 -> {
          if (++subnegotiationBytes > MAX_SUBNEGOTIATION) {
            sink.malformed("telnet subnegotiation without end skipped");
            telnet = 0;
          } else if (telnet == 3) {
            telnet = b == IAC ? 4 : 3;
          } else {
            telnet = b == SE ? 0 : 3;
          }
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
    if (line.size() + blockBytes >= maxLine) {
      if (!overflow) {
        if (block != null) {
          // An unclosed or runaway status block: drop it so later answers come out again.
          sink.malformed("status block longer than " + maxLine + " bytes dropped");
          block = null;
          blockBytes = 0;
        } else {
          sink.malformed("console line longer than " + maxLine + " bytes skipped");
        }
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
      blockBytes += s.length();
      if (s.equals("%%-status")) {
        sink.frame(new RmanagerReply(block));
        block = null;
        blockBytes = 0;
      }
    } else if (s.startsWith("%%+status")) {
      block = new ArrayList<>();
      block.add(s);
      blockBytes = s.length();
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
    blockBytes = 0;
    telnet = 0;
    overflow = false;
  }
}
