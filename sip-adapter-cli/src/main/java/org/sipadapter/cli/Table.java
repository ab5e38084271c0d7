package org.sipadapter.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain text table with left-aligned columns sized to their content. Not thread-safe. */
final class Table {
  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    this.header = header;
  }

  void row(String... cells) {
    if (cells.length != header.length) {
      throw new IllegalArgumentException(
          "expected " + header.length + " cells, got " + cells.length);
    }
    rows.add(cells);
  }

  List<String> lines() {
    int[] width = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      width[i] = header[i].length();
      for (String[] r : rows) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    List<String> out = new ArrayList<>();
    out.add(line(header, width));
    for (String[] r : rows) {
      out.add(line(r, width));
    }
    return out;
  }

  void print(Console console) {
    lines().forEach(console::out);
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      sb.append(cells[i]);
      if (i < cells.length - 1) {
        sb.append(" ".repeat(width[i] - cells[i].length() + 2));
      }
    }
    return sb.toString().stripTrailing();
  }
}
