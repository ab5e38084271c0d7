package org.sipadapter.freeswitch.esl;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipadapter.freeswitch.ChannelEventMapper;

/**
 * Coverage-guided checks of the event-socket decoder on any byte stream: it never throws, holds at
 * most one frame within its header and body limits, never emits a larger frame, does not depend on
 * how the stream is split, and is back in step after garbage. Every frame it emits is read as the
 * adapter reads it (headers, reply text, the plain or JSON event, a disconnect notice or log line
 * body), and the only failure allowed there is the documented {@link EslFormatException}.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class EslFrameDecoderFuzzTest {

  private static final byte[] VALID =
      "Content-Type: api/response\nContent-Length: 3\n\n+OK".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern CONTENT_LENGTH = Pattern.compile("content-length:[ ]?([0-9]{1,12})");

  @FuzzTest
  void decodeAnyBytes(FuzzedDataProvider data) {
    int maxHeader = data.consumeInt(64, 1024);
    int maxBody = data.consumeInt(0, 2048);
    int chunk = data.consumeInt(1, 96);
    boolean direct = data.consumeBoolean();
    byte[] stream = data.consumeRemainingAsBytes();

    EslFrameDecoder decoder = new EslFrameDecoder(maxHeader, maxBody);
    RecordingSink chunked = new RecordingSink();
    for (int off = 0; off < stream.length; off += chunk) {
      int n = Math.min(chunk, stream.length - off);
      ByteBuffer in = buffer(stream, off, n, direct);
      decoder.decode(in, chunked);
      assertThat(in.hasRemaining()).as("decoder consumes the whole buffer").isFalse();
      assertThat(decoder.bufferedBytes())
          .as("bytes held with limits %d (header) and %d (body)", maxHeader, maxBody)
          .isLessThanOrEqualTo(maxHeader + maxBody);
    }
    for (EslFrame frame : chunked.frames) {
      assertThat(frame.headerBytes().length).isLessThanOrEqualTo(maxHeader);
      assertThat(frame.bodyLength()).isLessThanOrEqualTo(maxBody);
      read(frame);
    }

    RecordingSink whole = new RecordingSink();
    new EslFrameDecoder(maxHeader, maxBody).decode(ByteBuffer.wrap(stream), whole);
    assertThat(chunked.frames)
        .as("same frames however the stream is split")
        .isEqualTo(whole.frames);
  }

  @FuzzTest
  void resyncAfterGarbage(FuzzedDataProvider data) {
    int maxHeader = data.consumeInt(64, 512);
    int maxBody = data.consumeInt(3, 512);
    byte[] garbage = data.consumeRemainingAsBytes();

    // A body above the limit is skipped by its declared length, however long (the stream stays
    // in step with a server that really sends it): such garbage is out of this check's reach.
    int declaredBodies = 0;
    Matcher m =
        CONTENT_LENGTH.matcher(
            new String(garbage, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
    while (m.find()) {
      if (Long.parseLong(m.group(1)) > maxBody) {
        return;
      }
      declaredBodies++;
    }

    EslFrameDecoder decoder = new EslFrameDecoder(maxHeader, maxBody);
    RecordingSink sink = new RecordingSink();
    decoder.decode(ByteBuffer.wrap(garbage), sink);
    int before = sink.frames.size();
    // An empty line closes what the garbage left open; bodies it declared take at most their
    // limit each; then valid frames line up again at the next header block.
    decoder.decode(ByteBuffer.wrap("\n\n".getBytes(StandardCharsets.US_ASCII)), sink);
    int copies = (maxHeader + (declaredBodies + 1) * maxBody) / VALID.length + 4;
    for (int i = 0; i < copies; i++) {
      decoder.decode(ByteBuffer.wrap(VALID), sink);
    }
    assertThat(sink.frames.subList(before, sink.frames.size()))
        .as("a valid frame comes out after %d bytes of garbage", garbage.length)
        .anySatisfy(
            f -> {
              assertThat(f.contentType()).isEqualTo(EslContentType.API_RESPONSE);
              assertThat(f.bodyText()).isEqualTo("+OK");
            });
  }

  private static ByteBuffer buffer(byte[] stream, int off, int n, boolean direct) {
    if (direct) {
      ByteBuffer b = ByteBuffer.allocateDirect(n);
      b.put(stream, off, n).flip();
      return b;
    }
    return ByteBuffer.wrap(stream).position(off).limit(off + n).slice();
  }

  /** What the adapter does with a frame; only a documented EslFormatException may come out. */
  static void read(EslFrame frame) {
    frame.headers();
    frame.header("Job-UUID");
    frame.replyText();
    frame.isOk();
    frame.bodyText();
    frame.toString();
    if (!frame.hasEvent()) {
      return;
    }
    EslEvent event;
    try {
      event = frame.event();
    } catch (EslFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    EslEventFuzzTest.read(event);
    ChannelEventMapper.map(event);
  }
}
