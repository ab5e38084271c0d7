package org.sipadapter.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds a byte in a byte array eight bytes at a time, for the decoders' line and separator scans.
 *
 * <p>Why: the text protocols' decoders spend most of their reader thread's time looking for the end
 * of a line in values of 20 to 200 bytes. Reading the bytes as one {@code long} per eight and
 * testing all eight at once (the "has a zero byte" bit trick on the word XOR the byte repeated)
 * takes a few instructions per word instead of a compare and a branch per byte.
 *
 * <p>Stateless and thread-safe.
 */
public final class ByteScan {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private ByteScan() {}

  /**
   * Returns the eight bytes from {@code at} as one {@code long}, the byte at {@code at} lowest
   * (little-endian), for comparing or hashing eight bytes at once.
   *
   * @param bytes the bytes, not null
   * @param at the first of the eight bytes
   * @return the bytes as a long
   * @throws IndexOutOfBoundsException if fewer than eight bytes follow {@code at}
   */
  public static long longAt(byte[] bytes, int at) {
    return (long) LONGS.get(bytes, at);
  }

  /**
   * Returns {@code value} in each of a long's eight bytes, the pattern {@link #equalBytes} compares
   * a word with.
   *
   * @param value the byte
   * @return the byte eight times
   */
  public static long repeat(byte value) {
    return (value & 0xffL) * ONES;
  }

  /**
   * Marks the bytes of {@code word} equal to the byte {@code pattern} repeats: the high bit of each
   * such byte is set. Only the lowest mark is exact (a higher one may come from a borrow), so the
   * first equal byte is {@code Long.numberOfTrailingZeros(marks) >>> 3}.
   *
   * @param word eight bytes, as {@link #longAt} reads them
   * @param pattern a byte repeated, from {@link #repeat}
   * @return the marks, 0 when no byte is equal
   */
  public static long equalBytes(long word, long pattern) {
    long x = word ^ pattern; // an equal byte is now zero
    return (x - ONES) & ~x & HIGHS;
  }

  /**
   * Marks the bytes of {@code word} below {@code bound} as signed bytes (so every byte from 0x80 up
   * as well): the high bit of each such byte is set, the lowest mark exact as in {@link
   * #equalBytes}.
   *
   * @param word eight bytes, as {@link #longAt} reads them
   * @param bound from 1 to 0x7f
   * @return the marks, 0 when no byte is below
   */
  public static long signedBytesBelow(long word, byte bound) {
    return (((word - repeat(bound)) & ~word) | word) & HIGHS;
  }

  /**
   * Returns the index of the first {@code value} in {@code bytes[from, to)}, or -1 when there is
   * none.
   *
   * @param bytes the bytes, not null
   * @param from the first index searched, at least 0
   * @param to the end of the search (exclusive), at most {@code bytes.length}
   * @param value the byte to find
   * @return its first index in the range, or -1
   * @throws IndexOutOfBoundsException if the range is not within the array
   */
  public static int indexOf(byte[] bytes, int from, int to, byte value) {
    java.util.Objects.checkFromToIndex(from, to, bytes.length);
    long pattern = repeat(value);
    int i = from;
    for (int last = to - Long.BYTES; i <= last; i += Long.BYTES) {
      long zeros = equalBytes(longAt(bytes, i), pattern);
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == value) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Returns the index of the first byte in {@code bytes[from, to)} that is {@code first} or {@code
   * second}, or -1 when there is none: one pass where a line's separator and its end are both
   * wanted.
   *
   * @param bytes the bytes, not null
   * @param from the first index searched, at least 0
   * @param to the end of the search (exclusive), at most {@code bytes.length}
   * @param first one byte to find
   * @param second the other byte to find
   * @return the first index in the range holding either byte, or -1
   * @throws IndexOutOfBoundsException if the range is not within the array
   */
  public static int indexOfEither(byte[] bytes, int from, int to, byte first, byte second) {
    java.util.Objects.checkFromToIndex(from, to, bytes.length);
    long firsts = repeat(first);
    long seconds = repeat(second);
    int i = from;
    for (int last = to - Long.BYTES; i <= last; i += Long.BYTES) {
      long word = longAt(bytes, i);
      // Each mask's lowest mark is exact, so the lowest of either is the first match.
      long zeros = equalBytes(word, firsts) | equalBytes(word, seconds);
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == first || bytes[i] == second) {
        return i;
      }
    }
    return -1;
  }
}
