package org.sipadapter.asterisk.ami;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;
import org.sipadapter.transport.FrameSink;

class AmiFrameDecoderTest {

  static List<Fixture> transcripts() {
    return Fixtures.transcripts("ami");
  }

  private static WireTranscript fixture(String file) {
    return WireTranscript.read(Fixtures.get("ami", file));
  }

  /**
   * The server's stream with every line ending made CRLF and runs of empty lines collapsed. Real
   * servers are not perfectly regular: in 16-park.txt Asterisk ends {@code Message: Park
   * successful} with a bare LF and then sends two empty lines.
   */
  private static byte[] normalized(byte[] serverBytes) {
    String text = new String(serverBytes, StandardCharsets.UTF_8);
    return text.replaceAll("(?<!\r)\n", "\r\n")
        .replaceAll("(\r\n){3,}", "\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The server's packets as text blocks, split by a plain reading of the transcript. */
  private static List<String> packets(byte[] serverBytes) {
    String text = new String(normalized(serverBytes), StandardCharsets.UTF_8);
    List<String> packets = new ArrayList<>();
    int bannerEnd = text.indexOf("\r\n");
    packets.add(text.substring(0, bannerEnd));
    for (String p : text.substring(bannerEnd + 2).split("\r\n\r\n")) {
      if (!p.isEmpty()) {
        packets.add(p);
      }
    }
    return packets;
  }

  private static RecordingSink decodeWhole(byte[] stream) {
    RecordingSink sink = new RecordingSink();
    new AmiFrameDecoder().decode(ByteBuffer.wrap(stream), sink);
    return sink;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transcripts")
  void everyServerPacketOfAFixtureIsDecodedAndReencodesByteForByte(Fixture file) {
    WireTranscript t = WireTranscript.read(file);
    RecordingSink sink = decodeWhole(t.serverBytes());

    assertThat(sink.malformed).isEmpty();
    assertThat(sink.reencoded()).isEqualTo(normalized(t.serverBytes()));
    List<String> packets = packets(t.serverBytes());
    assertThat(sink.frames).hasSize(packets.size());
    assertThat(sink.frames.get(0).type()).isEqualTo(AmiFrameType.BANNER);
    assertThat(sink.frames.get(0).amiVersion()).contains("11.0.0");
    for (int i = 1; i < packets.size(); i++) {
      String[] lines = packets.get(i).split("\r\n", -1);
      AmiFrame frame = sink.frames.get(i);
      assertThat(frame.size()).as("headers of packet %d", i).isEqualTo(lines.length);
      for (int h = 0; h < lines.length; h++) {
        int colon = lines[h].indexOf(':');
        assertThat(frame.key(h)).isEqualTo(lines[h].substring(0, colon));
        assertThat(frame.value(h)).isEqualTo(lines[h].substring(colon + 2));
      }
      assertThat(frame.type()).isIn(AmiFrameType.EVENT, AmiFrameType.RESPONSE);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transcripts")
  void randomSplitsAcrossReadsGiveTheSameFrames(Fixture file) {
    WireTranscript t = WireTranscript.read(file);
    List<AmiFrame> expected = decodeWhole(t.serverBytes()).frames;
    byte[] stream = t.serverBytes();
    for (int seed = 0; seed < 40; seed++) {
      Random random = new Random(seed);
      AmiFrameDecoder decoder = new AmiFrameDecoder();
      RecordingSink sink = new RecordingSink();
      int pos = 0;
      while (pos < stream.length) {
        int n = Math.min(stream.length - pos, 1 + random.nextInt(seed % 2 == 0 ? 7 : 300));
        // The reader hands over a reused buffer: copy into a larger array at an offset.
        byte[] chunk = new byte[n + 10];
        System.arraycopy(stream, pos, chunk, 5, n);
        decoder.decode(ByteBuffer.wrap(chunk, 5, n).slice(), sink);
        pos += n;
      }
      assertThat(sink.frames).as("seed %d", seed).isEqualTo(expected);
      assertThat(sink.malformed).isEmpty();
    }
  }

  @Test
  void oneByteAtATimeAndDirectBuffersWork() {
    WireTranscript t = fixture("04-originate-dial-bridge.txt");
    AmiFrameDecoder decoder = new AmiFrameDecoder();
    RecordingSink sink = new RecordingSink();
    ByteBuffer direct = ByteBuffer.allocateDirect(1);
    for (byte b : t.serverBytes()) {
      direct.clear();
      direct.put(b).flip();
      decoder.decode(direct, sink);
      assertThat(direct.hasRemaining()).isFalse();
    }
    assertThat(sink.frames).isEqualTo(decodeWhole(t.serverBytes()).frames);
  }

  @Test
  void parkReplyWithABareLfAndAnExtraEmptyLineIsOnePacket() {
    // Asterisk 22 really sends this (16-park.txt): "Message: Park successful\n\r\n\r\n".
    WireTranscript t = fixture("16-park.txt");
    List<AmiFrame> frames = decodeWhole(t.serverBytes()).frames;
    AmiFrame park =
        frames.stream()
            .filter(f -> "park-1".equals(f.getOrDefault("ActionID", null)))
            .findFirst()
            .orElseThrow();
    assertThat(park.getOrDefault("Message", null)).isEqualTo("Park successful");
    assertThat(frames.get(frames.indexOf(park) + 1).isEvent("BridgeCreate")).isTrue();
  }

  @Test
  void bareLfLineEndingsAreAccepted() {
    RecordingSink sink = decodeWhole(ascii("Event: Hangup\nUniqueid: 1.2\nCause: 16\n\n"));
    assertThat(sink.frames)
        .containsExactly(AmiFrame.of("Event", "Hangup", "Uniqueid", "1.2", "Cause", "16"));
  }

  @Test
  void repeatedKeysAreKeptInWireOrder() {
    AmiFrame frame =
        decodeWhole(
                ascii(
                    "Event: Newchannel\r\nChanVariable: a=1\r\nChanVariable: b=2\r\nUniqueid: 9\r\n\r\n"))
            .frames
            .get(0);
    assertThat(frame.values("chanvariable")).containsExactly("a=1", "b=2");
    assertThat(frame.getOrDefault("ChanVariable", null)).isEqualTo("a=1");
    assertThat(frame.headers())
        .containsExactly(
            Map.entry("Event", "Newchannel"),
            Map.entry("ChanVariable", "a=1"),
            Map.entry("ChanVariable", "b=2"),
            Map.entry("Uniqueid", "9"));
  }

  @Test
  void asterisk13FollowsReplyBecomesOutputHeaders() {
    String reply =
        "Response: Follows\r\nPrivilege: Command\r\nActionID: cmd-1\r\n"
            + "Channel              Location\n\nName: not a header\n2 active channels\n"
            + "--END COMMAND--\r\n\r\n"
            + "Event: FullyBooted\r\n\r\n";
    RecordingSink sink = decodeWhole(ascii(reply));

    assertThat(sink.frames).hasSize(2);
    AmiFrame frame = sink.frames.get(0);
    assertThat(frame.type()).isEqualTo(AmiFrameType.RESPONSE);
    assertThat(frame.getOrDefault("ActionID", null)).isEqualTo("cmd-1");
    assertThat(frame.values("Output"))
        .containsExactly(
            "Channel              Location", "", "Name: not a header", "2 active channels");
    assertThat(sink.frames.get(1).isEvent("FullyBooted")).isTrue();
  }

  @Test
  void followsOutputWithoutFinalNewlineKeepsItsLastLine() {
    RecordingSink sink =
        decodeWhole(
            ascii("Response: Follows\r\nPrivilege: Command\r\nlast line--END COMMAND--\r\n\r\n"));
    assertThat(sink.frames.get(0).values("Output")).containsExactly("last line");
  }

  @Test
  void modernCommandOutputHeadersKeepTrailingBlanks() {
    WireTranscript t = fixture("17-command-action.txt");
    AmiFrame coreShowChannels =
        decodeWhole(t.serverBytes()).frames.stream()
            .filter(f -> "cmd-2".equals(f.getOrDefault("ActionID", null)))
            .findFirst()
            .orElseThrow();
    assertThat(coreShowChannels.values("Output")).hasSize(4);
    assertThat(coreShowChannels.values("Output").get(0)).endsWith("Application(Data)             ");
  }

  @Test
  void linesWithoutAHeaderNameAreReportedAndTheFrameIsKept() {
    RecordingSink sink =
        decodeWhole(
            ascii(
                "garbage here\r\nEvent: Newstate\r\n no key\r\n: empty key\r\nUniqueid: 1\r\n\r\n"));
    assertThat(sink.frames).containsExactly(AmiFrame.of("Event", "Newstate", "Uniqueid", "1"));
    assertThat(sink.malformed).hasSize(3);
  }

  @Test
  void randomGarbageLinesBetweenAndInsideFramesLoseNoFrame() {
    List<AmiFrame> expected = new ArrayList<>();
    WireTranscript t = fixture("03-originate-success.txt");
    List<AmiFrame> frames = decodeWhole(t.serverBytes()).frames;
    Random random = new Random(7);
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    int garbageLines = 0;
    for (AmiFrame frame : frames) {
      expected.add(frame);
      stream.writeBytes(frame.toWireBytes());
      if (random.nextBoolean()) {
        // A line of junk without a colon: reported, skipped, never merged into a frame.
        byte[] junk = new byte[1 + random.nextInt(80)];
        for (int i = 0; i < junk.length; i++) {
          byte b;
          do {
            b = (byte) random.nextInt(256);
          } while (b == '\n' || b == '\r' || b == ':');
          junk[i] = b;
        }
        junk[0] = 'x';
        stream.writeBytes(junk);
        stream.writeBytes(ascii("\r\n"));
        garbageLines++;
      }
    }
    RecordingSink sink = decodeWhole(stream.toByteArray());
    assertThat(sink.frames).isEqualTo(expected);
    assertThat(sink.malformed).hasSize(garbageLines);
  }

  @Test
  void arbitraryRandomBytesNeverStopTheDecoderAndLaterFramesSurvive() {
    WireTranscript t = fixture("13-coreshowchannels.txt");
    List<AmiFrame> frames = decodeWhole(t.serverBytes()).frames.subList(1, 20);
    for (int seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      AmiFrameDecoder decoder = new AmiFrameDecoder(4096);
      RecordingSink sink = new RecordingSink();
      List<AmiFrame> sent = new ArrayList<>();
      for (AmiFrame frame : frames) {
        byte[] garbage = new byte[random.nextInt(seed % 10 == 0 ? 9000 : 200)];
        random.nextBytes(garbage);
        feedRandomly(decoder, sink, garbage, random);
        // A blank line closes whatever the garbage started; the next frame must come through.
        feedRandomly(decoder, sink, ascii("\r\n\r\n"), random);
        feedRandomly(decoder, sink, frame.toWireBytes(), random);
        sent.add(frame);
      }
      assertThat(sink.frames).as("seed %d", seed).containsSubsequence(sent);
    }
  }

  private static void feedRandomly(
      AmiFrameDecoder decoder, RecordingSink sink, byte[] bytes, Random random) {
    int pos = 0;
    while (pos < bytes.length) {
      int n = Math.min(bytes.length - pos, 1 + random.nextInt(64));
      decoder.decode(ByteBuffer.wrap(bytes, pos, n), sink);
      pos += n;
    }
  }

  @Test
  void oversizedPacketIsDroppedWithOneReportAndTheNextPacketIsKept() {
    String big = "Event: UserEvent\r\nData: " + "x".repeat(3000) + "\r\nMore: y\r\n\r\n";
    String next = "Event: Hangup\r\nUniqueid: 5\r\n\r\n";
    for (int split : new int[] {1, 13, 500, 10_000}) {
      AmiFrameDecoder decoder = new AmiFrameDecoder(1024);
      RecordingSink sink = new RecordingSink();
      feedInChunks(decoder, sink, ascii(big + next + big + next), split);
      assertThat(sink.frames)
          .as("split %d", split)
          .containsExactly(
              AmiFrame.of("Event", "Hangup", "Uniqueid", "5"),
              AmiFrame.of("Event", "Hangup", "Uniqueid", "5"));
      assertThat(sink.malformed).hasSize(2).allMatch(r -> r.contains("1024"));
    }
  }

  private static void feedInChunks(
      AmiFrameDecoder decoder, RecordingSink sink, byte[] bytes, int size) {
    for (int pos = 0; pos < bytes.length; pos += size) {
      decoder.decode(ByteBuffer.wrap(bytes, pos, Math.min(size, bytes.length - pos)), sink);
    }
  }

  @Test
  void oneMebibyteEventIsDeliveredWithTheDefaultLimit() {
    String value = "v".repeat(1024 * 1024);
    RecordingSink sink = new RecordingSink();
    feedInChunks(
        new AmiFrameDecoder(),
        sink,
        ascii("Event: Big\r\nData: " + value + "\r\n\r\nEvent: After\r\n\r\n"),
        8192);
    assertThat(sink.frames).hasSize(2);
    assertThat(sink.frames.get(0).getOrDefault("Data", "")).hasSize(1024 * 1024);
    assertThat(sink.frames.get(1).isEvent("After")).isTrue();
  }

  @Test
  void aConsumerThatThrowsDoesNotStopLaterFrames() {
    List<AmiFrame> seen = new ArrayList<>();
    FrameSink<AmiFrame> sink =
        new FrameSink<>() {
          @Override
          public void frame(AmiFrame frame) {
            seen.add(frame);
            if (seen.size() == 1) {
              throw new IllegalStateException("listener bug");
            }
          }

          @Override
          public void malformed(String reason) {}
        };
    new AmiFrameDecoder().decode(ByteBuffer.wrap(ascii("Event: A\r\n\r\nEvent: B\r\n\r\n")), sink);
    assertThat(seen).extracting(AmiFrame::name).containsExactly("A", "B");
  }

  @Test
  void bannerIsReadAsALineWithoutAnEmptyLineAfterIt() {
    RecordingSink sink =
        decodeWhole(
            ascii("Asterisk Call Manager/5.0.1\r\nResponse: Success\r\nActionID: 1\r\n\r\n"));
    assertThat(sink.frames).hasSize(2);
    assertThat(sink.frames.get(0).amiVersion()).contains("5.0.1");
    assertThat(sink.frames.get(1).getOrDefault("ActionID", null)).isEqualTo("1");
  }

  @Test
  void resetForgetsAPartialPacket() {
    AmiFrameDecoder decoder = new AmiFrameDecoder();
    RecordingSink sink = new RecordingSink();
    decoder.decode(ByteBuffer.wrap(ascii("Event: Half\r\nUniq")), sink);
    decoder.reset();
    decoder.decode(ByteBuffer.wrap(ascii("Event: Whole\r\n\r\n")), sink);
    assertThat(sink.frames).containsExactly(AmiFrame.of("Event", "Whole"));
  }

  @Test
  void aKeyEndsAtItsColonAndASpaceControlOrNonAsciiByteBeforeItMakesTheLineMalformed() {
    byte[] stoppers = {' ', '\t', 0x01, 0x1f, (byte) 0x80, (byte) 0xc3, (byte) 0xff};
    for (int at = 0; at < 20; at++) {
      for (byte stopper : stoppers) {
        byte[] key = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
        key[at] = stopper;
        byte[] line =
            (new String(key, StandardCharsets.ISO_8859_1) + ": v\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        RecordingSink sink = decodeWhole(packet("Event: X\r\n", line, "Other: 1\r\n\r\n"));

        assertThat(sink.malformed).as("byte 0x%02x at %d", stopper & 0xff, at).hasSize(1);
        assertThat(sink.frames.get(0).asMap()).containsOnlyKeys("Event", "Other");
      }
      byte[] key = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
      key[at] = ':';
      RecordingSink sink =
          decodeWhole(
              packet(
                  "Event: X\r\n",
                  (new String(key, StandardCharsets.US_ASCII) + " v\r\n")
                      .getBytes(StandardCharsets.US_ASCII),
                  "\r\n"));
      if (at == 0) {
        assertThat(sink.malformed).as("a colon first: no key").hasSize(1);
      } else {
        assertThat(sink.malformed).isEmpty();
        assertThat(sink.frames.get(0).asMap()).containsKey("ABCDEFGHIJKLMNOPQRST".substring(0, at));
      }
    }
  }

  private static byte[] packet(String head, byte[] line, String tail) {
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] t = tail.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[h.length + line.length + t.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(line, 0, out, h.length, line.length);
    System.arraycopy(t, 0, out, h.length + line.length, t.length);
    return out;
  }
}
