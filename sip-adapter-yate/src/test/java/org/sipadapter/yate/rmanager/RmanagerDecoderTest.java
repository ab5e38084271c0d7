package org.sipadapter.yate.rmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.yate.YateTranscript;
import org.sipadapter.transport.FrameSink;

class RmanagerDecoderTest {

  static List<Fixture> fixtures() {
    return Fixtures.transcripts("yate-rmanager");
  }

  private static List<RmanagerReply> decode(byte[] bytes, int[] cuts, List<String> malformed) {
    RmanagerDecoder d = new RmanagerDecoder();
    List<RmanagerReply> out = new ArrayList<>();
    FrameSink<RmanagerReply> sink =
        new FrameSink<>() {
          @Override
          public void frame(RmanagerReply frame) {
            out.add(frame);
          }

          @Override
          public void malformed(String reason) {
            malformed.add(reason);
          }
        };
    int from = 0;
    for (int cut : cuts) {
      d.decode(ByteBuffer.wrap(bytes, from, cut - from), sink);
      from = cut;
    }
    d.decode(ByteBuffer.wrap(bytes, from, bytes.length - from), sink);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void bannerIsCleanStatusBlocksAreOneReplyAndSplitsChangeNothing(Fixture file) {
    YateTranscript t = YateTranscript.read(file);
    byte[] bytes = t.serverBytes();
    List<String> malformed = new ArrayList<>();

    List<RmanagerReply> replies = decode(bytes, new int[0], malformed);

    assertThat(malformed).isEmpty();
    assertThat(replies.get(0).first())
        .isEqualTo("YATE 6.4.1-devel1 r (http://YATE.null.ro) ready on vm.");
    long blocks = t.server().stream().filter(r -> r.line().startsWith("%%+status")).count();
    assertThat(replies.stream().filter(RmanagerReply::isStatus).count()).isEqualTo(blocks);
    for (RmanagerReply r : replies) {
      assertThat(String.join("", r.lines())).doesNotContain("\u00ff", "\r", "\b");
      assertThat(r.first()).doesNotStartWith("%%<message:");
    }
    Random random = new Random(file.name().hashCode());
    for (int round = 0; round < 30; round++) {
      int[] cuts = random.ints(random.nextInt(30), 0, bytes.length + 1).sorted().toArray();
      assertThat(decode(bytes, cuts, malformed)).isEqualTo(replies);
    }
  }
}
