package org.sipadapter.cli;

/**
 * The exit codes of the {@code sipadapter} command, listed in {@code --help}. Scripts may rely on
 * them: they only ever gain new numbers.
 */
public final class ExitCodes {
  /** The command did what was asked (for {@code demo}: every call ended as expected). */
  public static final int OK = 0;

  /**
   * The command ran but the outcome is not the good one: a demo or {@code --wait} call did not end
   * as expected, a health check is not HEALTHY, a load run had failed calls.
   */
  public static final int NOT_OK = 1;

  /** Bad command-line usage: unknown option, missing argument, malformed value. */
  public static final int USAGE = 2;

  /** The configuration file cannot be read or holds problems (all are listed, with YAML paths). */
  public static final int CONFIG = 3;

  /** A server could not be reached, or the link to it was lost. */
  public static final int UNREACHABLE = 4;

  /** A server refused the credentials. */
  public static final int AUTH = 5;

  /**
   * A call operation was refused: unknown call id, the server rejected the request, or the adapter
   * lacks the feature.
   */
  public static final int CALL = 6;

  /** A server did not answer within the configured request timeout. */
  public static final int TIMEOUT = 7;

  /** An unexpected internal error; the message says what failed. */
  public static final int INTERNAL = 70;

  /** Interrupted (Ctrl-C) before a command that does not expect it had finished. */
  public static final int INTERRUPTED = 130;

  /** The lines shown under "Exit codes" in every command's help. */
  static final String[] HELP = {
    "0:success",
    "1:ran, but the outcome is bad (a call did not end as expected, health not HEALTHY,"
        + " failed calls in a load run)",
    "2:bad command-line usage",
    "3:configuration problem (every problem is listed with its YAML path)",
    "4:server unreachable or link lost",
    "5:credentials refused",
    "6:call operation refused (unknown call id, rejected by the server, unsupported feature)",
    "7:server did not answer in time",
    "70:internal error",
    "130:interrupted"
  };

  private ExitCodes() {}
}
