package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteScanTest {

  private static int naive(byte[] b, int from, int to, byte v) {
    for (int i = from; i < to; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void findsTheFirstMatchAtEveryOffsetAndAlignment() {
    for (int length = 0; length <= 40; length++) {
      for (int at = 0; at < length; at++) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) 'a');
        b[at] = '\n';
        if (at + 3 < length) {
          b[at + 3] = '\n'; // a later match must not win
        }
        for (int from = 0; from <= length; from++) {
          for (int to = from; to <= length; to++) {
            assertThat(ByteScan.indexOf(b, from, to, (byte) '\n'))
                .as("length %d, match at %d, range [%d, %d)", length, at, from, to)
                .isEqualTo(naive(b, from, to, (byte) '\n'));
          }
        }
      }
    }
  }

  @Test
  void bytesNextToTheValueAndHighBytesAreNotMatches() {
    // 0x0b and 0x09 differ from LF in one bit; 0x8a has LF's low bits; 0x00 and 0xff are the
    // borrow cases of the word trick.
    byte[] b = {0x0b, 0x09, (byte) 0x8a, 0x00, (byte) 0xff, 0x0b, 0x09, (byte) 0x8a, 0x00, 0x0a};
    assertThat(ByteScan.indexOf(b, 0, b.length, (byte) '\n')).isEqualTo(9);
    assertThat(ByteScan.indexOf(b, 0, 9, (byte) '\n')).isEqualTo(-1);
    assertThat(ByteScan.indexOf(b, 0, b.length, (byte) 0xff)).isEqualTo(4);
    assertThat(ByteScan.indexOf(b, 0, b.length, (byte) 0x00)).isEqualTo(3);
  }

  /** Bytes from a small alphabet {@code 0 .. alphabet - 1}: many matches and near misses. */
  private static byte[] randomBytes(SplittableRandom random, int alphabet) {
    byte[] b = new byte[random.nextInt(1, 64)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) random.nextInt(0, alphabet);
    }
    return b;
  }

  @Test
  void agreesWithAByteLoopOnRandomBytes() {
    SplittableRandom random = new SplittableRandom(42);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = randomBytes(random, 4);
      int from = random.nextInt(0, b.length + 1);
      int to = random.nextInt(from, b.length + 1);
      byte v = (byte) random.nextInt(0, 4);
      assertThat(ByteScan.indexOf(b, from, to, v)).isEqualTo(naive(b, from, to, v));
    }
  }

  @Test
  void aRangeOutsideTheArrayIsRefused() {
    byte[] b = new byte[8];
    assertThatThrownBy(() -> ByteScan.indexOf(b, 2, 9, (byte) 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> ByteScan.indexOf(b, 5, 4, (byte) 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void longAtReadsEightBytesLowestFirst() {
    byte[] b = {0, 1, 2, 3, 4, 5, 6, 7, 8, (byte) 0xff};
    assertThat(ByteScan.longAt(b, 1)).isEqualTo(0x0807060504030201L);
    assertThat(ByteScan.longAt(b, 2)).isEqualTo(0xff08070605040302L);
    assertThatThrownBy(() -> ByteScan.longAt(b, 3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void indexOfEitherAgreesWithAByteLoopOnRandomBytes() {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = randomBytes(random, 6);
      int from = random.nextInt(0, b.length + 1);
      int to = random.nextInt(from, b.length + 1);
      byte x = (byte) random.nextInt(0, 6);
      byte y = (byte) random.nextInt(0, 6);
      int first = naive(b, from, to, x);
      int second = naive(b, from, to, y);
      int expected = first < 0 ? second : second < 0 ? first : Math.min(first, second);
      assertThat(ByteScan.indexOfEither(b, from, to, x, y)).isEqualTo(expected);
    }
  }

  @Test
  void theFirstMarkOfSignedBytesBelowABoundIsTheFirstSuchByte() {
    SplittableRandom random = new SplittableRandom(3);
    byte[] interesting = {0x00, 0x1f, 0x20, 0x21, 0x22, 0x7f, (byte) 0x80, (byte) 0xff, 'A', ':'};
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[8];
      for (int i = 0; i < 8; i++) {
        b[i] = interesting[random.nextInt(interesting.length)];
      }
      int expected = 8;
      for (int i = 7; i >= 0; i--) {
        expected = b[i] < 0x21 ? i : expected;
      }
      long marks = ByteScan.signedBytesBelow(ByteScan.longAt(b, 0), (byte) 0x21);
      int first = marks == 0 ? 8 : Long.numberOfTrailingZeros(marks) >>> 3;
      assertThat(first).as(java.util.Arrays.toString(b)).isEqualTo(expected);
    }
  }
}
