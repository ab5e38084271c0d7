package org.sipadapter.testkit.containers;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Asterisk with AMI enabled on port 5038 for user {@link #USERNAME} and a dialplan context {@code
 * tck} whose extensions behave like the conformance suite's destinations: {@code answer}, {@code
 * busy}, {@code noanswer}, {@code hangup} (answers, then hangs up after 2 s); any other number is
 * unknown. Originate to {@code Local/<exten>@tck}; the originating leg lands in context {@code
 * from-sdk}, which answers and waits.
 *
 * <p>Mounted files: {@code manager.conf} and {@code extensions.conf} from this package's resources.
 */
public class AsteriskContainer extends GenericContainer<AsteriskContainer> {

  /** AMI port inside the container. */
  public static final int AMI_PORT = 5038;

  /** AMI user name. */
  public static final String USERNAME = "sdk";

  /** AMI password of {@link #USERNAME}; a test-only value. */
  public static final String PASSWORD = "sdk-ami-test";

  private static final String RESOURCES = "org/sipadapter/testkit/containers/asterisk/";

  /** Uses {@link ContainerImages#ASTERISK} (or the {@code sipadapter.image.asterisk} property). */
  public AsteriskContainer() {
    this(ContainerImages.resolve("asterisk", ContainerImages.ASTERISK));
  }

  /**
   * Uses the given Asterisk image; it must read {@code /etc/asterisk}.
   *
   * @param image not null
   */
  public AsteriskContainer(DockerImageName image) {
    super(image);
    withExposedPorts(AMI_PORT);
    withCopyFileToContainer(
        MountableFile.forClasspathResource(RESOURCES + "manager.conf"),
        "/etc/asterisk/manager.conf");
    withCopyFileToContainer(
        MountableFile.forClasspathResource(RESOURCES + "extensions.conf"),
        "/etc/asterisk/extensions.conf");
    waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(2)));
  }

  /** Returns the host to connect AMI to. */
  public String amiHost() {
    return getHost();
  }

  /** Returns the host port mapped to AMI. */
  public int amiPort() {
    return getMappedPort(AMI_PORT);
  }
}
