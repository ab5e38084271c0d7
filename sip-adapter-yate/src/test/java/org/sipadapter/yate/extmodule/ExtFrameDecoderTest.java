package org.sipadapter.yate.extmodule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.yate.YateTranscript;

class ExtFrameDecoderTest {

  static List<Fixture> fixtures() {
    return Fixtures.transcripts("yate-extmodule");
  }

  private static RecordingSink decode(byte[] bytes, int... cuts) {
    ExtFrameDecoder decoder = new ExtFrameDecoder();
    RecordingSink sink = new RecordingSink();
    int from = 0;
    for (int cut : cuts) {
      decoder.decode(ByteBuffer.wrap(bytes, from, cut - from), sink);
      from = cut;
    }
    decoder.decode(ByteBuffer.wrap(bytes, from, bytes.length - from), sink);
    return sink;
  }

  private static RecordingSink decode(String text) {
    return decode(text.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyServerLineOfEveryFixtureDecodesToTheFrameItsPrefixNames(Fixture file) {
    YateTranscript t = YateTranscript.read(file);
    List<YateTranscript.Record> lines = t.server();

    RecordingSink sink = decode(t.serverBytes());

    assertThat(sink.malformed).isEmpty();
    assertThat(sink.frames).hasSize(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).line();
      ExtFrame f = sink.frames.get(i);
      if (line.startsWith("%%>message:")) {
        assertThat(f).isInstanceOf(ExtFrame.EngineMessage.class);
      } else if (line.startsWith("%%<message:")) {
        assertThat(f).isInstanceOf(ExtFrame.MessageResult.class);
      } else if (line.startsWith("Error in: ")) {
        assertThat(f).isEqualTo(new ExtFrame.ErrorIn(line.substring(10)));
      } else {
        assertThat(f).as(line).isInstanceOf(ExtFrame.CommandReply.class);
      }
      assertThat(reencode(f)).as("re-encoded line %d", i).isEqualTo(line);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void randomSplitsGiveTheSameFrames(Fixture file) {
    byte[] bytes = YateTranscript.read(file).serverBytes();
    List<ExtFrame> whole = decode(bytes).frames;
    Random r = new Random(file.name().hashCode());
    for (int round = 0; round < 50; round++) {
      int n = r.nextInt(Math.min(40, bytes.length + 1) + 1);
      int[] cuts = r.ints(n, 0, bytes.length + 1).sorted().toArray();
      assertThat(decode(bytes, cuts).frames).isEqualTo(whole);
    }
    int[] everyByte = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      everyByte[i] = i;
    }
    assertThat(decode(bytes, everyByte).frames).isEqualTo(whole);
  }

  @Test
  void garbageBetweenLinesIsReportedAndDecodingGoesOn() {
    byte[] fixture =
        YateTranscript.read(Fixtures.get("yate-extmodule", "04-install-uninstall-watch.txt"))
            .serverBytes();
    List<ExtFrame> clean = decode(fixture).frames;
    Random r = new Random(7);
    for (int round = 0; round < 30; round++) {
      byte[] garbage = new byte[r.nextInt(300)];
      r.nextBytes(garbage);
      for (int i = 0; i < garbage.length; i++) {
        if (garbage[i] == '\n') {
          garbage[i] = 'x';
        }
      }
      byte[] junkLine = "%%<message:bad%1:true::\n".getBytes(StandardCharsets.US_ASCII);
      ByteBuffer all = ByteBuffer.allocate(garbage.length + 1 + junkLine.length + fixture.length);
      all.put(garbage).put((byte) '\n').put(junkLine).put(fixture);

      RecordingSink sink = decode(all.array());

      assertThat(sink.malformed).hasSize(1);
      assertThat(sink.frames.subList(sink.frames.size() - clean.size(), sink.frames.size()))
          .isEqualTo(clean);
    }
  }

  @Test
  void engineMessageKeepsParameterOrderRepeatsAndEscapes() {
    RecordingSink sink =
        decode(
            "%%>message:0x7f.1:1795671609:call.route::id=sip/3:address=127.0.0.1%z5081"
                + ":caller=sipp:address=127.0.0.1%z5081:sip_to=4000 <sip%z4000@h>:device=:bare\n");

    ExtFrame.EngineMessage m = (ExtFrame.EngineMessage) sink.frames.get(0);
    assertThat(m.id()).isEqualTo("0x7f.1");
    assertThat(m.time()).isEqualTo("1795671609");
    assertThat(m.name()).isEqualTo("call.route");
    assertThat(m.retval()).isEmpty();
    assertThat(m.params().names())
        .containsExactly("id", "address", "caller", "address", "sip_to", "device", "bare");
    assertThat(m.params().get("address")).isEqualTo("127.0.0.1:5081");
    assertThat(m.params().get("sip_to")).isEqualTo("4000 <sip:4000@h>");
    assertThat(m.params().get("device")).isEmpty();
  }

  @Test
  void watchNotificationHasAnEmptyIdAndValuesMayHoldEquals() {
    RecordingSink sink =
        decode("%%<message::false:chan.hangup::id=sip/3:rtp_stats=PS=0,OS=0:cause_sip=200\n");

    ExtFrame.MessageResult r = (ExtFrame.MessageResult) sink.frames.get(0);
    assertThat(r.isNotification()).isTrue();
    assertThat(r.processed()).isFalse();
    assertThat(r.params().get("rtp_stats")).isEqualTo("PS=0,OS=0");
  }

  @Test
  void commandRepliesNameTheirSubject() {
    RecordingSink sink =
        decode(
            "%%<install:50:call.route:true\n%%<watch:chan.hangup:false\n"
                + "%%<setlocal:engine.version:6.4.1:true\n%%<quit\n%%<uninstall:0:x:false\n");

    assertThat(sink.frames)
        .containsExactly(
            new ExtFrame.CommandReply(
                ExtFrame.Keyword.INSTALL, List.of("50", "call.route", "true")),
            new ExtFrame.CommandReply(ExtFrame.Keyword.WATCH, List.of("chan.hangup", "false")),
            new ExtFrame.CommandReply(
                ExtFrame.Keyword.SETLOCAL, List.of("engine.version", "6.4.1", "true")),
            new ExtFrame.CommandReply(ExtFrame.Keyword.QUIT, List.of()),
            new ExtFrame.CommandReply(ExtFrame.Keyword.UNINSTALL, List.of("0", "x", "false")));
    ExtFrame.CommandReply install = (ExtFrame.CommandReply) sink.frames.get(0);
    assertThat(install.subject()).isEqualTo("call.route");
    assertThat(install.success()).isTrue();
    assertThat(((ExtFrame.CommandReply) sink.frames.get(2)).value()).isEqualTo("6.4.1");
  }

  @Test
  void aLineOverTheLimitIsSkippedUpToItsEnd() {
    ExtFrameDecoder decoder = new ExtFrameDecoder(1024);
    RecordingSink sink = new RecordingSink();
    String huge = "%%<message::false:x::data=" + "y".repeat(5000) + "\n";
    decoder.decode(ByteBuffer.wrap((huge + "%%<quit\n").getBytes(StandardCharsets.US_ASCII)), sink);

    assertThat(sink.malformed).hasSize(1);
    assertThat(sink.frames)
        .containsExactly(new ExtFrame.CommandReply(ExtFrame.Keyword.QUIT, List.of()));
  }

  @Test
  void aLineOfExactlyTheLimitIsKeptAndOneByteMoreIsNotWhateverTheReads() {
    String prefix = "%%<message::false:x::data=";
    String atLimit = prefix + "y".repeat(1024 - prefix.length()) + "\n";
    String overLimit = prefix + "y".repeat(1025 - prefix.length()) + "\n";
    byte[] stream = (atLimit + overLimit + "%%<quit\n").getBytes(StandardCharsets.US_ASCII);
    for (int cut : new int[] {stream.length, 1, 7, 500, 1024, 1025, 1026}) {
      ExtFrameDecoder decoder = new ExtFrameDecoder(1024);
      RecordingSink sink = new RecordingSink();
      for (int p = 0; p < stream.length; p += cut) {
        decoder.decode(ByteBuffer.wrap(stream, p, Math.min(cut, stream.length - p)).slice(), sink);
      }

      assertThat(sink.malformed).as("reads of %d bytes", cut).hasSize(1);
      assertThat(sink.frames).as("reads of %d bytes", cut).hasSize(2);
      assertThat(((ExtFrame.MessageResult) sink.frames.get(0)).params().get("data"))
          .hasSize(1024 - prefix.length());
      assertThat(sink.frames.get(1))
          .isEqualTo(new ExtFrame.CommandReply(ExtFrame.Keyword.QUIT, List.of()));
    }
  }

  @Test
  void unknownLinesArePassedOnNotDropped() {
    assertThat(decode("%%>future:thing\n%%<newreply:1\n").frames)
        .containsExactly(
            new ExtFrame.Unrecognized("%%>future:thing"),
            new ExtFrame.Unrecognized("%%<newreply:1"));
  }

  /** Writes a decoded frame back in wire form, to show nothing was lost. */
  private static String reencode(ExtFrame f) {
    StringBuilder sb = new StringBuilder();
    if (f instanceof ExtFrame.EngineMessage m) {
      sb.append("%%>message:").append(m.id()).append(':').append(m.time()).append(':');
      sb.append(m.name()).append(':').append(ExtEscaping.escape(m.retval()));
      params(sb, m.params());
    } else if (f instanceof ExtFrame.MessageResult r) {
      sb.append("%%<message:").append(r.id()).append(':').append(r.processed()).append(':');
      sb.append(r.name()).append(':').append(ExtEscaping.escape(r.retval()));
      params(sb, r.params());
    } else if (f instanceof ExtFrame.CommandReply c) {
      sb.append("%%<").append(c.keyword().wire());
      List<String> escaped = new ArrayList<>();
      c.fields().forEach(x -> escaped.add(ExtEscaping.escape(x)));
      if (!escaped.isEmpty()) {
        sb.append(':').append(String.join(":", escaped));
      }
    } else if (f instanceof ExtFrame.ErrorIn e) {
      sb.append("Error in: ").append(e.line());
    }
    return sb.toString();
  }

  private static void params(StringBuilder sb, Params p) {
    for (int i = 0; i < p.size(); i++) {
      sb.append(':').append(ExtEscaping.escape(p.name(i)));
      sb.append('=').append(ExtEscaping.escape(p.value(i)));
    }
  }

  @Test
  void fieldsEqualsAndEscapesAreFoundAtEveryPositionAsAByteLoopWouldFindThem() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    String alphabet = "ab=%:\n";
    for (int round = 0; round < 3_000; round++) {
      List<String> parts = new ArrayList<>();
      StringBuilder line =
          new StringBuilder("%%>message:")
              .append(ExtEscaping.escape(word(random, alphabet))) // id, any bytes
              .append(":1:call.x::");
      int n = random.nextInt(0, 6);
      for (int i = 0; i < n; i++) {
        String name = word(random, "ab%:\n").isEmpty() ? "k" : word(random, "ab%:\n") + "k";
        String value = word(random, alphabet);
        parts.add(name);
        parts.add(value);
        line.append(i == 0 ? "" : ":")
            .append(ExtEscaping.escape(name))
            .append('=')
            .append(ExtEscaping.escape(value));
      }
      RecordingSink sink = new RecordingSink();
      new ExtFrameDecoder()
          .decode(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)), sink);

      assertThat(sink.malformed).as(line.toString()).isEmpty();
      ExtFrame.EngineMessage m = (ExtFrame.EngineMessage) sink.frames.get(0);
      assertThat(m.params())
          .as(line.toString())
          .isEqualTo(n == 0 ? Params.EMPTY : Params.of(parts.toArray(String[]::new)));
    }
  }

  private static String word(java.util.SplittableRandom random, String alphabet) {
    StringBuilder w = new StringBuilder();
    for (int i = random.nextInt(0, 20); i > 0; i--) {
      w.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return w.toString();
  }
}
