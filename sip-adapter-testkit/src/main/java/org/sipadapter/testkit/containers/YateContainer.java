package org.sipadapter.testkit.containers;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Yate with an extmodule socket listener (role {@code global}) on port 5039 and rmanager on 5038.
 *
 * <p>There is no maintained public Yate image and Debian has no package, so by default the fixture
 * builds one from {@link ContainerImages#YATE_COMMIT} on {@link ContainerImages#DEBIAN} (a few
 * minutes, then cached by Docker). Set {@code -Dsipadapter.image.yate=<image>} to use a ready image
 * whose Yate reads {@code /usr/local/etc/yate}.
 */
public class YateContainer extends GenericContainer<YateContainer> {

  /** extmodule listener port. */
  public static final int EXTMODULE_PORT = 5039;

  /** rmanager port. */
  public static final int RMANAGER_PORT = 5038;

  private static final String RESOURCES = "org/sipadapter/testkit/containers/yate/";
  private static final String CONF_DIR = "/usr/local/etc/yate/";

  /** Builds or uses the default image, see the class description. */
  public YateContainer() {
    super(defaultImage());
    configureYate();
  }

  /**
   * Uses a ready Yate image.
   *
   * @param image not null
   */
  public YateContainer(DockerImageName image) {
    super(image);
    configureYate();
  }

  private static java.util.concurrent.Future<String> defaultImage() {
    String named = System.getProperty("sipadapter.image.yate");
    if (named != null) {
      return java.util.concurrent.CompletableFuture.completedFuture(named);
    }
    String dockerfile =
        "FROM "
            + ContainerImages.DEBIAN
            + "\n"
            + "RUN apt-get update && apt-get install -y --no-install-recommends build-essential"
            + " autoconf automake libtool git ca-certificates pkg-config"
            + " && rm -rf /var/lib/apt/lists/*\n"
            + "RUN git clone https://github.com/yatevoip/yate.git /src && cd /src"
            + " && git checkout "
            + ContainerImages.YATE_COMMIT
            + " && ./autogen.sh && ./configure --prefix=/usr/local"
            + " && make -j2 && make install && ldconfig\n"
            + "EXPOSE 5038 5039\n"
            + "CMD [\"yate\", \"-vv\"]\n";
    return new ImageFromDockerfile("sipadapter/yate-testkit:" + ContainerImages.YATE_COMMIT, false)
        .withFileFromString("Dockerfile", dockerfile);
  }

  private void configureYate() {
    withExposedPorts(EXTMODULE_PORT, RMANAGER_PORT);
    withCopyFileToContainer(
        MountableFile.forClasspathResource(RESOURCES + "extmodule.conf"),
        CONF_DIR + "extmodule.conf");
    withCopyFileToContainer(
        MountableFile.forClasspathResource(RESOURCES + "rmanager.conf"),
        CONF_DIR + "rmanager.conf");
    waitingFor(Wait.forListeningPorts(EXTMODULE_PORT).withStartupTimeout(Duration.ofMinutes(2)));
  }

  /** Returns the host to connect the extmodule socket to. */
  public String extmoduleHost() {
    return getHost();
  }

  /** Returns the host port mapped to the extmodule listener. */
  public int extmodulePort() {
    return getMappedPort(EXTMODULE_PORT);
  }

  /** Returns the host port mapped to rmanager. */
  public int rmanagerPort() {
    return getMappedPort(RMANAGER_PORT);
  }
}
