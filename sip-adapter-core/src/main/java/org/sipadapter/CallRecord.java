package org.sipadapter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The unified call detail record: one per finished call, the same fields on every server. Export
 * with {@link #writeJsonLines(Iterable, Writer)} or {@link #writeCsv(Iterable, Writer)}.
 *
 * @param callId the call's id
 * @param adapterName the adapter's name
 * @param adapterType the adapter's type
 * @param direction who started the call
 * @param from the caller
 * @param to the called party
 * @param createdAt when the call was placed or first seen
 * @param answeredAt when it was answered, or null
 * @param endedAt when it ended
 * @param finalState {@link CallState#DISCONNECTED} or {@link CallState#FAILED}
 * @param cause why it ended
 * @param disposition how it ended for the caller
 * @param serverIds the server's own ids for the call
 * @param timeSource who measured {@code createdAt}, {@code answeredAt} and {@code endedAt}
 */
public record CallRecord(
    String callId,
    String adapterName,
    String adapterType,
    CallDirection direction,
    String from,
    String to,
    Instant createdAt,
    Instant answeredAt,
    Instant endedAt,
    CallState finalState,
    HangupCause cause,
    Disposition disposition,
    Map<String, String> serverIds,
    TimeSource timeSource) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Who measured a record's times. */
  public enum TimeSource {
    /** The adapter, from the events it saw (the default). */
    ADAPTER,
    /**
     * The server's own call detail record (such as Asterisk's {@code Cdr} event): the setup and
     * billable durations are the server's, to the second; {@code endedAt} stays the adapter's.
     */
    SERVER_CDR
  }

  /** The CSV header line written by {@link #writeCsv(Iterable, Writer)}. */
  public static final String CSV_HEADER =
      "call_id,adapter_name,adapter_type,direction,from,to,created_at,answered_at,ended_at,"
          + "setup_ms,duration_ms,final_state,q850,sip_status,cause,cause_text,disposition,time_source";

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a required component is null
   */
  public CallRecord {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(finalState, "finalState");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(disposition, "disposition");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(timeSource, "timeSource");
    serverIds = Map.copyOf(serverIds);
  }

  /**
   * A record whose times the adapter measured ({@link TimeSource#ADAPTER}).
   *
   * @throws NullPointerException if a required component is null
   */
  public CallRecord(
      String callId,
      String adapterName,
      String adapterType,
      CallDirection direction,
      String from,
      String to,
      Instant createdAt,
      Instant answeredAt,
      Instant endedAt,
      CallState finalState,
      HangupCause cause,
      Disposition disposition,
      Map<String, String> serverIds) {
    this(
        callId,
        adapterName,
        adapterType,
        direction,
        from,
        to,
        createdAt,
        answeredAt,
        endedAt,
        finalState,
        cause,
        disposition,
        serverIds,
        TimeSource.ADAPTER);
  }

  /**
   * Returns this record with the durations of the server's own call detail record: the call lasted
   * {@code total} from placing to end, {@code billable} of it answered. {@code endedAt} is kept;
   * {@code createdAt} and {@code answeredAt} are set back from it, and the server's fields are
   * added to the server ids.
   *
   * @param total the server's duration (Asterisk {@code Duration})
   * @param billable the server's billable duration (Asterisk {@code BillableSeconds}); zero when
   *     never answered
   * @param serverFields the server's record fields to keep, such as {@code CdrDisposition}
   * @return the record with {@link TimeSource#SERVER_CDR}
   */
  public CallRecord withServerDurations(
      Duration total, Duration billable, Map<String, String> serverFields) {
    Map<String, String> ids = new HashMap<>(serverIds);
    ids.putAll(serverFields); // copied once more, immutable, by the constructor
    Instant answered = billable.isZero() && answeredAt == null ? null : endedAt.minus(billable);
    return new CallRecord(
        callId,
        adapterName,
        adapterType,
        direction,
        from,
        to,
        endedAt.minus(total),
        answered,
        endedAt,
        finalState,
        cause,
        disposition,
        ids,
        TimeSource.SERVER_CDR);
  }

  /**
   * Returns the time from placing the call to its answer.
   *
   * @return the setup time, or {@link Duration#ZERO} if it was never answered
   */
  public Duration setupTime() {
    return answeredAt == null ? Duration.ZERO : Duration.between(createdAt, answeredAt);
  }

  /**
   * Returns the talk time, from answer to end.
   *
   * @return the billable duration, zero if never answered
   */
  public Duration billableDuration() {
    return answeredAt == null ? Duration.ZERO : Duration.between(answeredAt, endedAt);
  }

  /**
   * Returns the record as one line of JSON (no line break).
   *
   * @return the JSON object
   */
  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("callId", callId);
    n.put("adapterName", adapterName);
    n.put("adapterType", adapterType);
    n.put("direction", direction.name());
    n.put("from", from);
    n.put("to", to);
    n.put("createdAt", createdAt.toString());
    n.put("answeredAt", answeredAt == null ? null : answeredAt.toString());
    n.put("endedAt", endedAt.toString());
    n.put("setupMs", setupTime().toMillis());
    n.put("durationMs", billableDuration().toMillis());
    n.put("finalState", finalState.name());
    n.put("q850", cause.q850());
    n.put("sipStatus", cause.sipStatus());
    n.put("cause", cause.name());
    n.put("causeText", cause.text());
    n.put("disposition", disposition.name());
    n.put("timeSource", timeSource.name());
    ObjectNode ids = n.putObject("serverIds");
    new TreeMap<>(serverIds).forEach(ids::put);
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise call record", e);
    }
  }

  /**
   * Returns the record as one CSV row (RFC 4180 quoting, no line break), in the columns of {@link
   * #CSV_HEADER}.
   *
   * @return the row
   */
  public String toCsvRow() {
    Object[] cols = {
      callId,
      adapterName,
      adapterType,
      direction,
      from,
      to,
      createdAt,
      answeredAt == null ? "" : answeredAt,
      endedAt,
      setupTime().toMillis(),
      billableDuration().toMillis(),
      finalState,
      cause.q850(),
      cause.sipStatus(),
      cause.name(),
      cause.text(),
      disposition,
      timeSource
    };
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cols.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(csv(String.valueOf(cols[i] == null ? "" : cols[i])));
    }
    return sb.toString();
  }

  private static String csv(String s) {
    boolean quote = false;
    for (int i = 0; i < s.length() && !quote; i++) {
      char c = s.charAt(i);
      quote = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    // A leading = + - @ would run as a formula in spreadsheets; quoting alone does not stop it.
    if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !isNumber(s)) {
      s = "'" + s;
      quote = true;
    }
    return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Writes records as JSON lines, one object per line.
   *
   * @param records the records
   * @param out where to write; not closed
   */
  public static void writeJsonLines(Iterable<CallRecord> records, Writer out) {
    try {
      for (CallRecord r : records) {
        out.write(r.toJson());
        out.write('\n');
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes records as CSV with a header line.
   *
   * @param records the records
   * @param out where to write; not closed
   */
  public static void writeCsv(Iterable<CallRecord> records, Writer out) {
    try {
      out.write(CSV_HEADER);
      out.write("\r\n");
      for (CallRecord r : records) {
        out.write(r.toCsvRow());
        out.write("\r\n");
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
