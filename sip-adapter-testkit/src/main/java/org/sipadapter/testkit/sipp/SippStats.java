package org.sipadapter.testkit.sipp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The last row of a SIPp {@code -trace_stat} CSV file, read by column name.
 *
 * <p>SIPp writes one header row, a row every {@code -fd} period and a final row at exit. Columns
 * depend on the scenario (response-time and counter columns come and go), so values are looked up
 * by header name, never by position. Cumulative counters carry the {@code (C)} suffix; {@code
 * TotalCallCreated} and {@code CurrentCall} have none.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param columns every column of the row, header name to raw cell text, in file order
 * @param rows how many data rows the file held (0 when SIPp had written only the header)
 */
public record SippStats(Map<String, String> columns, int rows) {

  /** Stats of a file that holds no data row yet. */
  public static final SippStats EMPTY = new SippStats(Map.of(), 0);

  /** Copies the column map; neither argument may be null. */
  public SippStats {
    Objects.requireNonNull(columns, "columns");
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
  }

  /**
   * Parses a whole stat file. Cells are separated by {@code ;} and rows by LF; the time cells
   * contain tabs and are kept verbatim. The parser walks the bytes once and never fails on a short
   * or torn last line (SIPp may be writing it): a row shorter than the header is ignored.
   *
   * @param csv the file content; never null
   * @return the stats of the last complete row, or {@link #EMPTY}
   */
  public static SippStats parse(byte[] csv) {
    Objects.requireNonNull(csv, "csv");
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    int cellStart = 0;
    boolean lineComplete = false;
    for (int i = 0; i < csv.length; i++) {
      byte b = csv[i];
      if (b == ';') {
        row.add(cell(csv, cellStart, i));
        cellStart = i + 1;
      } else if (b == '\n') {
        if (cellStart < i) {
          row.add(cell(csv, cellStart, i));
        }
        rows.add(row);
        row = new ArrayList<>();
        cellStart = i + 1;
        lineComplete = true;
      }
    }
    if (!lineComplete || rows.isEmpty()) {
      return EMPTY;
    }
    List<String> header = rows.get(0);
    for (int r = rows.size() - 1; r >= 1; r--) {
      List<String> data = rows.get(r);
      if (data.size() >= header.size()) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (int c = 0; c < header.size(); c++) {
          columns.put(header.get(c), data.get(c));
        }
        return new SippStats(columns, r);
      }
    }
    return EMPTY;
  }

  private static String cell(byte[] csv, int from, int to) {
    int end = to;
    if (end > from && csv[end - 1] == '\r') {
      end--;
    }
    return new String(csv, from, end - from, StandardCharsets.ISO_8859_1);
  }

  /**
   * A numeric column.
   *
   * @param column the header name, such as {@code "FailedCall(C)"}
   * @return the value, or 0 when the column is absent or not a number
   */
  public long counter(String column) {
    String value = columns.get(column);
    if (value == null || value.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * A decimal column such as {@code TargetRate} or {@code CallRate(C)}.
   *
   * @param column the header name
   * @return the value, or 0 when absent or not a number
   */
  public double decimal(String column) {
    String value = columns.get(column);
    if (value == null || value.isEmpty()) {
      return 0;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Calls created since the start ({@code TotalCallCreated}). */
  public long totalCallCreated() {
    return counter("TotalCallCreated");
  }

  /** Calls in progress when the row was written ({@code CurrentCall}). */
  public long currentCalls() {
    return counter("CurrentCall");
  }

  /** Cumulative successful calls ({@code SuccessfulCall(C)}). */
  public long successfulCalls() {
    return counter("SuccessfulCall(C)");
  }

  /** Cumulative failed calls ({@code FailedCall(C)}). */
  public long failedCalls() {
    return counter("FailedCall(C)");
  }

  /** Cumulative incoming calls, for a UAS ({@code IncomingCall(C)}). */
  public long incomingCalls() {
    return counter("IncomingCall(C)");
  }

  /** Cumulative outgoing calls, for a UAC ({@code OutgoingCall(C)}). */
  public long outgoingCalls() {
    return counter("OutgoingCall(C)");
  }

  /** Cumulative retransmissions ({@code Retransmissions(C)}). */
  public long retransmissions() {
    return counter("Retransmissions(C)");
  }

  /** The configured call rate ({@code TargetRate}). */
  public double targetRate() {
    return decimal("TargetRate");
  }

  /**
   * The cumulative failure counters that are not zero, such as {@code
   * FailedUnexpectedMessage(C)=3}.
   *
   * @return column name to count, in file order; empty when nothing failed
   */
  public Map<String, Long> failureCauses() {
    Map<String, Long> causes = new LinkedHashMap<>();
    for (String column : columns.keySet()) {
      if (column.startsWith("Failed")
          && column.endsWith("(C)")
          && !column.equals("FailedCall(C)")) {
        long n = counter(column);
        if (n != 0) {
          causes.put(column, n);
        }
      }
    }
    return causes;
  }
}
