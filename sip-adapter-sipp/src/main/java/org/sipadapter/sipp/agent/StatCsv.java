package org.sipadapter.sipp.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last complete row of a SIPp {@code -trace_stat} CSV, read by column name.
 *
 * <p>SIPp writes a header row, a row every {@code -fd} period and a final row at exit; columns vary
 * with the scenario, so cells are looked up by header name. The parser walks the bytes once and
 * ignores a torn last line (SIPp may be writing it). Immutable and thread-safe.
 *
 * @param columns header name to cell text, in file order
 * @param rows data rows in the file (0 before the first)
 */
public record StatCsv(Map<String, String> columns, int rows) {

  /** A file without data rows. */
  public static final StatCsv EMPTY = new StatCsv(Map.of(), 0);

  /** Copies the map. */
  public StatCsv {
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
  }

  /**
   * Parses the file content.
   *
   * @param csv the bytes; never null
   * @return the last complete row, or {@link #EMPTY}
   */
  public static StatCsv parse(byte[] csv) {
    List<String> header = null;
    List<String> last = null;
    int dataRows = 0;
    List<String> row = new ArrayList<>();
    int cellStart = 0;
    for (int i = 0; i < csv.length; i++) {
      byte b = csv[i];
      if (b == ';') {
        row.add(cell(csv, cellStart, i));
        cellStart = i + 1;
      } else if (b == '\n') {
        if (cellStart < i) {
          row.add(cell(csv, cellStart, i));
        }
        if (header == null) {
          header = row;
        } else if (row.size() >= header.size()) {
          last = row;
          dataRows++;
        }
        row = new ArrayList<>();
        cellStart = i + 1;
      }
    }
    if (header == null || last == null) {
      return EMPTY;
    }
    Map<String, String> columns = new LinkedHashMap<>();
    for (int c = 0; c < header.size(); c++) {
      columns.put(header.get(c), last.get(c));
    }
    return new StatCsv(columns, dataRows);
  }

  private static String cell(byte[] csv, int from, int to) {
    int end = to > from && csv[to - 1] == '\r' ? to - 1 : to;
    return new String(csv, from, end - from, StandardCharsets.ISO_8859_1);
  }

  /**
   * A whole-number column.
   *
   * @param column the header name
   * @return the value, or 0 when absent or not a number
   */
  public long counter(String column) {
    String value = columns.get(column);
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * A decimal column.
   *
   * @param column the header name
   * @return the value, or 0 when absent or not a number
   */
  public double decimal(String column) {
    String value = columns.get(column);
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The non-zero cumulative failure counters other than {@code FailedCall(C)}. */
  public Map<String, Long> failureCauses() {
    Map<String, Long> causes = new LinkedHashMap<>();
    columns.forEach(
        (name, value) -> {
          if (name.startsWith("Failed") && name.endsWith("(C)") && !name.equals("FailedCall(C)")) {
            long n = counter(name);
            if (n != 0) {
              causes.put(name.substring("Failed".length(), name.length() - 3), n);
            }
          }
        });
    return causes;
  }

  /** The figures the agent reports, as a value for JSON. */
  public RunStats summary() {
    return new RunStats(
        rows,
        counter("TotalCallCreated"),
        counter("CurrentCall"),
        counter("SuccessfulCall(C)"),
        counter("FailedCall(C)"),
        counter("IncomingCall(C)"),
        counter("OutgoingCall(C)"),
        counter("Retransmissions(C)"),
        decimal("TargetRate"),
        decimal("CallRate(C)"),
        failureCauses());
  }

  /**
   * The figures of one run.
   *
   * @param rows stat rows written so far
   * @param totalCallCreated calls created
   * @param currentCalls calls in progress at the last row
   * @param successfulCalls cumulative successful calls
   * @param failedCalls cumulative failed calls
   * @param incomingCalls cumulative incoming calls
   * @param outgoingCalls cumulative outgoing calls
   * @param retransmissions cumulative retransmissions
   * @param targetRate configured rate (calls per rate period)
   * @param callRate measured cumulative rate (calls per second)
   * @param failureCauses non-zero failure counters by SIPp's name without the {@code Failed}
   *     prefix, such as {@code UnexpectedMessage}
   */
  public record RunStats(
      int rows,
      long totalCallCreated,
      long currentCalls,
      long successfulCalls,
      long failedCalls,
      long incomingCalls,
      long outgoingCalls,
      long retransmissions,
      double targetRate,
      double callRate,
      Map<String, Long> failureCauses) {}
}
