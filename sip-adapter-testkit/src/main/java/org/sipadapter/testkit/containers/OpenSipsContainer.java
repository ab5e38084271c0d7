package org.sipadapter.testkit.containers;

import java.time.Duration;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * OpenSIPS 3.x with the MI over HTTP ({@code httpd} + {@code mi_http}, {@code POST /mi} on port
 * 8888), {@code dialog} tracking, and {@code event_stream} loaded so that a client can subscribe
 * with {@code event_subscribe} to e.g. {@code E_DLG_STATE_CHANGED}. OpenSIPS connects out to the
 * subscriber: use {@link #eventSocketForHostPort(int)} for a listener on the Docker host.
 */
public class OpenSipsContainer extends GenericContainer<OpenSipsContainer> {

  /** mi_http port inside the container. */
  public static final int MI_PORT = 8888;

  private static final String RESOURCES = "org/sipadapter/testkit/containers/opensips/";

  /** Uses {@link ContainerImages#OPENSIPS} (or the {@code sipadapter.image.opensips} property). */
  public OpenSipsContainer() {
    this(ContainerImages.resolve("opensips", ContainerImages.OPENSIPS));
  }

  /**
   * Uses the given OpenSIPS 3.x image; it must read {@code /etc/opensips/opensips.cfg}.
   *
   * @param image not null
   */
  public OpenSipsContainer(DockerImageName image) {
    super(image);
    withExposedPorts(MI_PORT);
    withCopyFileToContainer(
        MountableFile.forClasspathResource(RESOURCES + "opensips.cfg"),
        "/etc/opensips/opensips.cfg");
    waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(2)));
  }

  /** Returns the MI URL, e.g. {@code http://localhost:49160/mi}. */
  public String miUrl() {
    return "http://" + getHost() + ":" + getMappedPort(MI_PORT) + "/mi";
  }

  /**
   * Makes {@code hostPort} on the Docker host reachable from the container and returns the
   * event_stream socket to subscribe with, {@code tcp:host.testcontainers.internal:<port>}.
   *
   * @param hostPort a port the test listens on, on the host
   */
  public String eventSocketForHostPort(int hostPort) {
    Testcontainers.exposeHostPorts(hostPort);
    return "tcp:host.testcontainers.internal:" + hostPort;
  }
}
