package org.sipadapter.asterisk.ami;

/**
 * Receives what an {@link AmiFrameDecoder} finds in a byte stream. Called on the thread that calls
 * {@link AmiFrameDecoder#decode}; an implementation must not block.
 */
public interface AmiFrameSink {

  /**
   * A complete packet (or the banner).
   *
   * @param frame never null; owned by the receiver from now on
   */
  void frame(AmiFrame frame);

  /**
   * Bytes that were skipped because they do not form a valid packet line, or a packet that was
   * dropped because it exceeded the size limit. Decoding goes on after this call.
   *
   * @param reason a short human-readable description, never containing the skipped bytes in full
   */
  void malformed(String reason);
}
