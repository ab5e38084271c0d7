package org.sipadapter.sipp.agent;

/**
 * The outcome of a finished run, judged from SIPp's exit code and its {@code -trace_stat} file
 * together: an exit code alone proves nothing (SIGTERM exits 0 with calls cut short; 99 means no
 * call was processed).
 */
public enum Verdict {
  /** Exit 0 and the stat file shows calls, all successful. */
  PASSED,
  /** Exit 1, or failed calls in the stat file. */
  FAILED,
  /** No call was processed (exit 99, or no call in the stat file). */
  NO_CALLS,
  /** Exit 0 but the stat file is missing or says otherwise. */
  INCONSISTENT,
  /** Exit 97: internal command or global timeout without a successful call. */
  ABORTED,
  /** Exit 254: SIPp could not bind its socket. */
  BIND_ERROR,
  /** Exit 255 or another code: fatal error (bad scenario, bad option). */
  ERROR,
  /** Ended by a signal the agent sent after a stop request (the run was stopped). */
  STOPPED;

  /**
   * Judges a run.
   *
   * @param exitCode SIPp's exit code
   * @param stats the final stats
   * @param stopRequested whether the run was stopped through the API
   * @return the verdict
   */
  public static Verdict judge(int exitCode, StatCsv.RunStats stats, boolean stopRequested) {
    long calls = stats.successfulCalls() + stats.failedCalls();
    return switch (exitCode) {
      case 0 -> {
        if (stats.rows() == 0) {
          yield stopRequested ? STOPPED : INCONSISTENT;
        }
        if (stats.failedCalls() > 0) {
          yield FAILED;
        }
        if (calls == 0) {
          yield stopRequested ? STOPPED : NO_CALLS;
        }
        yield PASSED;
      }
      case 1 -> stats.failedCalls() > 0 || stats.rows() == 0 ? FAILED : INCONSISTENT;
      case 97 -> ABORTED;
      case 99 -> stats.successfulCalls() > 0 ? INCONSISTENT : NO_CALLS;
      case 254 -> BIND_ERROR;
      case 255 -> ERROR;
      default -> stopRequested ? STOPPED : ERROR;
    };
  }
}
