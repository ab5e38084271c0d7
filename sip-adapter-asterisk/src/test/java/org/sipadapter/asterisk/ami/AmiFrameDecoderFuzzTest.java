package org.sipadapter.asterisk.ami;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided checks of the AMI decoder's contract on any byte stream: it never throws, holds
 * at most one packet (plus the chunk being read), never emits a packet longer than its limit, does
 * not depend on how the stream is split, and finds its feet again after garbage.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class AmiFrameDecoderFuzzTest {

  private static final byte[] VALID =
      "Event: FuzzResync\r\nActionID: resync-1\r\nChannel: PJSIP/1000-00000001\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII);
  private static final AmiFrame VALID_FRAME =
      AmiFrame.of("Event", "FuzzResync", "ActionID", "resync-1", "Channel", "PJSIP/1000-00000001");

  @FuzzTest
  void decodeAnyBytes(FuzzedDataProvider data) {
    int limit = data.consumeInt(64, 1024);
    int chunk = data.consumeInt(1, 96);
    boolean direct = data.consumeBoolean();
    byte[] stream = data.consumeRemainingAsBytes();

    AmiFrameDecoder decoder = new AmiFrameDecoder(limit);
    RecordingSink chunked = new RecordingSink();
    for (int off = 0; off < stream.length; off += chunk) {
      int n = Math.min(chunk, stream.length - off);
      ByteBuffer in = buffer(stream, off, n, direct);
      decoder.decode(in, chunked);
      assertThat(in.hasRemaining()).as("decoder consumes the whole buffer").isFalse();
      assertThat(decoder.bufferedBytes())
          .as("bytes held after a chunk of %d with a limit of %d", n, limit)
          .isLessThanOrEqualTo(limit + n);
    }
    for (AmiFrame frame : chunked.frames) {
      assertThat(textLength(frame)).as("packet text within the limit").isLessThanOrEqualTo(limit);
      exercise(frame);
    }

    RecordingSink whole = new RecordingSink();
    new AmiFrameDecoder(limit).decode(ByteBuffer.wrap(stream), whole);
    assertThat(chunked.frames)
        .as("same packets however the stream is split")
        .isEqualTo(whole.frames);
  }

  @FuzzTest
  void resyncAfterGarbage(FuzzedDataProvider data) {
    int limit = data.consumeInt(VALID.length, 512);
    byte[] garbage = data.consumeRemainingAsBytes();

    AmiFrameDecoder decoder = new AmiFrameDecoder(limit);
    RecordingSink sink = new RecordingSink();
    decoder.decode(ByteBuffer.wrap(garbage), sink);
    int before = sink.frames.size();
    // An empty line closes whatever the garbage left open; a Follows block or a packet past the
    // limit is dropped at the limit, so a limit's worth of valid packets is enough.
    decoder.decode(ByteBuffer.wrap("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), sink);
    int copies = 2 * limit / VALID.length + 3;
    for (int i = 0; i < copies; i++) {
      decoder.decode(ByteBuffer.wrap(VALID), sink);
    }
    assertThat(sink.frames.subList(before, sink.frames.size()))
        .as("a valid packet comes out after %d bytes of garbage", garbage.length)
        .contains(VALID_FRAME);
  }

  private static ByteBuffer buffer(byte[] stream, int off, int n, boolean direct) {
    if (direct) {
      ByteBuffer b = ByteBuffer.allocateDirect(n);
      b.put(stream, off, n).flip();
      return b;
    }
    // A slice has a non-zero array offset, as a reader's shared buffer may.
    return ByteBuffer.wrap(stream).position(off).limit(off + n).slice();
  }

  /** Key and value characters: at most one per wire byte, whatever the bytes were. */
  private static int textLength(AmiFrame frame) {
    if (frame.type() == AmiFrameType.BANNER) {
      return frame.bannerText().orElse("").length();
    }
    int n = 0;
    for (int i = 0; i < frame.size(); i++) {
      n += frame.key(i).length() + frame.value(i).length();
    }
    return n;
  }

  /** What consumers do with a packet must not throw either. */
  private static void exercise(AmiFrame frame) {
    frame.name();
    frame.asMap().size();
    frame.headers();
    frame.toWireBytes();
    frame.intValue("ActionID", -1);
    frame.values("Output");
    for (int i = 0; i < frame.size(); i++) {
      frame.omitted(i);
    }
    frame.amiVersion();
    frame.toString();
  }
}
