package org.sipadapter.freeswitch.esl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;

class EslEventTest {

  private static EslFrame frame(String type, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("Content-Length: " + b.length + "\nContent-Type: " + type + "\n\n")
            .getBytes(StandardCharsets.UTF_8);
    RecordingSink sink = new RecordingSink();
    new EslFrameDecoder().decode(ByteBuffer.wrap(EslFrameDecoderTest.concat(head, b)), sink);
    assertThat(sink.frames).hasSize(1);
    return sink.frames.get(0);
  }

  private static EslEvent plain(String body) {
    return frame("text/event-plain", body).event();
  }

  private static EslEvent json(String body) {
    return frame("text/event-json", body).event();
  }

  @Test
  void plainValuesArePercentDecodedAndPlusStaysAPlus() {
    EslEvent e =
        plain(
            "Event-Name: CHANNEL_CREATE\n"
                + "Event-Date-Local: 2026-11-26%2005%3A41%3A16\n"
                + "FreeSWITCH-IPv6: fd00%3A%3A2\n"
                + "Caller-Caller-ID-Number: +15551234\n"
                + "variable_name: Jos%C3%A9%20M%C3%BCller\n");
    assertThat(e.name()).isEqualTo("CHANNEL_CREATE");
    assertThat(e.headerOrNull("Event-Date-Local")).isEqualTo("2026-11-26 05:41:16");
    assertThat(e.headerOrNull("FreeSWITCH-IPv6")).isEqualTo("fd00::2");
    assertThat(e.headerOrNull("Caller-Caller-ID-Number")).isEqualTo("+15551234");
    assertThat(e.headerOrNull("variable_name")).isEqualTo("José Müller");
  }

  @Test
  void brokenEscapesAreKeptLiterally() {
    EslEvent e = plain("Event-Name: X\nA: 100%\nB: %G1x\nC: %2\nD: %%41\n");
    assertThat(e.headerOrNull("A")).isEqualTo("100%");
    assertThat(e.headerOrNull("B")).isEqualTo("%G1x");
    assertThat(e.headerOrNull("C")).isEqualTo("%2");
    assertThat(e.headerOrNull("D")).isEqualTo("%A");
  }

  @Test
  void emptyValuesColonsInValuesAndMissingHeaders() {
    EslEvent e = plain("Event-Name: X\nEmpty: \nNoSpace:v\nUrl: sip%3Aa@b:5060\n");
    assertThat(e.headerOrNull("Empty")).isEmpty();
    assertThat(e.headerOrNull("NoSpace")).isEqualTo("v");
    assertThat(e.headerOrNull("Url")).isEqualTo("sip:a@b:5060");
    assertThat(e.headerOrNull("Absent")).isNull();
    assertThat(e.header("Absent")).isEmpty();
  }

  @Test
  void namesMatchExactlyFirstThenIgnoringCase() {
    EslEvent e = plain("Event-Name: X\nunique-id: lower\n");
    assertThat(e.uniqueId()).isEqualTo("lower");
  }

  @Test
  void aLaterExactMatchWinsOverAnEarlierOneIgnoringCase() {
    EslEvent e = plain("Event-Name: X\nUNIQUE-ID: upper\nunique-id: lower\nUnique-ID: exact\n");
    assertThat(e.uniqueId()).isEqualTo("exact");
    assertThat(e.headerOrNull("unique-ID")).isEqualTo("upper"); // no exact line: the first
  }

  @Test
  void aPrefixOfAHeaderNameDoesNotMatch() {
    EslEvent e = plain("Event-Name: X\nUnique-ID-Extra: no\nUnique-ID: yes\n");
    assertThat(e.uniqueId()).isEqualTo("yes");
  }

  @Test
  void plainEventBodyFollowsTheInnerEmptyLine() {
    EslEvent e =
        plain(
            "Event-Name: BACKGROUND_JOB\nJob-UUID: j-1\nJob-Command: originate\n"
                + "Content-Length: 41\n\n+OK 6f1c2b7d-0000-4000-8000-000000000001\n");
    assertThat(e.headerOrNull("Job-UUID")).isEqualTo("j-1");
    assertThat(e.body()).hasValue("+OK 6f1c2b7d-0000-4000-8000-000000000001\n");
    assertThat(e.headers())
        .containsOnlyKeys("Event-Name", "Job-UUID", "Job-Command", "Content-Length");
  }

  @Test
  void plainEventWithoutBodyHasNone() {
    assertThat(plain("Event-Name: HEARTBEAT\n").body()).isEmpty();
  }

  @Test
  void headersKeepWireOrder() {
    EslEvent e = plain("Event-Name: X\nB: 2\nA: 1\n");
    assertThat(e.headers().keySet()).containsExactly("Event-Name", "B", "A");
  }

  @Test
  void arrayHeadersSplitIntoValues() {
    EslEvent e = plain("Event-Name: X\nvariable_list: ARRAY::a|:b%7Cc|:\n");
    assertThat(e.headerValues("variable_list")).containsExactly("a", "b|c", "");
    assertThat(e.headerValues("Event-Name")).containsExactly("X");
    assertThat(e.headerValues("none")).isEmpty();
  }

  @Test
  void jsonEventsKeepStringsWithOddCharacters() {
    EslEvent e =
        json(
            "{\"Event-Name\":\"CUSTOM\",\"Event-Subclass\":\"conference::maintenance\","
                + "\"Quote\":\"say \\\"hi\\\"\",\"Unicode\":\"Jos\\u00e9 \u00fc\","
                + "\"Newline\":\"a\\nb\",\"Percent\":\"100%20\",\"Empty\":\"\","
                + "\"Number\":42,\"Bool\":true,\"Null\":null,\"Nested\":{\"x\":[1]},"
                + "\"List\":[\"a\",\"b\"],\"_body\":\"+OK done\\n\"}");
    assertThat(e.name()).isEqualTo("CUSTOM");
    assertThat(e.headerOrNull("Quote")).isEqualTo("say \"hi\"");
    assertThat(e.headerOrNull("Unicode")).isEqualTo("José ü");
    assertThat(e.headerOrNull("Newline")).isEqualTo("a\nb");
    assertThat(e.headerOrNull("Percent")).as("json values are not url-encoded").isEqualTo("100%20");
    assertThat(e.headerOrNull("Empty")).isEmpty();
    assertThat(e.headerOrNull("Number")).isEqualTo("42");
    assertThat(e.headerOrNull("Bool")).isEqualTo("true");
    assertThat(e.headerOrNull("Null")).isEmpty();
    assertThat(e.headerOrNull("Nested")).isEqualTo("{}");
    assertThat(e.headerValues("List")).containsExactly("a", "b");
    assertThat(e.body()).hasValue("+OK done\n");
    assertThat(e.headers()).doesNotContainKey("_body");
  }

  @Test
  void jsonThatIsNotAnObjectIsAFormatError() {
    EslFrame f = frame("text/event-json", "[1,2]");
    assertThatThrownBy(f::event).isInstanceOf(EslFormatException.class);
    EslFrame truncated = frame("text/event-json", "{\"Event-Name\":\"X\"");
    assertThatThrownBy(truncated::event).isInstanceOf(EslFormatException.class);
  }

  @Test
  void framesWithoutAnEventRefuseToGiveOne() {
    EslFrame f = frame("api/response", "+OK\n");
    assertThat(f.hasEvent()).isFalse();
    assertThatThrownBy(f::event).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void jsonFixtureEventsGiveTheSameValuesAsTheirDecodedHeaders() {
    WireTranscript t = WireTranscript.read(Fixtures.get("esl", "14-event-json-all-one-call.txt"));
    RecordingSink sink = new RecordingSink();
    new EslFrameDecoder().decode(ByteBuffer.wrap(t.serverBytes()), sink);
    long jobs =
        sink.frames.stream()
            .filter(f -> f.contentType() == EslContentType.EVENT_JSON)
            .map(EslFrame::event)
            .filter(e -> e.name().equals("BACKGROUND_JOB"))
            .peek(
                e -> assertThat(e.body()).hasValueSatisfying(b -> assertThat(b).startsWith("+OK ")))
            .count();
    assertThat(jobs).isEqualTo(1);
  }

  @Test
  void plainFixtureBackgroundJobCarriesTheOriginateResult() {
    WireTranscript t = WireTranscript.read(Fixtures.get("esl", "04-originate-busy.txt"));
    RecordingSink sink = new RecordingSink();
    new EslFrameDecoder().decode(ByteBuffer.wrap(t.serverBytes()), sink);
    EslEvent job =
        sink.frames.stream()
            .filter(f -> f.contentType() == EslContentType.EVENT_PLAIN)
            .map(EslFrame::event)
            .filter(e -> e.name().equals("BACKGROUND_JOB"))
            .findFirst()
            .orElseThrow();
    assertThat(job.body()).hasValue("-ERR USER_BUSY\n");
    assertThat(
            sink.frames.stream()
                .filter(f -> f.contentType() == EslContentType.EVENT_PLAIN)
                .map(EslFrame::event)
                .filter(e -> e.name().equals("CHANNEL_HANGUP"))
                .map(e -> e.headerOrNull("Hangup-Cause")))
        .contains("USER_BUSY");
  }
}
