package org.sipadapter.opensips.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.transport.FrameSink;

/**
 * Coverage-guided checks of the event_stream object splitter on any byte stream: it never throws,
 * holds at most one object within its limit, does not depend on how the stream is split, and
 * objects come out again after garbage. Without a delimiter, garbage that opens a brace keeps the
 * splitter inside an object until a NUL byte outside a string (documented as abandoning the object;
 * inside a string a NUL is kept), so that is the resynchronisation checked. Each object then goes
 * through {@link DialogStateEvent#parse}, whose only failure is the documented {@link
 * IllegalArgumentException}.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class JsonObjectDecoderFuzzTest {

  private static final String OBJECT =
      "{\"jsonrpc\":\"2.0\",\"method\":\"E_DLG_STATE_CHANGED\",\"params\":{\"id\":\"1.2\","
          + "\"callid\":\"c-1\",\"old_state\":4,\"new_state\":5}}";

  /** Keeps everything the decoder reports. */
  private static final class Recorder implements FrameSink<byte[]> {
    final List<String> objects = new ArrayList<>();

    @Override
    public void frame(byte[] object) {
      objects.add(new String(object, StandardCharsets.ISO_8859_1));
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

    JsonObjectDecoder decoder = new JsonObjectDecoder(limit);
    Recorder chunked = new Recorder();
    for (int off = 0; off < stream.length; off += chunk) {
      int n = Math.min(chunk, stream.length - off);
      ByteBuffer in = ByteBuffer.wrap(stream).position(off).limit(off + n).slice();
      decoder.decode(in, chunked);
      assertThat(in.hasRemaining()).as("decoder consumes the whole buffer").isFalse();
      assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(limit);
    }
    for (String object : chunked.objects) {
      assertThat(object.length()).isLessThanOrEqualTo(limit);
      assertThat(object).startsWith("{");
      parse(object.getBytes(StandardCharsets.ISO_8859_1));
    }

    Recorder whole = new Recorder();
    new JsonObjectDecoder(limit).decode(ByteBuffer.wrap(stream), whole);
    assertThat(chunked.objects)
        .as("same objects however the stream is split")
        .isEqualTo(whole.objects);
  }

  @FuzzTest
  void resyncAfterGarbage(FuzzedDataProvider data) {
    boolean withNul = data.consumeBoolean();
    byte[] garbage = data.consumeRemainingAsBytes();

    JsonObjectDecoder decoder = new JsonObjectDecoder(1024);
    Recorder sink = new Recorder();
    if (withNul) {
      // A NUL outside any string abandons the object it is in (inside a string it is kept).
      decoder.decode(ByteBuffer.wrap(without(garbage, (byte) '"')), sink);
      decoder.decode(ByteBuffer.wrap(new byte[] {0}), sink);
    } else {
      // Garbage between objects, with no brace to open one: skipped and reported.
      decoder.decode(ByteBuffer.wrap(withoutOpeningBraces(garbage)), sink);
    }
    int before = sink.objects.size();
    decoder.decode(ByteBuffer.wrap(OBJECT.getBytes(StandardCharsets.US_ASCII)), sink);
    assertThat(sink.objects.subList(before, sink.objects.size()))
        .as("the object after %d bytes of garbage comes out", garbage.length)
        .containsExactly(OBJECT);
  }

  @FuzzTest
  void notificationFromAnyObject(byte[] object) {
    parse(object);
  }

  private static byte[] withoutOpeningBraces(byte[] garbage) {
    return without(garbage, (byte) '{');
  }

  private static byte[] without(byte[] garbage, byte left) {
    byte[] out = new byte[garbage.length];
    int n = 0;
    for (byte b : garbage) {
      if (b != left) {
        out[n++] = b;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static void parse(byte[] object) {
    try {
      DialogStateEvent e = DialogStateEvent.parse(object);
      e.isDialogStateChange();
      e.dialogId();
      e.callId();
      e.oldState();
      e.newState();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotNull();
    }
  }
}
