package org.sipadapter.testkit.yate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the Yate that {@link YateServer} runs lives: an installed tree ({@code bin/yate}, modules
 * in {@code lib/yate}, shared files in {@code share/yate}, {@code libyate.so} in {@code lib}) or a
 * built source tree run in place ({@code yate}, {@code modules/}, {@code share/}, {@code
 * libyate.so} at the top). Debian has no Yate package, so the tests that need one run only when the
 * system property {@value #HOME_PROPERTY} or the environment variable {@value #HOME_ENV} names such
 * a tree. Immutable.
 *
 * @param home the directory named
 * @param executable the {@code yate} binary
 * @param moduleDir the directory holding the {@code *.yate} modules
 * @param shareDir Yate's shared files (sounds, scripts)
 * @param libraryDir the directory holding {@code libyate.so}, for {@code LD_LIBRARY_PATH}
 */
public record YateInstall(
    Path home, Path executable, Path moduleDir, Path shareDir, Path libraryDir) {

  /** System property naming a Yate install or built source tree. */
  public static final String HOME_PROPERTY = "sipadapter.yate.home";

  /** Environment variable naming it (read when the property is not set). */
  public static final String HOME_ENV = "YATE_HOME";

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a component is null
   */
  public YateInstall {
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(executable, "executable");
    Objects.requireNonNull(moduleDir, "moduleDir");
    Objects.requireNonNull(shareDir, "shareDir");
    Objects.requireNonNull(libraryDir, "libraryDir");
  }

  /**
   * The Yate under {@code home}, installed or a built source tree.
   *
   * @param home the directory
   * @return the install
   * @throws IllegalArgumentException if no {@code yate} binary with {@code extmodule.yate} is there
   */
  public static YateInstall at(Path home) {
    Path installed = home.resolve("bin/yate");
    if (Files.isExecutable(installed) && Files.exists(home.resolve("lib/yate/extmodule.yate"))) {
      return new YateInstall(
          home,
          installed,
          home.resolve("lib/yate"),
          home.resolve("share/yate"),
          home.resolve("lib"));
    }
    Path inPlace = home.resolve("yate");
    if (Files.isExecutable(inPlace) && Files.exists(home.resolve("modules/extmodule.yate"))) {
      return new YateInstall(home, inPlace, home.resolve("modules"), home.resolve("share"), home);
    }
    throw new IllegalArgumentException(
        "no Yate under "
            + home
            + " (bin/yate with lib/yate/extmodule.yate, or a built source tree)");
  }

  /**
   * The Yate named by {@value #HOME_PROPERTY} or {@value #HOME_ENV}.
   *
   * @return the install, or empty when neither is set
   * @throws IllegalArgumentException if the named directory holds no Yate
   */
  public static Optional<YateInstall> fromEnvironment() {
    String configured = System.getProperty(HOME_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(HOME_ENV);
    }
    if (configured == null || configured.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(at(Path.of(configured)));
  }

  /**
   * Why a real Yate cannot run here, for a test's skip message.
   *
   * @return the reason, or empty when {@link #fromEnvironment()} gives an install
   */
  public static Optional<String> unavailableReason() {
    try {
      return fromEnvironment().isPresent()
          ? Optional.empty()
          : Optional.of(
              "no Yate: set -D"
                  + HOME_PROPERTY
                  + " or "
                  + HOME_ENV
                  + " to a Yate install or built source tree (Yate is in no package registry)");
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }
}
