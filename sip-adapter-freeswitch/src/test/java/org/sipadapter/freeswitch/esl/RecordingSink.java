package org.sipadapter.freeswitch.esl;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.transport.FrameSink;

/** Collects what a decoder reports. */
final class RecordingSink implements FrameSink<EslFrame> {
  final List<EslFrame> frames = new ArrayList<>();
  final List<String> malformed = new ArrayList<>();

  @Override
  public void frame(EslFrame frame) {
    frames.add(frame);
  }

  @Override
  public void malformed(String reason) {
    malformed.add(reason);
  }

  /** Writes the frames back in wire form: header lines, the empty line, the body. */
  byte[] reencode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (EslFrame f : frames) {
      out.writeBytes(f.headerBytes());
      out.write('\n');
      out.writeBytes(f.bodyBytes());
    }
    return out.toByteArray();
  }
}
