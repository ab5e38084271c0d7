package org.sipadapter.yate.rmanager;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.InputGuard;
import org.sipadapter.ProtocolException;
import org.sipadapter.config.Secret;
import org.sipadapter.transport.FramedConnection;
import org.sipadapter.transport.Futures;
import org.sipadapter.transport.InOrderCorrelator;

/**
 * A small client of Yate's remote console ({@code rmanager}, port 5038 by default) for admin facts:
 * uptime and module status. It reads the banner (after the telnet negotiation Yate sends, which it
 * drops), authenticates with {@code auth <password>} when a password is given, and runs read-only
 * commands in human mode (machine mode would add a notification of every engine message).
 *
 * <p>The password is sent once and never logged or kept in messages. Thread-safe: commands are
 * answered in order ({@link InOrderCorrelator}); each waits at most the timeout. Close it after
 * use.
 */
public final class YateRmanagerClient implements AutoCloseable {
  private final InOrderCorrelator<RmanagerReply> replies =
      new InOrderCorrelator<>("rmanager command");
  private final Duration timeout;
  private final FramedConnection<RmanagerReply> connection;
  private final String banner;

  /**
   * Connects, reads the banner and authenticates.
   *
   * @param host the console's host
   * @param port its port
   * @param password the {@code password=} of {@code rmanager.conf}, or an empty secret to skip
   *     {@code auth}
   * @param timeout for the connection and for each answer
   * @throws AuthenticationException if Yate refused the password
   * @throws AdapterConnectionException if the console cannot be reached
   * @throws AdapterTimeoutException if Yate does not answer in time
   */
  public YateRmanagerClient(String host, int port, Secret password, Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    CompletableFuture<RmanagerReply> greeting = replies.sendInOrder("banner", timeout, () -> {});
    this.connection =
        FramedConnection.open(
            new FramedConnection.Endpoint("rmanager", host, port, false, timeout),
            new RmanagerDecoder(),
            new FramedConnection.Listener<>() {
              @Override
              public void onFrame(RmanagerReply reply) {
                replies.completeNext(reply);
              }

              @Override
              public void onMalformed(String reason) {
                // a skipped over-long line; the next answer still lines up
              }

              @Override
              public void onClosed(Throwable cause) {
                replies.failAll(
                    new AdapterConnectionException("Yate closed the console connection", cause));
              }
            });
    try {
      this.banner = await(greeting, "banner").first();
      if (!password.isEmpty()) {
        String pw = password.reveal();
        InputGuard.check("rmanager password", pw);
        String answer = await(command("auth " + pw, "auth"), "auth").first();
        if (!answer.startsWith("Authenticated")) {
          throw new AuthenticationException(
              "Yate's console refused the password ("
                  + answer
                  + "); check rmanager.conf password=");
        }
      }
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** Returns the banner, such as {@code YATE 6.4.1-devel1 r (http://YATE.null.ro) ready on vm.} */
  public String banner() {
    return banner;
  }

  /**
   * Runs {@code uptime}.
   *
   * @return the engine's uptime in seconds
   * @throws ProtocolException if the answer is not an uptime line
   */
  public long uptimeSeconds() {
    String line = await(command("uptime", "uptime"), "uptime").first();
    int open = line.indexOf('(');
    int close = open < 0 ? -1 : line.indexOf(')', open);
    if (!line.startsWith("Uptime:") || close < 0) {
      throw new ProtocolException("unexpected answer to uptime: " + line);
    }
    try {
      return Long.parseLong(line.substring(open + 1, close).strip());
    } catch (NumberFormatException e) {
      throw new ProtocolException("unexpected answer to uptime: " + line);
    }
  }

  /**
   * Runs {@code status <module>} and returns the module's line split into its parts: the
   * module-info fields and counters as name/value pairs (channel entries are left out).
   *
   * @param module a module name such as {@code engine} or {@code sip}; letters, digits, {@code .-_}
   *     only
   * @return the fields, empty when Yate has no such module
   */
  public Map<String, String> status(String module) {
    for (int i = 0; i < module.length(); i++) {
      char c = module.charAt(i);
      if (!Character.isLetterOrDigit(c) && c != '.' && c != '-' && c != '_') {
        throw new IllegalArgumentException("module name must be a plain word: " + module);
      }
    }
    RmanagerReply reply = await(command("status " + module, "status"), "status");
    if (!reply.isStatus()) {
      throw new ProtocolException("unexpected answer to status: " + reply.first());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : reply.lines()) {
      if (!line.startsWith("%%")) {
        fields(line, out);
      }
    }
    return out;
  }

  /**
   * Adds the {@code k=v} pairs of the first two {@code ;}-separated parts of a status line (module
   * info and counters; the third part lists channels).
   */
  private static void fields(String line, Map<String, String> out) {
    int end = line.indexOf(';');
    end = end < 0 ? line.length() : line.indexOf(';', end + 1);
    end = end < 0 ? line.length() : end;
    int start = 0;
    while (start < end) {
      int stop = start;
      while (stop < end && line.charAt(stop) != ',' && line.charAt(stop) != ';') {
        stop++;
      }
      int eq = line.indexOf('=', start);
      if (eq > start && eq < stop) {
        out.putIfAbsent(line.substring(start, eq), line.substring(eq + 1, stop));
      }
      start = stop + 1;
    }
  }

  private CompletableFuture<RmanagerReply> command(String line, String description) {
    byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
    return replies.sendInOrder(description, timeout, () -> connection.send(bytes));
  }

  private <T> T await(CompletableFuture<T> f, String what) {
    return Futures.await(f, timeout, "Yate's console: " + what);
  }

  /** Sends {@code quit} and closes the connection; never throws. */
  @Override
  public void close() {
    try {
      connection.send("quit\r\n".getBytes(StandardCharsets.US_ASCII));
    } catch (RuntimeException ignored) {
      // closing anyway
    }
    connection.close();
    replies.failAll(new AdapterConnectionException("console client closed"));
  }
}
