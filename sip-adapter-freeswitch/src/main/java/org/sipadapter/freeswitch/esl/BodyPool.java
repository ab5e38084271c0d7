package org.sipadapter.freeswitch.esl;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * The buffers of one decoder's {@code text/event-plain} bodies, handed back by {@link
 * EslFrame#release()} once an event was handled and filled again by a later frame.
 *
 * <p>Why: an event is 2 to 5 KB of text of which call tracking reads a few dozen bytes; copying
 * each body into a fresh array was most of the adapter's allocation per event. A body is still
 * copied once out of the read buffer (the frame crosses to the event thread, and the read buffer is
 * refilled meanwhile), but into a buffer that has done this before.
 *
 * <p>Bounded: at most {@code capacity} buffers exist (each of a power-of-two size from 4 KiB, for
 * bodies up to {@link #MAX_POOLED_BODY}); when every one is in use, because the event thread is
 * behind the reader or a frame was never released, a body gets an array of its exact size as
 * before, which is simply collected. The pool goes with its decoder, so a frame lost unreleased
 * costs one buffer until the next reconnect.
 *
 * <p>{@link #take} runs on the decoder's thread; {@link #give} may run on any thread.
 */
final class BodyPool {
  /** Largest body served from the pool; larger ones get their own array. */
  static final int MAX_POOLED_BODY = 32 * 1024;

  private static final int MIN_BUFFER = 4096;

  /** A reusable body array, with the header index last used over it. */
  static final class Buffer {
    byte[] bytes;
    int[] lineIndex;

    private Buffer(byte[] bytes) {
      this.bytes = bytes;
    }
  }

  private final ArrayBlockingQueue<Buffer> free;
  private final int capacity;
  private int created; // decoder thread only

  /**
   * @param capacity most buffers ever made, at least 1
   */
  BodyPool(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
    this.free = new ArrayBlockingQueue<>(capacity);
  }

  /**
   * Returns a buffer of at least {@code length} bytes, or null when the body is too large or every
   * buffer is in use (the caller then allocates the body's own array).
   */
  Buffer take(int length) {
    if (length > MAX_POOLED_BODY) {
      return null;
    }
    Buffer b = free.poll();
    if (b == null) {
      if (created == capacity) {
        return null;
      }
      created++;
      return new Buffer(new byte[sizeFor(length)]);
    }
    if (b.bytes.length < length) {
      b.bytes = new byte[sizeFor(length)];
    }
    return b;
  }

  /** Hands a buffer back; its previous frame must not be read any more. */
  void give(Buffer b) {
    free.offer(b); // never full: no more than capacity buffers exist
  }

  private static int sizeFor(int length) {
    return Math.max(MIN_BUFFER, Integer.highestOneBit(length - 1) << 1);
  }
}
