package org.sipadapter.asterisk.ami;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.transport.FrameSink;

/** Keeps everything a decoder reports. */
final class RecordingSink implements FrameSink<AmiFrame> {
  final List<AmiFrame> frames = new ArrayList<>();
  final List<String> malformed = new ArrayList<>();

  @Override
  public void frame(AmiFrame frame) {
    frames.add(frame);
  }

  @Override
  public void malformed(String reason) {
    malformed.add(reason);
  }

  byte[] reencoded() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (AmiFrame frame : frames) {
      out.writeBytes(frame.toWireBytes());
    }
    return out.toByteArray();
  }
}
