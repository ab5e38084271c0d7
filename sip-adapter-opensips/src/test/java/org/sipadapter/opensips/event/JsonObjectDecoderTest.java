package org.sipadapter.opensips.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.transport.FrameSink;

/** The event_stream decoder on the bytes OpenSIPS 3.5.9 really wrote (fixtures 07-09). */
class JsonObjectDecoderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static final class Collect implements FrameSink<byte[]> {
    final List<String> frames = new ArrayList<>();
    final List<byte[]> raw = new ArrayList<>();
    final List<String> malformed = new ArrayList<>();

    @Override
    public void frame(byte[] frame) {
      frames.add(new String(frame, StandardCharsets.UTF_8));
      raw.add(frame);
    }

    @Override
    public void malformed(String reason) {
      malformed.add(reason);
    }
  }

  static JsonNode fixture(String name) throws Exception {
    return JSON.readTree(Fixtures.get("opensips-mi", name).bytes());
  }

  static List<String> expected(JsonNode fixture) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode n : fixture.get("notifications")) {
      out.add(JSON.writeValueAsString(n));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"07-events-stream.json", "08-events-stream.json", "09-events-stream.json"})
  void recordedStreamSplitAnywhereGivesTheRecordedNotifications(String file) throws Exception {
    JsonNode f = fixture(file);
    byte[] raw = f.get("raw_stream").asText().getBytes(StandardCharsets.UTF_8);
    Random random = new Random(file.hashCode());
    for (int round = 0; round < 200; round++) {
      JsonObjectDecoder decoder = new JsonObjectDecoder();
      Collect sink = new Collect();
      int i = 0;
      while (i < raw.length) {
        int n = Math.min(raw.length - i, 1 + random.nextInt(round % 2 == 0 ? 7 : 300));
        decoder.decode(ByteBuffer.wrap(raw, i, n), sink);
        i += n;
      }
      assertThat(sink.frames).isEqualTo(expected(f));
      assertThat(sink.malformed).isEmpty();
    }
  }

  @Test
  void garbageBetweenObjectsIsReportedAndSkippedWithoutLosingEvents() throws Exception {
    JsonNode f = fixture("07-events-stream.json");
    List<String> events = expected(f);
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    byte[] garbage = "garbage ]] }} \r\n\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    for (String e : events) {
      stream.write(garbage);
      stream.write(e.getBytes(StandardCharsets.UTF_8));
    }
    byte[] raw = stream.toByteArray();
    Random random = new Random(7);
    JsonObjectDecoder decoder = new JsonObjectDecoder();
    Collect sink = new Collect();
    for (int i = 0; i < raw.length; ) {
      int n = Math.min(raw.length - i, 1 + random.nextInt(40));
      decoder.decode(ByteBuffer.wrap(raw, i, n), sink);
      i += n;
    }
    assertThat(sink.frames).isEqualTo(events);
    assertThat(sink.malformed).hasSize(events.size());
  }

  @Test
  void nulInsideAnObjectDropsOnlyThatObject() {
    Collect sink = new Collect();
    byte[] raw =
        "{\"method\":\"E_X\",\u0000 broken{\"jsonrpc\":\"2.0\",\"method\":\"E_Y\"}"
            .getBytes(StandardCharsets.UTF_8);
    new JsonObjectDecoder().decode(ByteBuffer.wrap(raw), sink);
    assertThat(sink.frames).containsExactly("{\"jsonrpc\":\"2.0\",\"method\":\"E_Y\"}");
    assertThat(sink.malformed).hasSize(2);
  }

  /**
   * What a real OpenSIPS 3.5.9 wrote for the 180 of a UA session started over MI: eight bytes of
   * its memory (with NUL bytes and bytes that are not UTF-8) raw inside the {@code headers} string.
   * The object is kept and parses, its other fields intact.
   */
  @Test
  void memoryBytesInsideAStringKeepTheObjectAndItParses() {
    byte[] head =
        ("{\"jsonrpc\":\"2.0\",\"method\":\"E_UA_SESSION\",\"params\":{\"key\":"
                + "\"B2B.445.7946227.1796188516.326707292\",\"event_type\":\"EARLY\","
                + "\"entity_type\":\"UAC\",\"status\":180,\"reason\":\"Ringing\","
                + "\"method\":\"INVITE\",\"body\":\"\",\"headers\":\"Via: SIP/2.0/UDP"
                + " 127.0.0.1:56072;branch=z9hG4bK1c51.7deb75d5.0\\r\\nFrom: <sip:1000@127.0.")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] memory = {0x10, (byte) 0xd0, 0x63, 0x72, 0x42, 0x7f, 0x00, 0x00};
    byte[] tail =
        ("padapter=73fc3050554a.0d74a4cc-9261-4312-9ba8-0b5a11194315>;tag=7c5bdc8a-4a11\\r\\n"
                + "To: <sip:bob@127.0.0.1:59325>;tag=31215SIPpTag016\\r\\nContent-Length: 0"
                + "\\r\\n\"}}{\"jsonrpc\":\"2.0\",\"method\":\"E_Y\"}")
            .getBytes(StandardCharsets.US_ASCII);
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    raw.writeBytes(head);
    raw.writeBytes(memory);
    raw.writeBytes(tail);
    Collect sink = new Collect();

    new JsonObjectDecoder().decode(ByteBuffer.wrap(raw.toByteArray()), sink);

    assertThat(sink.malformed).isEmpty();
    assertThat(sink.raw).hasSize(2);
    DialogStateEvent e = DialogStateEvent.parse(sink.raw.get(0));
    assertThat(e.name()).isEqualTo("E_UA_SESSION");
    assertThat(e.fields())
        .containsEntry("key", "B2B.445.7946227.1796188516.326707292")
        .containsEntry("event_type", "EARLY")
        .containsEntry("status", "180");
    assertThat(e.fields().get("headers")).contains("To: <sip:bob@127.0.0.1:59325>");
    assertThat(e.damaged("headers")).isTrue();
    assertThat(e.damaged("key")).isFalse();
  }

  @Test
  void bracesAndEscapedQuotesInsideStringsDoNotEndAnObject() {
    Collect sink = new Collect();
    String tricky = "{\"params\":{\"callid\":\"a}\\\"{[b\",\"x\":[1,{\"y\":\"]\"}]}}";
    new JsonObjectDecoder().decode(ByteBuffer.wrap((tricky + tricky).getBytes()), sink);
    assertThat(sink.frames).containsExactly(tricky, tricky);
  }

  @Test
  void oversizedObjectIsSkippedAndTheNextOneDecoded() {
    Collect sink = new Collect();
    String big = "{\"pad\":\"" + "x".repeat(2000) + "\"}";
    String small = "{\"method\":\"E_OK\"}";
    new JsonObjectDecoder(1024).decode(ByteBuffer.wrap((big + small).getBytes()), sink);
    assertThat(sink.frames).containsExactly(small);
    assertThat(sink.malformed).singleElement().asString().contains("1024");
  }

  @Test
  void recordedNotificationParsesToItsDialogStates() throws Exception {
    String first = expected(fixture("07-events-stream.json")).get(0);
    DialogStateEvent e = DialogStateEvent.parse(first.getBytes(StandardCharsets.UTF_8));
    assertThat(e.isDialogStateChange()).isTrue();
    assertThat(e.dialogId()).isEqualTo("2da.69ee64b1");
    assertThat(e.callId()).isEqualTo("1-31422@127.0.0.1");
    assertThat(e.oldState()).isEqualTo(DialogState.UNCONFIRMED);
    assertThat(e.newState()).isEqualTo(DialogState.EARLY);
  }
}
