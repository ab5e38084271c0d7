package org.sipadapter.kamailio.evapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipadapter.kamailio.dialog.DialogKey;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.transport.FrameSink;

class DialogEventTest {

  @Test
  void recordedStreamParsesIntoStartStartStartEndFailed() throws IOException {
    List<DialogEvent> events = new ArrayList<>();
    new NetstringDecoder()
        .decode(
            ByteBuffer.wrap(NetstringDecoderTest.recordedStream()),
            new FrameSink<byte[]>() {
              @Override
              public void frame(byte[] payload) {
                DialogEvent.parse(payload).ifPresent(events::add);
              }

              @Override
              public void malformed(String reason) {
                throw new AssertionError(reason);
              }
            });

    assertThat(events)
        .extracting(DialogEvent::kind)
        .containsExactly(
            DialogEvent.Kind.START,
            DialogEvent.Kind.START,
            DialogEvent.Kind.START,
            DialogEvent.Kind.END,
            DialogEvent.Kind.FAILED);
    DialogEvent first = events.get(0);
    assertThat(first.key()).isEqualTo(new DialogKey(3182, 9442));
    assertThat(first.callId()).isEqualTo("1-32554@127.0.0.1");
    assertThat(first.fromUri()).isEqualTo("sip:sipp@127.0.0.1:5195");
    assertThat(first.toUri()).isEqualTo("sip:service@127.0.0.1:5160");
    assertThat(first.state()).isEqualTo(DialogState.CONFIRMED_NOT_ACKED);
    assertThat(events.get(3).fromUri()).isEmpty();
    assertThat(events.get(4).state()).isEqualTo(DialogState.DELETED);
    assertThat(events.get(4).fields()).containsEntry("h_entry", "3685");
  }

  @Test
  void unknownEventNamesAreKeptAsOther() {
    DialogEvent e = parse("{\"event\":\"custom:thing\",\"x\":1}");
    assertThat(e.kind()).isEqualTo(DialogEvent.Kind.OTHER);
    assertThat(e.name()).isEqualTo("custom:thing");
    assertThat(e.fields()).containsEntry("x", "1");
  }

  @Test
  void refusesPayloadsThatAreNotDialogEvents() {
    assertThatThrownBy(() -> parse("{\"event\":\"dialog:start\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> parse("{\"event\":\"dialog:end\",\"h_entry\":1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callid");
  }

  @Test
  void emptyPayloadIsNoEvent() {
    assertThat(DialogEvent.parse(new byte[0])).isEmpty();
  }

  private static DialogEvent parse(String json) {
    return DialogEvent.parse(json.getBytes(StandardCharsets.UTF_8)).orElseThrow();
  }
}
