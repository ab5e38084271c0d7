package org.sipadapter.yate.extmodule;

import java.util.ArrayList;
import java.util.List;
import org.sipadapter.transport.FrameSink;

/** Collects what a decoder emits. */
final class RecordingSink implements FrameSink<ExtFrame> {
  final List<ExtFrame> frames = new ArrayList<>();
  final List<String> malformed = new ArrayList<>();

  @Override
  public void frame(ExtFrame frame) {
    frames.add(frame);
  }

  @Override
  public void malformed(String reason) {
    malformed.add(reason);
  }
}
