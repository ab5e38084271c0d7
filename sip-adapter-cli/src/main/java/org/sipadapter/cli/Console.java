package org.sipadapter.cli;

import java.io.PrintWriter;

/**
 * Where a command writes: standard output for results, standard error for progress and errors.
 * Every line passes through the {@link Redactor}, and lines from different threads (event delivery,
 * the main thread) never interleave. Thread-safe.
 */
final class Console {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Redactor redactor;
  private final boolean terminal;
  private boolean progressOpen;

  Console(PrintWriter out, PrintWriter err, Redactor redactor, boolean terminal) {
    this.out = out;
    this.err = err;
    this.redactor = redactor;
    this.terminal = terminal;
  }

  /** Prints a result line to standard output and flushes it. */
  synchronized void out(String line) {
    out.println(redactor.apply(line));
    out.flush();
  }

  /** Prints a progress or error line to standard error and flushes it. */
  synchronized void err(String line) {
    err.println(redactor.apply(line));
    err.flush();
  }

  /**
   * Rewrites the current line of standard error (for a live progress line); a newline follows with
   * {@link #endProgress()}.
   */
  synchronized void progress(String line) {
    err.print("\r" + redactor.apply(line) + "\u001b[K");
    err.flush();
  }

  /** Ends a progress line. */
  synchronized void endProgress() {
    err.println();
    err.flush();
  }

  Redactor redactor() {
    return redactor;
  }
}
