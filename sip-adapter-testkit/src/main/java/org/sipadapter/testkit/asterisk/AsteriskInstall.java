package org.sipadapter.testkit.asterisk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the Asterisk that {@link AsteriskServer} runs is installed: either a root directory that
 * holds a whole Debian system with the {@code asterisk} package (run with {@code chroot}, as the
 * root's own {@code asterisk} user; needs the JVM to run as root), or the machine's own
 * installation (run directly, as the current user).
 *
 * <p>{@code scripts/test.sh} provisions a root and names it in the system property {@value
 * #ROOT_PROPERTY} or the environment variable {@value #ROOT_ENV}; {@link #fromEnvironment()} reads
 * them. Immutable.
 *
 * @param root the root directory, {@code /} for the machine's own installation
 * @param chroot whether Asterisk runs inside {@code root} through {@code chroot}
 * @param executable the {@code asterisk} binary, as seen from inside the root
 * @param moduleDir the directory holding the modules ({@code *.so}), as seen from inside the root
 * @param dataDir Asterisk's data directory (sounds), as seen from inside the root
 * @param runUser the user Asterisk switches to ({@code -U}), or empty to keep the current user
 */
public record AsteriskInstall(
    Path root, boolean chroot, Path executable, Path moduleDir, Path dataDir, String runUser) {

  /** System property naming a provisioned root. */
  public static final String ROOT_PROPERTY = "sipadapter.asterisk.root";

  /** Environment variable naming a provisioned root (read when the property is not set). */
  public static final String ROOT_ENV = "SIPADAPTER_ASTERISK_ROOT";

  private static final List<String> MODULE_DIRS =
      List.of(
          "usr/lib/x86_64-linux-gnu/asterisk/modules",
          "usr/lib/aarch64-linux-gnu/asterisk/modules",
          "usr/lib64/asterisk/modules",
          "usr/lib/asterisk/modules",
          "usr/local/lib/asterisk/modules");
  private static final List<String> EXECUTABLES =
      List.of("usr/sbin/asterisk", "usr/local/sbin/asterisk");

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a component is null
   */
  public AsteriskInstall {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(executable, "executable");
    Objects.requireNonNull(moduleDir, "moduleDir");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(runUser, "runUser");
  }

  /**
   * An Asterisk inside a root directory (such as the one {@code scripts/test.sh} provisions), run
   * with {@code chroot} as the root's {@code asterisk} user.
   *
   * @param root the root directory
   * @return the install
   * @throws IllegalArgumentException if the root holds no Asterisk binary or module directory
   */
  public static AsteriskInstall chroot(Path root) {
    return locate(root, true, "asterisk")
        .orElseThrow(
            () -> new IllegalArgumentException("no Asterisk binary and modules under " + root));
  }

  /**
   * The machine's own Asterisk (a package or a source build under {@code /usr} or {@code
   * /usr/local}), run directly as the current user.
   *
   * @return the install, if found
   */
  public static Optional<AsteriskInstall> host() {
    return locate(Path.of("/"), false, "");
  }

  /**
   * The root named by {@value #ROOT_PROPERTY} or {@value #ROOT_ENV}.
   *
   * @return the install, or empty when neither is set
   * @throws IllegalArgumentException if the named root holds no Asterisk
   */
  public static Optional<AsteriskInstall> fromEnvironment() {
    String configured = System.getProperty(ROOT_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(ROOT_ENV);
    }
    if (configured == null || configured.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(chroot(Path.of(configured)));
  }

  /**
   * Why a real Asterisk cannot run here, for a test's skip message.
   *
   * @return the reason, or empty when {@link #fromEnvironment()} gives an install this process can
   *     run
   */
  public static Optional<String> unavailableReason() {
    Optional<AsteriskInstall> install;
    try {
      install = fromEnvironment();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (install.isEmpty()) {
      return Optional.of(
          "no Asterisk root: set -D"
              + ROOT_PROPERTY
              + " or "
              + ROOT_ENV
              + " (scripts/test.sh provisions one when run as root)");
    }
    if (install.get().chroot() && !isRoot()) {
      return Optional.of("running Asterisk in " + install.get().root() + " needs root (chroot)");
    }
    return Optional.empty();
  }

  /**
   * Turns a path inside the root into the path the JVM sees.
   *
   * @param inside an absolute path as Asterisk sees it
   * @return the same file from outside the root
   */
  public Path outside(Path inside) {
    return chroot ? root.resolve(root.getRoot().relativize(inside)) : inside;
  }

  private static Optional<AsteriskInstall> locate(Path root, boolean chroot, String user) {
    Path exe = null;
    for (String e : EXECUTABLES) {
      if (Files.isExecutable(root.resolve(e))) {
        exe = Path.of("/", e);
        break;
      }
    }
    Path modules = null;
    for (String m : MODULE_DIRS) {
      if (Files.exists(root.resolve(m).resolve("chan_pjsip.so"))) {
        modules = Path.of("/", m);
        break;
      }
    }
    if (exe == null || modules == null) {
      return Optional.empty();
    }
    Path data =
        Files.isDirectory(root.resolve("usr/share/asterisk"))
            ? Path.of("/usr/share/asterisk")
            : Path.of("/var/lib/asterisk");
    return Optional.of(new AsteriskInstall(root, chroot, exe, modules, data, user));
  }

  private static boolean isRoot() {
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return out.equals("0");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
