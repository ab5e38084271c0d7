package org.sipadapter.kamailio.evapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.transport.FrameSink;

/**
 * Coverage-guided checks of the evapi netstring decoder on any byte stream: it never throws, holds
 * at most one payload within its limit, does not depend on how the stream is split, and netstrings
 * come out again after garbage. Each payload then goes through {@link DialogEvent#parse}, whose
 * only failure is the documented {@link IllegalArgumentException}.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class NetstringDecoderFuzzTest {

  private static final String PAYLOAD = "{\"event\":\"dialog:end\",\"callid\":\"call-x\"}";
  private static final byte[] VALID =
      (PAYLOAD.length() + ":" + PAYLOAD + ",").getBytes(StandardCharsets.US_ASCII);

  /** Keeps everything the decoder reports. */
  private static final class Recorder implements FrameSink<byte[]> {
    final List<String> payloads = new ArrayList<>();

    @Override
    public void frame(byte[] payload) {
      payloads.add(new String(payload, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void malformed(String reason) {
      assertThat(reason).isNotBlank();
    }
  }

  @FuzzTest
  void decodeAnyBytes(FuzzedDataProvider data) {
    int limit = data.consumeInt(1, 1024);
    int chunk = data.consumeInt(1, 96);
    byte[] stream = data.consumeRemainingAsBytes();

    NetstringDecoder decoder = new NetstringDecoder(limit);
    Recorder chunked = new Recorder();
    for (int off = 0; off < stream.length; off += chunk) {
      int n = Math.min(chunk, stream.length - off);
      ByteBuffer in = ByteBuffer.wrap(stream).position(off).limit(off + n).slice();
      decoder.decode(in, chunked);
      assertThat(in.hasRemaining()).as("decoder consumes the whole buffer").isFalse();
      assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(limit);
    }
    for (String payload : chunked.payloads) {
      assertThat(payload.length()).isLessThanOrEqualTo(limit);
      parse(payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    Recorder whole = new Recorder();
    new NetstringDecoder(limit).decode(ByteBuffer.wrap(stream), whole);
    assertThat(chunked.payloads)
        .as("same payloads however the stream is split")
        .isEqualTo(whole.payloads);
  }

  @FuzzTest
  void resyncAfterGarbage(FuzzedDataProvider data) {
    int limit = data.consumeInt(PAYLOAD.length(), 512);
    byte[] garbage = data.consumeRemainingAsBytes();

    NetstringDecoder decoder = new NetstringDecoder(limit);
    Recorder sink = new Recorder();
    decoder.decode(ByteBuffer.wrap(garbage), sink);
    int before = sink.payloads.size();
    // A length the garbage began takes at most the limit; then the decoder skips to a digit.
    int copies = limit / VALID.length + 3;
    for (int i = 0; i < copies; i++) {
      decoder.decode(ByteBuffer.wrap(VALID), sink);
    }
    assertThat(sink.payloads.subList(before, sink.payloads.size()))
        .as("a netstring comes out after %d bytes of garbage", garbage.length)
        .contains(PAYLOAD);
  }

  @FuzzTest
  void dialogEventFromAnyPayload(byte[] payload) {
    parse(payload);
  }

  private static void parse(byte[] payload) {
    try {
      DialogEvent.parse(payload).ifPresent(e -> assertThat(e.kind()).isNotNull());
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
