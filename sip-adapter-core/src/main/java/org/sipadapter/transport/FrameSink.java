package org.sipadapter.transport;

/**
 * Receives what a {@link FrameDecoder} found.
 *
 * @param <F> the frame type
 */
public interface FrameSink<F> {

  /**
   * A complete frame.
   *
   * @param frame the frame
   */
  void frame(F frame);

  /**
   * Input that was skipped because it did not form a valid frame or exceeded the size limit.
   *
   * @param reason what was wrong, without the bytes themselves
   */
  void malformed(String reason);
}
