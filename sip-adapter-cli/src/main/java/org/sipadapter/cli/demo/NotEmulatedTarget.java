package org.sipadapter.cli.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An adapter type the demo cannot run on its own: the testkit has no emulator for its server and
 * the demo does not start the real one. It is listed as skipped, with what to do instead.
 */
abstract class NotEmulatedTarget implements DemoTarget {
  private final String type;
  private final String server;
  private final String executable;

  NotEmulatedTarget(String type, String server, String executable) {
    this.type = type;
    this.server = server;
    this.executable = executable;
  }

  @Override
  public String adapterType() {
    return type;
  }

  @Override
  public int order() {
    return 900;
  }

  @Override
  public Optional<String> unavailableReason() {
    Optional<String> noAdapter = Unavailable.ifNoAdapter(type);
    if (noAdapter.isPresent()) {
      return noAdapter;
    }
    boolean installed =
        executable != null
            && (Files.isExecutable(Path.of("/usr/bin", executable))
                || Files.isExecutable(Path.of("/usr/sbin", executable)));
    return Optional.of(
        "no "
            + server
            + " emulator in the testkit"
            + (installed ? "" : " and no " + server + " installed")
            + "; try it against your server with 'sipadapter health -c "
            + type
            + ".yaml'");
  }

  @Override
  public DemoServer start() {
    throw new UnsupportedOperationException(unavailableReason().orElse(type));
  }

  /** OpenSIPS: MI over HTTP. */
  public static final class OpenSips extends NotEmulatedTarget {
    /** Creates the target. */
    public OpenSips() {
      super("opensips", "OpenSIPS", "opensips");
    }
  }

  /** Yate: extmodule. */
  public static final class Yate extends NotEmulatedTarget {
    /** Creates the target. */
    public Yate() {
      super("yate", "Yate", "yate");
    }
  }

  /** pjsua2: an in-process user agent that needs the native pjsua2 library. */
  public static final class Pjsua extends NotEmulatedTarget {
    /** Creates the target. */
    public Pjsua() {
      super("pjsua", "pjsua2 peer", null);
    }
  }
}
