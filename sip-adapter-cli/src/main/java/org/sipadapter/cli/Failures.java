package org.sipadapter.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallException;
import org.sipadapter.ConfigurationException;
import org.sipadapter.UnsupportedFeatureException;

/**
 * Turns an exception into what a person reads and the exit code a script sees. Each message says
 * what failed and what to try next; none contains a secret (the {@link Console} masks any that a
 * server quoted back).
 */
final class Failures {
  private Failures() {}

  /** A failure as shown to the user. */
  record Failure(int exitCode, String message, String hint) {}

  static Failure describe(Throwable thrown) {
    Throwable e = unwrap(thrown);
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof ConfigurationException) {
      return new Failure(
          ExitCodes.CONFIG, msg, "fix the file and run again; 'sipadapter --help' lists commands");
    }
    if (e instanceof AuthenticationException) {
      return new Failure(
          ExitCodes.AUTH,
          msg,
          "check auth.username and auth.password in the config (and the server's user"
              + " permissions); the adapter does not retry refused credentials");
    }
    if (e instanceof AdapterConnectionException) {
      return new Failure(
          ExitCodes.UNREACHABLE,
          msg,
          "is the server running, and are host and port in the config right? A firewall or a"
              + " listener bound to another address gives the same error");
    }
    if (e instanceof AdapterTimeoutException) {
      return new Failure(
          ExitCodes.TIMEOUT,
          msg,
          "the server is reachable but slow or stuck; check its load, or raise timeouts.request");
    }
    if (e instanceof UnsupportedFeatureException) {
      return new Failure(
          ExitCodes.CALL, msg, "'sipadapter demo' shows the features of each adapter type");
    }
    if (e instanceof CallException) {
      return new Failure(ExitCodes.CALL, msg, null);
    }
    if (e instanceof IllegalArgumentException) {
      return new Failure(ExitCodes.USAGE, msg, null);
    }
    if (e instanceof InterruptedException) {
      return new Failure(ExitCodes.INTERRUPTED, "interrupted", null);
    }
    return new Failure(
        ExitCodes.INTERNAL,
        e.getClass().getName() + ": " + msg,
        "run again with --verbose for the log; this is a bug if the message does not explain it");
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
