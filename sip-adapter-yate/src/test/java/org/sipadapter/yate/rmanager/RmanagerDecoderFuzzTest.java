package org.sipadapter.yate.rmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.transport.FrameSink;

/**
 * Coverage-guided checks of the remote console decoder on any byte stream: it never throws, holds
 * at most a line and a status block within its limit, does not depend on how the stream is split,
 * and answers come out again after garbage (an unfinished telnet sequence, an unclosed status
 * block, an endless line).
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class RmanagerDecoderFuzzTest {

  private static final byte[] VALID =
      "Authenticated successfully as admin!\r\n".getBytes(StandardCharsets.US_ASCII);

  /** Keeps everything the decoder reports. */
  private static final class Recorder implements FrameSink<RmanagerReply> {
    final List<RmanagerReply> replies = new ArrayList<>();
    final List<String> malformed = new ArrayList<>();

    @Override
    public void frame(RmanagerReply reply) {
      replies.add(reply);
    }

    @Override
    public void malformed(String reason) {
      malformed.add(reason);
    }
  }

  @FuzzTest
  void decodeAnyBytes(FuzzedDataProvider data) {
    int limit = data.consumeInt(16, 1024);
    int chunk = data.consumeInt(1, 96);
    byte[] stream = data.consumeRemainingAsBytes();

    RmanagerDecoder decoder = new RmanagerDecoder(limit);
    Recorder chunked = new Recorder();
    for (int off = 0; off < stream.length; off += chunk) {
      int n = Math.min(chunk, stream.length - off);
      ByteBuffer in = ByteBuffer.wrap(stream).position(off).limit(off + n).slice();
      decoder.decode(in, chunked);
      assertThat(in.hasRemaining()).as("decoder consumes the whole buffer").isFalse();
      assertThat(decoder.bufferedBytes())
          .as("bytes held with a line limit of %d", limit)
          .isLessThanOrEqualTo(limit);
    }
    for (RmanagerReply reply : chunked.replies) {
      assertThat(reply.lines()).isNotEmpty();
      reply.isStatus();
      for (String line : reply.lines()) {
        assertThat(line.length()).isLessThanOrEqualTo(limit);
      }
    }

    Recorder whole = new Recorder();
    new RmanagerDecoder(limit).decode(ByteBuffer.wrap(stream), whole);
    assertThat(chunked.replies)
        .as("same replies however the stream is split")
        .isEqualTo(whole.replies);
  }

  @FuzzTest
  void resyncAfterGarbage(FuzzedDataProvider data) {
    int limit = data.consumeInt(VALID.length, 512);
    byte[] garbage = data.consumeRemainingAsBytes();

    RmanagerDecoder decoder = new RmanagerDecoder(limit);
    Recorder sink = new Recorder();
    decoder.decode(ByteBuffer.wrap(garbage), sink);
    int before = sink.replies.size();
    decoder.decode(ByteBuffer.wrap("\r\n".getBytes(StandardCharsets.US_ASCII)), sink);
    int copies = 2 * limit / VALID.length + 3;
    for (int i = 0; i < copies; i++) {
      decoder.decode(ByteBuffer.wrap(VALID), sink);
    }
    assertThat(sink.replies.subList(before, sink.replies.size()))
        .as("an answer comes out after %d bytes of garbage", garbage.length)
        .contains(new RmanagerReply(List.of("Authenticated successfully as admin!")));
  }
}
