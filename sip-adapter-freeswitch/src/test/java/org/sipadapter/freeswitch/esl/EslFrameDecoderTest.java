package org.sipadapter.freeswitch.esl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;
import org.sipadapter.transport.FrameSink;

class EslFrameDecoderTest {

  static List<Fixture> fixtures() {
    return Fixtures.transcripts("esl");
  }

  private static RecordingSink decodeWhole(byte[] stream) {
    RecordingSink sink = new RecordingSink();
    new EslFrameDecoder().decode(ByteBuffer.wrap(stream), sink);
    return sink;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyFixtureStreamDecodesIntoFramesThatReencodeByteForByte(Fixture file) {
    WireTranscript t = WireTranscript.read(file);
    RecordingSink sink = decodeWhole(t.serverBytes());

    assertThat(sink.malformed).isEmpty();
    assertThat(sink.frames).isNotEmpty();
    assertThat(sink.reencode()).isEqualTo(t.serverBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyFixtureFrameHasAKnownTypeAndEveryEventParses(Fixture file) {
    WireTranscript t = WireTranscript.read(file);
    for (EslFrame f : decodeWhole(t.serverBytes()).frames) {
      assertThat(f.contentType()).isNotEqualTo(EslContentType.OTHER);
      if (f.contentType() == EslContentType.EVENT_PLAIN
          || f.contentType() == EslContentType.EVENT_JSON) {
        EslEvent e = f.event();
        assertThat(e.name()).isNotEmpty();
        assertThat(e.headers()).containsKey("Event-Name");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void randomSplitsOfEveryFixtureGiveTheSameFrames(Fixture file) {
    WireTranscript t = WireTranscript.read(file);
    List<EslFrame> whole = decodeWhole(t.serverBytes()).frames;
    Random random = new Random(file.name().hashCode());
    for (int round = 0; round < 5; round++) {
      EslFrameDecoder decoder = new EslFrameDecoder();
      RecordingSink sink = new RecordingSink();
      byte[] s = t.serverBytes();
      int p = 0;
      while (p < s.length) {
        int n = Math.min(s.length - p, 1 + random.nextInt(round == 0 ? 3 : 700));
        decoder.decode(ByteBuffer.wrap(Arrays.copyOfRange(s, p, p + n)), sink);
        p += n;
      }
      assertThat(sink.frames).isEqualTo(whole);
      assertThat(decoder.hasPartialFrame()).isFalse();
    }
  }

  @Test
  void directBuffersAreDecodedLikeHeapBuffers() {
    byte[] s = WireTranscript.read(Fixtures.get("esl", "03-originate-success.txt")).serverBytes();
    ByteBuffer direct = ByteBuffer.allocateDirect(s.length);
    direct.put(s).flip();
    RecordingSink sink = new RecordingSink();
    new EslFrameDecoder().decode(direct, sink);
    assertThat(direct.hasRemaining()).isFalse();
    assertThat(sink.frames).isEqualTo(decodeWhole(s).frames);
  }

  @Test
  void authRequestCommandReplyAndApiResponseAreFramed() {
    RecordingSink sink =
        decodeWhole(
            bytes(
                "Content-Type: auth/request\n\n"
                    + "Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
                    + "Content-Type: api/response\nContent-Length: 4\n\n+OK\n"
                    + "Content-Type: command/reply\nReply-Text: +OK Job-UUID: j1\nJob-UUID: j1\n\n"));

    assertThat(sink.frames)
        .extracting(EslFrame::contentType)
        .containsExactly(
            EslContentType.AUTH_REQUEST,
            EslContentType.COMMAND_REPLY,
            EslContentType.API_RESPONSE,
            EslContentType.COMMAND_REPLY);
    assertThat(sink.frames.get(1).replyText()).isEqualTo("+OK accepted");
    assertThat(sink.frames.get(1).isOk()).isTrue();
    assertThat(sink.frames.get(2).bodyText()).isEqualTo("+OK\n");
    assertThat(sink.frames.get(2).isOk()).isTrue();
    assertThat(sink.frames.get(3).header("Job-UUID")).hasValue("j1");
  }

  @Test
  void apiErrorsComeInTheBodyNotAsReplyText() {
    RecordingSink sink =
        decodeWhole(
            bytes("Content-Type: api/response\nContent-Length: 22\n\n-ERR No such channel!\n"));
    EslFrame f = sink.frames.get(0);
    assertThat(f.isOk()).isFalse();
    assertThat(f.replyText()).isEmpty();
    assertThat(f.bodyText()).isEqualTo("-ERR No such channel!\n");
  }

  @Test
  void disconnectNoticeAndLogDataAreFramedWithTheirBodies() {
    String notice = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n";
    RecordingSink sink =
        decodeWhole(
            bytes(
                "Content-Type: log/data\nContent-Length: 6\nLog-Level: 7\n\nhello\n"
                    + "Content-Type: text/disconnect-notice\nContent-Length: "
                    + notice.length()
                    + "\n\n"
                    + notice));
    assertThat(sink.frames.get(0).contentType()).isEqualTo(EslContentType.LOG_DATA);
    assertThat(sink.frames.get(0).header("Log-Level")).hasValue("7");
    assertThat(sink.frames.get(1).contentType()).isEqualTo(EslContentType.DISCONNECT_NOTICE);
    assertThat(sink.frames.get(1).bodyText()).isEqualTo(notice);
  }

  @Test
  void aBodyThatRunsStraightIntoTheNextFrameIsCutByContentLength() {
    RecordingSink sink =
        decodeWhole(
            bytes(
                "Content-Length: 16\nContent-Type: text/event-json\n\n{\"Event-Name\":1}"
                    + "Content-Type: command/reply\nReply-Text: +OK\n\n"));
    assertThat(sink.frames).hasSize(2);
    assertThat(sink.frames.get(0).event().name()).isEqualTo("1");
    assertThat(sink.frames.get(1).replyText()).isEqualTo("+OK");
  }

  @Test
  void unknownContentTypeIsKeptAsOther() {
    RecordingSink sink = decodeWhole(bytes("Content-Type: text/brand-new\n\n"));
    assertThat(sink.frames.get(0).contentType()).isEqualTo(EslContentType.OTHER);
    assertThat(sink.frames.get(0).header("Content-Type")).hasValue("text/brand-new");
  }

  @Test
  void rudeRejectionIsRecognised() {
    RecordingSink sink =
        decodeWhole(
            bytes(
                "Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n"));
    assertThat(sink.frames.get(0).contentType()).isEqualTo(EslContentType.RUDE_REJECTION);
  }

  @Test
  void garbageWithoutColonIsReportedAndTheStreamContinues() {
    RecordingSink sink =
        decodeWhole(
            bytes("this is not esl\nat all\n\nContent-Type: command/reply\nReply-Text: +OK\n\n"));
    assertThat(sink.malformed).hasSize(1);
    assertThat(sink.frames).hasSize(1);
    assertThat(sink.frames.get(0).replyText()).isEqualTo("+OK");
  }

  @Test
  void invalidContentLengthIsReportedAndTheFrameSkipped() {
    RecordingSink sink =
        decodeWhole(
            bytes(
                "Content-Type: api/response\nContent-Length: 12x\n\n"
                    + "Content-Type: command/reply\nReply-Text: +OK\n\n"));
    assertThat(sink.malformed).singleElement().asString().contains("Content-Length");
    assertThat(sink.frames).extracting(EslFrame::replyText).containsExactly("+OK");
  }

  @Test
  void oversizedBodyIsSkippedByItsLengthAndTheNextFrameSurvives() {
    EslFrameDecoder decoder = new EslFrameDecoder(1024, 100);
    RecordingSink sink = new RecordingSink();
    byte[] big = new byte[5000];
    Arrays.fill(big, (byte) '\n'); // LF LF inside the body must not resynchronise early
    decoder.decode(
        ByteBuffer.wrap(bytes("Content-Type: api/response\nContent-Length: 5000\n\n")), sink);
    decoder.decode(ByteBuffer.wrap(big), sink);
    decoder.decode(
        ByteBuffer.wrap(bytes("Content-Type: command/reply\nReply-Text: +OK\n\n")), sink);
    assertThat(sink.malformed).singleElement().asString().contains("5000");
    assertThat(sink.frames).extracting(EslFrame::replyText).containsExactly("+OK");
  }

  @Test
  void oneMebibyteEventIsDeliveredWithTheDefaultLimits() {
    StringBuilder body = new StringBuilder("Event-Name: CUSTOM\nBig: ");
    body.append("x".repeat(1 << 20)).append('\n');
    byte[] b = bytes(body.toString());
    RecordingSink sink =
        decodeWhole(
            concat(
                bytes("Content-Length: " + b.length + "\nContent-Type: text/event-plain\n\n"), b));
    assertThat(sink.frames.get(0).event().headerOrNull("Big")).hasSize(1 << 20);
  }

  @Test
  void endlessHeaderBlockIsReportedAndSkippedToTheNextEmptyLine() {
    EslFrameDecoder decoder = new EslFrameDecoder(64, 1000);
    RecordingSink sink = new RecordingSink();
    for (int i = 0; i < 20; i++) {
      decoder.decode(ByteBuffer.wrap(bytes("X-Filler: abcdefghijklmnop\n")), sink);
    }
    decoder.decode(
        ByteBuffer.wrap(bytes("\nContent-Type: command/reply\nReply-Text: +OK\n\n")), sink);
    assertThat(sink.malformed).hasSize(1);
    assertThat(sink.frames).extracting(EslFrame::replyText).containsExactly("+OK");
  }

  @Test
  void strayBlankLinesBetweenFramesAreIgnored() {
    RecordingSink sink =
        decodeWhole(bytes("\n\nContent-Type: auth/request\n\n\nContent-Type: auth/request\n\n"));
    assertThat(sink.malformed).isEmpty();
    assertThat(sink.frames).hasSize(2);
  }

  @Test
  void randomGarbageNeverThrowsAndAValidFrameAfterAnEmptyLineIsDecoded() {
    Random random = new Random(42);
    byte[] reply = bytes("Content-Type: command/reply\nReply-Text: +OK after garbage\n\n");
    for (int round = 0; round < 300; round++) {
      byte[] garbage = new byte[random.nextInt(400)];
      random.nextBytes(garbage);
      for (int i = 0; i < garbage.length; i++) {
        if (garbage[i] == ':' || garbage[i] == '\n') {
          garbage[i] = (byte) (random.nextBoolean() ? 'z' : ' ');
        }
      }
      EslFrameDecoder decoder = new EslFrameDecoder();
      RecordingSink sink = new RecordingSink();
      byte[] stream = concat(garbage, bytes("\n\n"), reply);
      assertThatCode(() -> decoder.decode(ByteBuffer.wrap(stream), sink))
          .doesNotThrowAnyException();
      assertThat(sink.frames).last().extracting(EslFrame::replyText).isEqualTo("+OK after garbage");
    }
  }

  @Test
  void fullyRandomBytesNeverThrow() {
    Random random = new Random(7);
    for (int round = 0; round < 300; round++) {
      byte[] b = new byte[random.nextInt(2000)];
      random.nextBytes(b);
      for (int i = 0; i < b.length; i++) {
        int r = random.nextInt(10);
        if (r == 0) {
          b[i] = '\n';
        } else if (r == 1) {
          b[i] = ':';
        }
      }
      EslFrameDecoder decoder = new EslFrameDecoder(1024, 4096);
      RecordingSink sink = new RecordingSink();
      assertThatCode(() -> decoder.decode(ByteBuffer.wrap(b), sink)).doesNotThrowAnyException();
      for (EslFrame f : sink.frames) {
        assertThatCode(f::headers).doesNotThrowAnyException();
      }
    }
  }

  @Test
  void aThrowingSinkDoesNotLeaveTheDecoderMidFrame() {
    EslFrameDecoder decoder = new EslFrameDecoder();
    RecordingSink ok = new RecordingSink();
    FrameSink<EslFrame> throwing =
        new FrameSink<EslFrame>() {
          @Override
          public void frame(EslFrame frame) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void malformed(String reason) {}
        };
    try {
      decoder.decode(ByteBuffer.wrap(bytes("Content-Type: auth/request\n\n")), throwing);
    } catch (IllegalStateException expected) {
      // the decoder's state must be clean afterwards
    }
    decoder.decode(ByteBuffer.wrap(bytes("Content-Type: command/reply\nReply-Text: +OK\n\n")), ok);
    assertThat(ok.frames).extracting(EslFrame::replyText).containsExactly("+OK");
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
