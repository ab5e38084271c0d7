package org.sipadapter.testkit.containers;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * FreeSWITCH with the event socket (ESL, inbound mode) on port 8021, password {@link #PASSWORD},
 * reachable from the Docker host (the mounted {@code event_socket.conf.xml} sets {@code
 * apply-inbound-acl} to {@code any_v4.auto}; the default ACL is loopback only and would reject the
 * host). A dialplan context {@code tck} offers the conformance destinations {@code answer}, {@code
 * busy}, {@code noanswer} and {@code hangup}; originate to {@code loopback/<exten>/tck}.
 */
public class FreeSwitchContainer extends GenericContainer<FreeSwitchContainer> {

  /** ESL port inside the container. */
  public static final int ESL_PORT = 8021;

  /** ESL password; a test-only value. */
  public static final String PASSWORD = "sdk-esl-test";

  private static final String RESOURCES = "org/sipadapter/testkit/containers/freeswitch/";

  /**
   * Uses {@link ContainerImages#FREESWITCH} (or the {@code sipadapter.image.freeswitch} property).
   */
  public FreeSwitchContainer() {
    this(ContainerImages.resolve("freeswitch", ContainerImages.FREESWITCH));
  }

  /**
   * Uses the given FreeSWITCH image; it must read {@code /etc/freeswitch}.
   *
   * @param image not null
   */
  public FreeSwitchContainer(DockerImageName image) {
    super(image);
    withExposedPorts(ESL_PORT);
    withCopyFileToContainer(
        MountableFile.forClasspathResource(RESOURCES + "event_socket.conf.xml"),
        "/etc/freeswitch/autoload_configs/event_socket.conf.xml");
    withCopyFileToContainer(
        MountableFile.forClasspathResource(RESOURCES + "tck.xml"),
        "/etc/freeswitch/dialplan/tck.xml");
    waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(3)));
  }

  /** Returns the host to connect ESL to. */
  public String eslHost() {
    return getHost();
  }

  /** Returns the host port mapped to ESL. */
  public int eslPort() {
    return getMappedPort(ESL_PORT);
  }
}
