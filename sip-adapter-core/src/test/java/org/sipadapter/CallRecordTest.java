package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallRecordTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  private static CallRecord record(String from, String causeText, Instant answeredAt) {
    return new CallRecord(
        "if://call/1",
        "pbx-1",
        "asterisk",
        CallDirection.OUTBOUND,
        from,
        "2000",
        T0,
        answeredAt,
        T0.plusSeconds(65),
        answeredAt == null ? CallState.FAILED : CallState.DISCONNECTED,
        HangupCause.NORMAL_CLEARING.withText(causeText),
        answeredAt == null ? Disposition.CANCELLED : Disposition.ANSWERED,
        Map.of("Uniqueid", "1714557600.1"));
  }

  @Test
  void setupAndBillableTimesComeFromTheTimestamps() {
    CallRecord r = record("1000", "ok", T0.plusSeconds(5));

    assertThat(r.setupTime().toMillis()).isEqualTo(5000);
    assertThat(r.billableDuration().toMillis()).isEqualTo(60000);
    assertThat(record("1000", "ok", null).billableDuration()).isZero();
  }

  @Test
  void jsonLinesHoldOneObjectPerLineWithEveryField() throws Exception {
    StringWriter out = new StringWriter();
    CallRecord.writeJsonLines(
        List.of(record("1000", "line\nbreak", T0.plusSeconds(5)), record("1001", "x", null)), out);

    String[] lines = out.toString().split("\n");
    assertThat(lines).hasSize(2);
    JsonNode n = new ObjectMapper().readTree(lines[0]);
    assertThat(n.get("callId").asText()).isEqualTo("if://call/1");
    assertThat(n.get("causeText").asText()).isEqualTo("line\nbreak");
    assertThat(n.get("setupMs").asLong()).isEqualTo(5000);
    assertThat(n.get("durationMs").asLong()).isEqualTo(60000);
    assertThat(n.get("disposition").asText()).isEqualTo("ANSWERED");
    assertThat(n.get("q850").asInt()).isEqualTo(16);
    assertThat(n.get("serverIds").get("Uniqueid").asText()).isEqualTo("1714557600.1");
    assertThat(new ObjectMapper().readTree(lines[1]).get("answeredAt").isNull()).isTrue();
  }

  @Test
  void csvHasTheHeaderAndQuotesSeparatorsQuotesAndLineBreaks() {
    StringWriter out = new StringWriter();
    CallRecord.writeCsv(List.of(record("\"Bob\", 1000", "a\r\nb", null)), out);

    String[] lines = out.toString().split("\r\n", 2);
    assertThat(lines[0]).isEqualTo(CallRecord.CSV_HEADER);
    assertThat(lines[1]).contains("\"\"\"Bob\"\", 1000\"").contains("\"a\r\nb\"");
  }

  @Test
  void csvDefusesSpreadsheetFormulas() {
    assertThat(record("=HYPERLINK(\"http://evil\")", "+cmd", null).toCsvRow())
        .contains("\"'=HYPERLINK(\"\"http://evil\"\")\"")
        .contains("\"'+cmd\"");
    assertThat(record("@SUM(A1)", "-2+3", null).toCsvRow())
        .contains("\"'@SUM(A1)\"")
        .contains("\"'-2+3\"");
  }

  @Test
  void csvLeavesNegativeNumbersAlone() {
    assertThat(record("-42", "ok", null).toCsvRow()).contains(",-42,");
  }

  @Test
  void serverDurationsReplaceTheTimesButKeepTheEnd() {
    CallRecord r = record("1000", "ok", null);
    CallRecord merged =
        r.withServerDurations(
            java.time.Duration.ofSeconds(7),
            java.time.Duration.ofSeconds(4),
            java.util.Map.of("CdrDisposition", "ANSWERED"));

    assertThat(r.timeSource()).isEqualTo(CallRecord.TimeSource.ADAPTER);
    assertThat(merged.timeSource()).isEqualTo(CallRecord.TimeSource.SERVER_CDR);
    assertThat(merged.endedAt()).isEqualTo(r.endedAt());
    assertThat(merged.billableDuration()).isEqualTo(java.time.Duration.ofSeconds(4));
    assertThat(merged.setupTime()).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(merged.serverIds()).containsEntry("CdrDisposition", "ANSWERED");
    assertThat(merged.toCsvRow()).endsWith(",SERVER_CDR");
  }
}
