package org.sipadapter.freeswitch.esl;

/**
 * Receives what {@link EslFrameDecoder} finds in the byte stream. Called on the thread that calls
 * {@code decode}; an implementation must return quickly and hand work off.
 */
public interface EslFrameSink {
  /**
   * A complete frame.
   *
   * @param frame the frame, never null; owned by the receiver from now on
   */
  void frame(EslFrame frame);

  /**
   * Bytes that could not be framed were skipped; the decoder has already resynchronised.
   *
   * @param reason what was wrong, never null
   */
  void malformed(String reason);
}
