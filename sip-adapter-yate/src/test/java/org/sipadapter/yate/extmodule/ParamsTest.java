package org.sipadapter.yate.extmodule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipadapter.event.LazyFields;

/** Parameters read from the wire, decoded one by one when read. */
class ParamsTest {

  private static final String LINE =
      "%%<message::false:chan.hangup::id=sip/7:address=127.0.0.1%z5081:%}weird%}=x"
          + ":caf\u00e9=cr\u00e8me:bare:address=second:text=a%Jb:empty=";

  private static RecordingSink decode(String line) {
    RecordingSink sink = new RecordingSink();
    new ExtFrameDecoder()
        .decode(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)), sink);
    return sink;
  }

  private static Params wire() {
    RecordingSink sink = decode(LINE);
    assertThat(sink.malformed).isEmpty();
    return ((ExtFrame.MessageResult) sink.frames.get(0)).params();
  }

  @Test
  void lookupsAnswerAsOnTheDecodedParameters() {
    Params p = wire();

    assertThat(p.get("id")).isEqualTo("sip/7");
    assertThat(p.get("address")).isEqualTo("127.0.0.1:5081"); // the first of a repeated name
    assertThat(p.get("=weird=")).isEqualTo("x"); // a name with escapes
    assertThat(p.get("caf\u00e9")).isEqualTo("cr\u00e8me"); // a name beyond ASCII
    assertThat(p.get("cafe")).isNull(); // same length in bytes as nothing above
    assertThat(p.get("bare")).isEmpty();
    assertThat(p.get("text")).isEqualTo("a\nb");
    assertThat(p.get("empty")).isEmpty();
    assertThat(p.get("ID")).isNull();
    assertThat(p.get("i")).isNull();
    assertThat(p.get("missing", "fallback")).isEqualTo("fallback");
  }

  @Test
  void aWireParameterSetEqualsTheSameParametersBuiltFromStrings() {
    Params built =
        Params.of(
            "id", "sip/7",
            "address", "127.0.0.1:5081",
            "=weird=", "x",
            "caf\u00e9", "cr\u00e8me",
            "bare", "",
            "address", "second",
            "text", "a\nb",
            "empty", "");

    Params p = wire();

    assertThat(p).isEqualTo(built).hasSameHashCodeAs(built);
    assertThat(p.names())
        .containsExactly(
            "id", "address", "=weird=", "caf\u00e9", "bare", "address", "text", "empty");
    assertThat(p.toMap()).containsEntry("address", "127.0.0.1:5081").hasSize(7);
    assertThat(LazyFields.of(wire())).isEqualTo(p.toMap());
    assertThat(wire().toString()).isEqualTo(built.toString());
  }

  @Test
  void fewOrManyParametersAnswerAlike() {
    RecordingSink few = decode("%%<message::false:chan.hangup::id=sip/7:id=second:reason=noanswer");
    Params small = ((ExtFrame.MessageResult) few.frames.get(0)).params();
    assertThat(small.get("id")).isEqualTo("sip/7");
    assertThat(small.get("reason")).isEqualTo("noanswer");
    assertThat(small.get("cause")).isNull();

    StringBuilder line = new StringBuilder("%%<message::false:chan.hangup:");
    for (int i = 0; i < 300; i++) {
      line.append(":p").append(i % 100).append('=').append(i);
    }
    Params many = ((ExtFrame.MessageResult) decode(line.toString()).frames.get(0)).params();
    for (int i = 0; i < 100; i++) {
      assertThat(many.get("p" + i)).isEqualTo(String.valueOf(i)); // the first of three
    }
    assertThat(many.get("p100")).isNull();
    assertThat(many.get("")).isNull();
  }

  @Test
  void aBadEscapeInAParameterNobodyReadsStillRefusesTheLine() {
    RecordingSink sink = decode("%%<message::false:chan.hangup::id=sip/7:never=read%q");

    assertThat(sink.frames).isEmpty();
    assertThat(sink.malformed).singleElement().asString().contains("invalid escape %q");
  }

  @Test
  void anEscapeCutByTheFieldsEndRefusesTheLine() {
    RecordingSink sink = decode("%%<message::false:chan.hangup::id=sip/7%:next=1");

    assertThat(sink.frames).isEmpty();
    assertThat(sink.malformed).singleElement().asString().contains("end of a field");
  }

  @Test
  void threadsReadingOneParameterSetTogetherSeeTheSameValues() throws Exception {
    for (int round = 0; round < 50; round++) {
      Params p = wire();
      CyclicBarrier start = new CyclicBarrier(4);
      List<Thread> readers = new ArrayList<>();
      List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < 4; t++) {
        Thread reader =
            new Thread(
                () -> {
                  try {
                    start.await(30, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  seen.add(p.get("text") + "|" + p.name(3) + "|" + p.get("address"));
                });
        readers.add(reader);
        reader.start();
      }
      for (Thread reader : readers) {
        reader.join(TimeUnit.SECONDS.toMillis(30));
      }
      assertThat(seen).hasSize(4).containsOnly("a\nb|caf\u00e9|127.0.0.1:5081");
    }
  }
}
