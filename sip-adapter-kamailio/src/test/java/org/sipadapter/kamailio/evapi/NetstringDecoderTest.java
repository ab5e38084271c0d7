package org.sipadapter.kamailio.evapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.transport.FrameSink;

class NetstringDecoderTest {

  private final List<String> frames = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final FrameSink<byte[]> sink =
      new FrameSink<byte[]>() {
        @Override
        public void frame(byte[] payload) {
          frames.add(new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void malformed(String reason) {
          problems.add(reason);
        }
      };

  static byte[] recordedStream() {
    return Fixtures.get("kamailio-rpc", "evapi-stream.txt").bytes();
  }

  @Test
  void decodesTheRecordedEvapiStreamIntoItsFiveEvents() {
    new NetstringDecoder().decode(ByteBuffer.wrap(recordedStream()), sink);

    assertThat(problems).isEmpty();
    assertThat(frames).hasSize(5);
    assertThat(frames.get(0))
        .isEqualTo(
            "{\"event\":\"dialog:start\",\"h_entry\":3182,\"h_id\":9442,"
                + "\"callid\":\"1-32554@127.0.0.1\",\"from_uri\":\"sip:sipp@127.0.0.1:5195\","
                + "\"to_uri\":\"sip:service@127.0.0.1:5160\",\"state\":3}");
    assertThat(frames.get(3)).startsWith("{\"event\":\"dialog:end\"");
    assertThat(frames.get(4)).startsWith("{\"event\":\"dialog:failed\"").endsWith("\"state\":5}");
  }

  @Test
  void anySplitOfTheStreamGivesTheSameFrames() {
    byte[] stream = recordedStream();
    List<String> expected = new ArrayList<>();
    new NetstringDecoder()
        .decode(
            ByteBuffer.wrap(stream),
            new FrameSink<byte[]>() {
              @Override
              public void frame(byte[] p) {
                expected.add(new String(p, StandardCharsets.UTF_8));
              }

              @Override
              public void malformed(String reason) {}
            });

    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      frames.clear();
      NetstringDecoder decoder = new NetstringDecoder();
      int pos = 0;
      while (pos < stream.length) {
        int n = Math.min(stream.length - pos, 1 + random.nextInt(round % 2 == 0 ? 3 : 200));
        decoder.decode(ByteBuffer.wrap(stream, pos, n), sink);
        pos += n;
      }
      assertThat(frames).as("round %d", round).isEqualTo(expected);
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void byteByByteFeedingDecodesEveryFrame() {
    NetstringDecoder decoder = new NetstringDecoder();
    for (byte b : recordedStream()) {
      decoder.decode(ByteBuffer.wrap(new byte[] {b}), sink);
    }
    assertThat(frames).hasSize(5);
  }

  @Test
  void garbageBetweenFramesIsReportedOnceAndTheNextFrameStillArrives() {
    feed("5:hello,#!junk\r\n3:abc,");

    assertThat(frames).containsExactly("hello", "abc");
    assertThat(problems).hasSize(1);
  }

  @Test
  void missingCommaDropsThatFrameOnly() {
    feed("5:helloX3:abc,");

    assertThat(frames).containsExactly("abc");
    assertThat(problems).singleElement().asString().contains("not terminated");
  }

  @Test
  void lengthAboveTheLimitIsRefusedWithoutAllocatingIt() {
    NetstringDecoder small = new NetstringDecoder(10);
    small.decode(
        ByteBuffer.wrap("99999999999999:x,2:ok,".getBytes(StandardCharsets.US_ASCII)), sink);

    assertThat(problems).singleElement().asString().contains("above 10");
    assertThat(frames).containsExactly("ok");
  }

  @Test
  void randomGarbageNeverThrowsAndLaterFramesAreDecoded() {
    Random random = new Random(7);
    NetstringDecoder decoder = new NetstringDecoder(1024);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      decoder.decode(ByteBuffer.wrap(junk), sink);
    }
    frames.clear();
    // After arbitrary bytes the decoder may be inside a bogus frame of at most 1024 bytes; more
    // non-digits than that end it, and the next netstring is decoded.
    decoder.decode(ByteBuffer.wrap("x".repeat(1100).getBytes(StandardCharsets.US_ASCII)), sink);
    decoder.decode(ByteBuffer.wrap("2:ok,".getBytes(StandardCharsets.US_ASCII)), sink);
    assertThat(frames).endsWith("ok");
  }

  @Test
  void oneMebibytePayloadSurvives() {
    String big = "x".repeat(1024 * 1024);
    feed(big.length() + ":" + big + ",1:y,");
    assertThat(frames).containsExactly(big, "y");
  }

  @Test
  void emptyPayloadIsAFrame() {
    feed("0:,");
    assertThat(frames).containsExactly("");
  }

  @Test
  void refusesANonPositiveLimit() {
    assertThatThrownBy(() -> new NetstringDecoder(0)).isInstanceOf(IllegalArgumentException.class);
  }

  private void feed(String s) {
    new NetstringDecoder().decode(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), sink);
  }
}
