package org.sipadapter.freeswitch.esl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.sipadapter.transport.ByteScan;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;

/**
 * An {@link EslFrameDecoder} that, on the reader thread, cuts each {@code text/event-plain} event
 * down to the header lines its consumer reads, before the frame is handed to another thread.
 *
 * <p>Why: a channel event is 2 to 5 KB of text (60 to 200 headers), of which call tracking reads a
 * dozen lines. A frame that crosses to the event thread must own its bytes (the read buffer is
 * refilled meanwhile), and that copy was most of the adapter's allocation per event; under a burst
 * the event thread runs hundreds of frames behind the reader, so reusing body buffers alone does
 * not help there. Here the body is decoded into a buffer that comes back at once, and the frame
 * handed on carries only the kept lines (a few hundred bytes), still percent-encoded, in wire
 * order: every lookup of a kept header answers as on the whole event.
 *
 * <p>Kept whole (copied as before): events named in {@code wholeEvents} (those whose consumer reads
 * every header or the body), events with a body of their own (an inner empty line), and every frame
 * that is not a plain event. A trimmed frame's headers are the server's, so its {@code
 * Content-Length} is the length of the event as sent, not of what the frame kept.
 *
 * <p>Not thread-safe: one decoder per connection, called from its reader thread.
 */
public final class TrimmingEslDecoder implements FrameDecoder<EslFrame> {
  private static final byte LF = '\n';
  private static final byte[] EVENT_NAME = "event-name".getBytes(StandardCharsets.US_ASCII);

  private static final long CASE_BITS = 0x2020202020202020L;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final int EVENT_NAME_HASH = hash(EVENT_NAME, 0, EVENT_NAME.length);

  private final EslFrameDecoder decoder;
  // Kept names, lower case, in an open-addressed table by the hash of the lower-cased name. A line
  // costs a word-at-a-time search for its LF and colon; only a name whose length a kept name has is
  // hashed and probed, and bytes are compared only on a hash match.
  private final int[] keptHashes;
  private final byte[][] keptNames;
  private final byte[][] whole; // Event-Name values whose events stay whole
  private final boolean[] keptLengths; // by name length: whether a kept name (or Event-Name) has it
  private final Prefixes prefixes; // null when a kept name is too short for it
  private final Sink sink = new Sink();
  private byte[] scratch = new byte[1024];

  /**
   * Creates a decoder.
   *
   * @param maxHeaderBytes largest frame header block accepted, at least 64
   * @param maxBodyBytes largest body accepted, at least 0
   * @param keptHeaders the event headers a trimmed event keeps (matched ignoring case), not null
   * @param wholeEvents the {@code Event-Name} values of events kept whole, not null
   */
  public TrimmingEslDecoder(
      int maxHeaderBytes, int maxBodyBytes, List<String> keptHeaders, Set<String> wholeEvents) {
    // Two reused bodies: a frame is trimmed and its buffer given back before the next one starts.
    this.decoder = new EslFrameDecoder(maxHeaderBytes, maxBodyBytes, 2);
    int size = Integer.highestOneBit(Math.max(1, keptHeaders.size()) * 4 - 1) << 1;
    keptHashes = new int[size];
    keptNames = new byte[size][];
    for (String h : keptHeaders) {
      byte[] lower = h.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
      int hash = hash(lower, 0, lower.length);
      int i = hash & (size - 1);
      while (keptNames[i] != null) {
        i = (i + 1) & (size - 1);
      }
      keptHashes[i] = hash;
      keptNames[i] = lower;
    }
    List<byte[]> names = new ArrayList<>(List.of(EVENT_NAME));
    for (byte[] name : keptNames) {
      if (name != null) {
        names.add(name);
      }
    }
    keptLengths = new boolean[names.stream().mapToInt(n -> n.length).max().orElse(0) + 1];
    for (byte[] name : names) {
      keptLengths[name.length] = true;
    }
    prefixes = Prefixes.of(names);
    whole =
        wholeEvents.stream().map(n -> n.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
  }

  @Override
  public void decode(ByteBuffer in, FrameSink<EslFrame> out) {
    sink.out = Objects.requireNonNull(out, "sink");
    try {
      decoder.decode(in, sink);
    } finally {
      sink.out = null;
    }
  }

  @Override
  public void reset() {
    decoder.reset();
  }

  private final class Sink implements FrameSink<EslFrame> {
    FrameSink<EslFrame> out;

    @Override
    public void frame(EslFrame frame) {
      EslFrame handed;
      try {
        handed = frame.isPooled() ? trimmed(frame) : frame;
      } finally {
        frame.release();
      }
      out.frame(handed);
    }

    @Override
    public void malformed(String reason) {
      out.malformed(reason);
    }
  }

  /** The frame with only the kept lines, or a whole copy when it must stay whole. */
  private EslFrame trimmed(EslFrame frame) {
    byte[] b = frame.pooledBody();
    int end = frame.bodyLength();
    if (scratch.length < end) {
      scratch = new byte[Math.max(end, scratch.length * 2)];
    }
    int n = 0;
    int p = 0;
    while (p < end) {
      if (b[p] == LF) {
        if (p + 1 < end) {
          return frame.ownedCopy(); // an inner empty line: the event has a body of its own
        }
        scratch[n++] = LF; // the empty line FreeSWITCH ends an event with: kept, body() reads ""
        break;
      }
      if (prefixes != null && !prefixes.mayBeKept(b, p, end)) {
        // Its first bytes begin no kept name: only the line's end is looked for.
        int lf = ByteScan.indexOf(b, p, end, LF);
        p = lf < 0 ? end : lf + 1;
        continue;
      }
      // One pass over the line: to its colon or LF, then from the colon to the LF.
      int stop = ByteScan.indexOfEither(b, p, end, (byte) ':', LF);
      int colon = stop >= 0 && b[stop] == ':' ? stop : -1;
      int lf = colon < 0 ? stop : ByteScan.indexOf(b, colon + 1, end, LF);
      int e = lf < 0 ? end : lf;
      int lineEnd = lf < 0 ? end : lf + 1; // with its LF
      int nameLength = colon - p;
      // Most names have a length no kept name has: those lines are passed over unhashed.
      if (nameLength > 0 && nameLength < keptLengths.length && keptLengths[nameLength]) {
        int hash = hash(b, p, colon);
        if (hash == EVENT_NAME_HASH
            && nameLength == EVENT_NAME.length
            && sameLower(b, p, EVENT_NAME)
            && isWhole(b, colon + 1, e)) {
          return frame.ownedCopy();
        }
        if (kept(b, p, nameLength, hash)) {
          System.arraycopy(b, p, scratch, n, lineEnd - p);
          n += lineEnd - p;
        }
      }
      p = lineEnd;
    }
    return frame.withBody(Arrays.copyOf(scratch, n));
  }

  private boolean kept(byte[] b, int at, int length, int hash) {
    int mask = keptNames.length - 1;
    for (int i = hash & mask; keptNames[i] != null; i = (i + 1) & mask) {
      byte[] name = keptNames[i];
      if (keptHashes[i] == hash && name.length == length && sameLower(b, at, name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The hash of a name ignoring ASCII case, in constant time for names of eight bytes and more: of
   * its length and its first and last eight bytes, each byte with bit 0x20 set (which lower-cases
   * letters; the full comparison on a hash match settles the rest).
   */
  private static int hash(byte[] b, int from, int to) {
    int length = to - from;
    long h;
    if (length >= Long.BYTES) {
      h =
          (ByteScan.longAt(b, from) | CASE_BITS) * GOLDEN
              + (ByteScan.longAt(b, to - Long.BYTES) | CASE_BITS);
    } else {
      h = 0;
      for (int i = from; i < to; i++) {
        h = (h << 8) | (b[i] | 0x20) & 0xff;
      }
    }
    h = (h + length) * GOLDEN;
    h ^= h >>> 29; // the table index takes low bits: fold the high ones in
    h *= GOLDEN;
    return (int) (h ^ (h >>> 32));
  }

  private boolean isWhole(byte[] b, int from, int to) {
    if (from < to && b[from] == ' ') {
      from++;
    }
    if (to > from && b[to - 1] == '\r') {
      to--;
    }
    for (byte[] name : whole) {
      if (name.length == to - from && Arrays.equals(b, from, to, name, 0, name.length)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameLower(byte[] b, int at, byte[] lower) {
    for (int k = 0; k < lower.length; k++) {
      int c = b[at + k];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The first sixteen bytes of the kept names, to pass over most lines by one or two eight-byte
   * reads without looking for their colon. A line may hold a kept name only if its first eight
   * bytes begin one; and, when every kept name beginning so is sixteen bytes or longer (the many
   * {@code variable_*} names), only if its next eight bytes match one of those too. Bytes are read
   * with bit 0x20 set in each, which lower-cases letters, and looked up in bit sets by a hash: a
   * collision lets a line through to the full match, so it costs time, never a wrong line.
   */
  private static final class Prefixes {
    private static final int BITS = 4096;
    private final long[] firsts = new long[BITS / 64]; // hash of a kept name's first eight bytes
    private final long[] shortNames = new long[BITS / 64]; // of those with a name under 16 bytes
    private final long[] pairs = new long[BITS / 64]; // hash of a kept name's first sixteen bytes

    /** The prefixes of these lower-case names, or null when one is shorter than eight bytes. */
    static Prefixes of(List<byte[]> names) {
      if (names.stream().anyMatch(n -> n.length < Long.BYTES)) {
        return null;
      }
      Prefixes t = new Prefixes();
      for (byte[] name : names) {
        long first = ByteScan.longAt(name, 0) | CASE_BITS;
        set(t.firsts, slot(first));
        if (name.length < 2 * Long.BYTES) {
          set(t.shortNames, slot(first));
        } else {
          set(t.pairs, slot(first * GOLDEN + (ByteScan.longAt(name, Long.BYTES) | CASE_BITS)));
        }
      }
      return t;
    }

    /** Whether the line at {@code p} may begin with a kept name (true near the body's end). */
    boolean mayBeKept(byte[] b, int p, int end) {
      if (p + Long.BYTES > end) {
        return true;
      }
      long first = ByteScan.longAt(b, p) | CASE_BITS;
      int slot = slot(first);
      if (!isSet(firsts, slot)) {
        return false;
      }
      if (isSet(shortNames, slot) || p + 2 * Long.BYTES > end) {
        return true;
      }
      long second = ByteScan.longAt(b, p + Long.BYTES) | CASE_BITS;
      return isSet(pairs, slot(first * GOLDEN + second));
    }

    private static int slot(long word) {
      long h = word * GOLDEN;
      return (int) (h ^ (h >>> 29) ^ (h >>> 43)) & (BITS - 1);
    }

    private static void set(long[] bits, int slot) {
      bits[slot >>> 6] |= 1L << slot;
    }

    private static boolean isSet(long[] bits, int slot) {
      return (bits[slot >>> 6] & (1L << slot)) != 0;
    }
  }
}
