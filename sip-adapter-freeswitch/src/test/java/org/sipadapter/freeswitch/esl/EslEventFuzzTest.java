package org.sipadapter.freeswitch.esl;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.sipadapter.freeswitch.ChannelEventMapper;

/**
 * Coverage-guided checks of the two event body readers on any bytes: a {@code text/event-plain}
 * body always reads (bad escapes are kept literally), a {@code text/event-json} body reads or fails
 * with {@link EslFormatException} only, and nothing the adapter then asks of the event throws.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class EslEventFuzzTest {

  private static final byte[] PLAIN_HEADER =
      "Content-Type: text/event-plain\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] JSON_HEADER =
      "Content-Type: text/event-json\n".getBytes(StandardCharsets.US_ASCII);

  @FuzzTest
  void plainEvent(byte[] body) {
    EslEvent event = new EslFrame(EslContentType.EVENT_PLAIN, PLAIN_HEADER, body).event();
    read(event);
    ChannelEventMapper.map(event);
  }

  @FuzzTest
  void jsonEvent(byte[] body) {
    EslEvent event;
    try {
      event = new EslFrame(EslContentType.EVENT_JSON, JSON_HEADER, body).event();
    } catch (EslFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    read(event);
    ChannelEventMapper.map(event);
  }

  /** The lookups tracking and listeners make; none may throw. */
  static void read(EslEvent event) {
    assertThat(event.name()).isNotNull();
    event.uniqueId();
    event.headerOrNull("event-name");
    event.headerOrNull("Content-Length");
    event.headerValues("variable_sip_h_X-Fuzz");
    event.headerValues("Event-Name");
    assertThat(event.headers()).isNotNull();
    event.body();
    event.toString();
  }
}
