package org.sipadapter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in this JVM as a user would type it, capturing both outputs. */
final class CliRun {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private volatile int exitCode = -1;

  static CliRun of(String... args) {
    CliRun r = new CliRun();
    r.exitCode =
        SipAdapterCli.execute(new PrintWriter(r.out, true), new PrintWriter(r.err, true), args);
    return r;
  }

  /** Starts the command on another thread; read {@link #out()} while it runs. */
  static CliRun inBackground(String... args) {
    CliRun r = new CliRun();
    Thread t =
        new Thread(
            () ->
                r.exitCode =
                    SipAdapterCli.execute(
                        new PrintWriter(r.out, true), new PrintWriter(r.err, true), args),
            "cli-under-test");
    t.setDaemon(true);
    t.start();
    return r;
  }

  int exitCode() {
    return exitCode;
  }

  synchronized String out() {
    return out.toString();
  }

  synchronized String err() {
    return err.toString();
  }

  String all() {
    return out() + err();
  }

  static Path yaml(Path dir, String text) {
    try {
      Path p = Files.createTempFile(dir, "adapters", ".yaml");
      Files.writeString(p, text);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out() + "--- err\n" + err();
  }
}
