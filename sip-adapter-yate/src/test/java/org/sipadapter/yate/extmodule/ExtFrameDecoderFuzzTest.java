package org.sipadapter.yate.extmodule;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided checks of the extmodule decoder on any byte stream: it never throws (a bad escape
 * or a short message line is reported and skipped), holds at most one line within its limit, does
 * not depend on how the stream is split, and the line after garbage decodes.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class ExtFrameDecoderFuzzTest {

  private static final byte[] VALID =
      "%%>message:0x1.2:1764000000:call.route::caller=1000:called=99991001:billid=%z1\n"
          .getBytes(StandardCharsets.US_ASCII);

  @FuzzTest
  void decodeAnyBytes(FuzzedDataProvider data) {
    int limit = data.consumeInt(1024, 2048);
    int chunk = data.consumeInt(1, 96);
    byte[] stream = data.consumeRemainingAsBytes();

    ExtFrameDecoder decoder = new ExtFrameDecoder(limit);
    RecordingSink chunked = new RecordingSink();
    for (int off = 0; off < stream.length; off += chunk) {
      int n = Math.min(chunk, stream.length - off);
      ByteBuffer in = ByteBuffer.wrap(stream).position(off).limit(off + n).slice();
      decoder.decode(in, chunked);
      assertThat(in.hasRemaining()).as("decoder consumes the whole buffer").isFalse();
      assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(limit);
    }
    for (ExtFrame frame : chunked.frames) {
      read(frame);
    }

    RecordingSink whole = new RecordingSink();
    new ExtFrameDecoder(limit).decode(ByteBuffer.wrap(stream), whole);
    assertThat(chunked.frames)
        .as("same frames however the stream is split")
        .isEqualTo(whole.frames);
  }

  @FuzzTest
  void resyncAfterGarbage(byte[] garbage) {
    ExtFrameDecoder decoder = new ExtFrameDecoder(1024);
    RecordingSink sink = new RecordingSink();
    decoder.decode(ByteBuffer.wrap(garbage), sink);
    int before = sink.frames.size();
    // One line end closes what the garbage left open, however long it was.
    decoder.decode(ByteBuffer.wrap(new byte[] {'\n'}), sink);
    decoder.decode(ByteBuffer.wrap(VALID), sink);
    assertThat(sink.frames.subList(before, sink.frames.size()))
        .as("the line after %d bytes of garbage decodes", garbage.length)
        .last()
        .isInstanceOfSatisfying(
            ExtFrame.EngineMessage.class,
            m -> {
              assertThat(m.name()).isEqualTo("call.route");
              assertThat(m.params().get("billid")).isEqualTo(":1");
            });
  }

  /** What the adapter asks of a frame must not throw either. */
  private static void read(ExtFrame frame) {
    frame.toString();
    if (frame instanceof ExtFrame.EngineMessage m) {
      readParams(m.params());
    } else if (frame instanceof ExtFrame.MessageResult r) {
      r.isNotification();
      readParams(r.params());
    } else if (frame instanceof ExtFrame.CommandReply c) {
      c.success();
      c.subject();
      c.value();
    }
  }

  private static void readParams(Params params) {
    for (int i = 0; i < params.size(); i++) {
      assertThat(params.name(i)).isNotNull();
      assertThat(params.value(i)).isNotNull();
    }
    params.get("id", "");
  }
}
