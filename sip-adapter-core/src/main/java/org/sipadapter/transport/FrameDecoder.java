package org.sipadapter.transport;

import java.nio.ByteBuffer;

/**
 * Turns a byte stream into frames. Implementations keep the bytes of an incomplete frame between
 * calls, so a frame split across any number of reads comes out whole.
 *
 * <p>A decoder must survive anything the server sends: bytes that do not form a frame, and frames
 * larger than its limit, are reported to {@link FrameSink#malformed} and skipped up to the next
 * frame boundary; decoding goes on. Not thread-safe: one reader thread owns a decoder.
 *
 * @param <F> the frame type
 */
public interface FrameDecoder<F> {

  /**
   * Decodes all remaining bytes of {@code in}, emitting each complete frame to the sink.
   *
   * @param in bytes just read; the decoder consumes all of them (position ends at limit)
   * @param sink receives frames and malformed-input reports, on the calling thread
   */
  void decode(ByteBuffer in, FrameSink<F> sink);

  /** Drops any partial frame, for a new connection. */
  default void reset() {}
}
