package org.sipadapter.yate.rmanager;

import java.util.List;

/**
 * One answer of Yate's remote console: a single line, or a whole {@code %%+status} ... {@code
 * %%-status} block (markers included).
 *
 * @param lines the lines, without line ends or telnet bytes
 */
public record RmanagerReply(List<String> lines) {
  /** Copies the list. */
  public RmanagerReply {
    lines = List.copyOf(lines);
  }

  /** Returns the first line, or empty. */
  public String first() {
    return lines.isEmpty() ? "" : lines.get(0);
  }

  /** Returns true for a {@code status} block. */
  public boolean isStatus() {
    return first().startsWith("%%+status");
  }
}
