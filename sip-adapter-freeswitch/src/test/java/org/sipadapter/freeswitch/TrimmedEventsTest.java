package org.sipadapter.freeswitch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.freeswitch.esl.EslContentType;
import org.sipadapter.freeswitch.esl.EslEvent;
import org.sipadapter.freeswitch.esl.EslFrame;
import org.sipadapter.freeswitch.esl.EslFrameDecoder;
import org.sipadapter.freeswitch.esl.TrimmingEslDecoder;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;

/**
 * The reader thread hands the driver trimmed events ({@link TrimmingEslDecoder} with the driver's
 * {@link FreeSwitchDriver#READ_HEADERS}): every header the driver reads, and so every mapped event,
 * must come out as from the whole event.
 */
class TrimmedEventsTest {

  static List<Fixture> fixtures() {
    return Fixtures.transcripts("esl");
  }

  private static TrimmingEslDecoder trimming() {
    return new TrimmingEslDecoder(
        EslFrameDecoder.DEFAULT_MAX_HEADER_BYTES,
        EslFrameDecoder.DEFAULT_MAX_BODY_BYTES,
        FreeSwitchDriver.READ_HEADERS,
        FreeSwitchDriver.WHOLE_EVENTS);
  }

  /** Decodes in random reads of 1 to 700 bytes; released frames are read before release. */
  private static List<EslFrame> decode(FrameDecoder<EslFrame> decoder, byte[] s, long seed) {
    List<EslFrame> out = new ArrayList<>();
    FrameSink<EslFrame> sink =
        new FrameSink<>() {
          @Override
          public void frame(EslFrame f) {
            out.add(f);
          }

          @Override
          public void malformed(String reason) {
            throw new AssertionError(reason);
          }
        };
    Random random = new Random(seed);
    int p = 0;
    while (p < s.length) {
      int n = Math.min(s.length - p, 1 + random.nextInt(700));
      decoder.decode(ByteBuffer.wrap(Arrays.copyOfRange(s, p, p + n)), sink);
      p += n;
    }
    return out;
  }

  private static boolean isEvent(EslFrame f) {
    return f.contentType() == EslContentType.EVENT_PLAIN
        || f.contentType() == EslContentType.EVENT_JSON;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyHeaderTheDriverReadsAndEveryMappedEventIsAsFromTheWholeEvent(Fixture file) {
    byte[] server = WireTranscript.read(file).serverBytes();
    List<EslFrame> whole = decode(new EslFrameDecoder(), server, 1);
    List<EslFrame> trimmed = decode(trimming(), server, 2);

    assertThat(trimmed).hasSameSizeAs(whole);
    for (int i = 0; i < whole.size(); i++) {
      EslFrame w = whole.get(i);
      EslFrame t = trimmed.get(i);
      assertThat(t.contentType()).isEqualTo(w.contentType());
      assertThat(t.headers()).isEqualTo(w.headers());
      if (!isEvent(w)) {
        assertThat(t).isEqualTo(w);
        continue;
      }
      EslEvent we = w.event();
      EslEvent te = t.event();
      for (String name : FreeSwitchDriver.READ_HEADERS) {
        assertThat(te.headerOrNull(name)).as(name).isEqualTo(we.headerOrNull(name));
      }
      assertThat(te.body()).isEqualTo(we.body());
      assertThat(ChannelEventMapper.map(te)).isEqualTo(ChannelEventMapper.map(we));
      assertThat(t.bodyLength()).isLessThanOrEqualTo(w.bodyLength());
      if (FreeSwitchDriver.WHOLE_EVENTS.contains(we.name())) {
        assertThat(te.headers()).isEqualTo(we.headers());
      }
    }
  }

  @Test
  void aChannelEventKeepsOnlyTheLinesTheDriverReadsInWireOrder() {
    String body =
        "Event-Name: CHANNEL_CREATE\nCore-UUID: 1\nUnique-ID: abc\nunique-id: lower\n"
            + "Caller-Caller-ID-Number: %2B100\nvariable_sipadapter_call: m1\n";
    List<EslFrame> frames = decode(trimming(), plainFrame(body), 3);

    assertThat(frames).hasSize(1);
    assertThat(frames.get(0).bodyText())
        .isEqualTo(
            "Event-Name: CHANNEL_CREATE\nUnique-ID: abc\nunique-id: lower\n"
                + "Caller-Caller-ID-Number: %2B100\nvariable_sipadapter_call: m1\n");
    assertThat(frames.get(0).event().headerOrNull("Caller-Caller-ID-Number")).isEqualTo("+100");
  }

  @Test
  void namesMatchIgnoringCaseAndOnlyKeptNamesOfAKeptLengthStay() {
    // "Unique-IX" has Unique-ID's length; "Unique\rID" differs from it in a byte that only bit
    // 0x20 tells apart (CR is 0x0d, '-' is 0x2d); "DTMF-Digi" is shorter than eight bytes of a kept
    // name's length.
    String body =
        "EVENT-NAME: CHANNEL_CREATE\nUnique-IX: no\nUnique\rID: no\nUNIQUE-ID: up\n"
            + "caller-destination-number: 200\nDTMF-DIGIT: 5\nDTMF-Digi: no\n"
            + "variable_other: no\nVARIABLE_DURATION: 7\nvariable_duration_x: no\nvariable: no\n"
            + "Job-UUID: j\nJob-UUIX: no\n";
    List<EslFrame> frames = decode(trimming(), plainFrame(body), 5);

    assertThat(frames.get(0).bodyText())
        .isEqualTo(
            "EVENT-NAME: CHANNEL_CREATE\nUNIQUE-ID: up\ncaller-destination-number: 200\n"
                + "DTMF-DIGIT: 5\nVARIABLE_DURATION: 7\nJob-UUID: j\n");
    assertThat(frames.get(0).event().headerOrNull("Caller-Destination-Number")).isEqualTo("200");
  }

  @Test
  void customEventsAndEventsWithABodyStayWhole() {
    String custom = "Event-Name: CUSTOM\nEvent-Subclass: conference%3A%3Amaintenance\nX: 1\n";
    String job = "Event-Name: BACKGROUND_JOB\nJob-UUID: j\nContent-Length: 4\n\n+OK\n";
    String withBody = "Event-Name: CHANNEL_EXECUTE\nX: 1\nContent-Length: 2\n\nhi";
    String endsWithEmptyLine = "Event-Name: CHANNEL_STATE\nUnique-ID: u\nX: 1\n\n";
    assertThat(decode(trimming(), plainFrame(endsWithEmptyLine), 4).get(0).bodyText())
        .isEqualTo("Event-Name: CHANNEL_STATE\nUnique-ID: u\n\n");
    for (String body : List.of(custom, job, withBody)) {
      List<EslFrame> frames = decode(trimming(), plainFrame(body), 4);
      assertThat(frames.get(0).bodyText()).isEqualTo(body);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void reusedBodyBuffersGiveTheSameEventsAsOwnArrays(Fixture file) {
    byte[] server = WireTranscript.read(file).serverBytes();
    List<EslFrame> whole = decode(new EslFrameDecoder(), server, 5);
    List<Object> expected = new ArrayList<>();
    for (EslFrame f : whole) {
      expected.add(isEvent(f) ? f.event().headers() : f);
    }
    List<Object> seen = new ArrayList<>();
    EslFrameDecoder reusing =
        new EslFrameDecoder(
            EslFrameDecoder.DEFAULT_MAX_HEADER_BYTES, EslFrameDecoder.DEFAULT_MAX_BODY_BYTES, 2);
    FrameSink<EslFrame> sink =
        new FrameSink<>() {
          @Override
          public void frame(EslFrame f) {
            seen.add(isEvent(f) ? f.event().headers() : f);
            f.release();
            if (f.contentType() == EslContentType.EVENT_PLAIN) {
              assertThat(f.bodyLength()).isZero(); // a released frame no longer shows the buffer
            }
          }

          @Override
          public void malformed(String reason) {
            throw new AssertionError(reason);
          }
        };
    Random random = new Random(6);
    int p = 0;
    while (p < server.length) {
      int n = Math.min(server.length - p, 1 + random.nextInt(700));
      reusing.decode(ByteBuffer.wrap(Arrays.copyOfRange(server, p, p + n)), sink);
      p += n;
    }
    assertThat(seen).isEqualTo(expected);
  }

  private static byte[] plainFrame(String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "Content-Length: " + b.length + "\nContent-Type: text/event-plain\n\n";
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(h, h.length + b.length);
    System.arraycopy(b, 0, out, h.length, b.length);
    return out;
  }
}
