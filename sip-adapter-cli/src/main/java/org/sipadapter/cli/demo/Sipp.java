package org.sipadapter.cli.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small shared helpers for targets that use SIPp processes. */
final class Sipp {
  private Sipp() {}

  /** Tells whether a {@code sipp} executable is on the usual paths. */
  static boolean installed() {
    for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
      if (Files.isExecutable(Path.of(dir, "sipp"))) {
        return true;
      }
    }
    return false;
  }

  /** Closes everything, last started first, ignoring failures (best-effort cleanup). */
  static void closeAll(List<AutoCloseable> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // Cleanup of demo processes: nothing more to do if one refuses to stop.
      }
    }
  }
}
