package org.sipadapter.testkit.containers;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Kamailio with JSON-RPC over HTTP ({@code jsonrpcs} + {@code xhttp}, path {@code /RPC} on the SIP
 * TCP port 5060), {@code dialog} tracking, and {@code evapi} pushing dialog start/end events as
 * JSON to TCP clients on port 8448. The mounted {@code kamailio.cfg} is in this package's
 * resources. Kamailio has no RPC authentication; keep the mapped ports on the test host.
 */
public class KamailioContainer extends GenericContainer<KamailioContainer> {

  /** SIP TCP port, which also serves HTTP JSON-RPC at {@code /RPC}. */
  public static final int SIP_HTTP_PORT = 5060;

  /** evapi port. */
  public static final int EVAPI_PORT = 8448;

  private static final String RESOURCES = "org/sipadapter/testkit/containers/kamailio/";

  /** Uses {@link ContainerImages#KAMAILIO} (or the {@code sipadapter.image.kamailio} property). */
  public KamailioContainer() {
    this(ContainerImages.resolve("kamailio", ContainerImages.KAMAILIO));
  }

  /**
   * Uses the given Kamailio 5.x image with the {@code kamailio} binary on its PATH and the evapi
   * module installed.
   *
   * @param image not null
   */
  public KamailioContainer(DockerImageName image) {
    super(image);
    withExposedPorts(SIP_HTTP_PORT, EVAPI_PORT);
    withCopyFileToContainer(
        MountableFile.forClasspathResource(RESOURCES + "kamailio.cfg"),
        "/etc/kamailio/kamailio.cfg");
    withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("kamailio"));
    withCommand("-DD", "-E", "-f", "/etc/kamailio/kamailio.cfg");
    waitingFor(
        Wait.forListeningPorts(SIP_HTTP_PORT, EVAPI_PORT)
            .withStartupTimeout(Duration.ofMinutes(2)));
  }

  /** Returns the JSON-RPC URL, e.g. {@code http://localhost:49153/RPC}. */
  public String rpcUrl() {
    return "http://" + getHost() + ":" + getMappedPort(SIP_HTTP_PORT) + "/RPC";
  }

  /** Returns the host to connect evapi to. */
  public String evapiHost() {
    return getHost();
  }

  /** Returns the host port mapped to evapi. */
  public int evapiPort() {
    return getMappedPort(EVAPI_PORT);
  }
}
