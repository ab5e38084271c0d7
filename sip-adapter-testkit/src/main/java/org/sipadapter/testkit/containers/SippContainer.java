package org.sipadapter.testkit.containers;

import java.util.concurrent.Future;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.IsRunningStartupCheckStrategy;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * SIPp as a SIP user agent server in a container, for servers running in containers on the same
 * {@link org.testcontainers.containers.Network}: give it a network alias (e.g. {@code sipp}) and
 * route calls from the server to {@code sip:<number>@sipp:5060}. The image is Debian's {@code
 * sip-tester} package on {@link ContainerImages#DEBIAN}, built once and cached by Docker.
 *
 * <p>SIP runs over UDP inside the Docker network; this fixture does not map UDP to the host. For
 * SIPp on the host use {@code org.sipadapter.testkit.sipp.SippProcess}.
 */
public class SippContainer extends GenericContainer<SippContainer> {

  /** SIP port SIPp listens on inside the container. */
  public static final int SIP_PORT = 5060;

  /** Starts {@code sipp -sn uas} on UDP 5060, answering every call. */
  public SippContainer() {
    super(image());
    withCommand("sipp", "-sn", "uas", "-p", String.valueOf(SIP_PORT), "-nostdin");
    withStartupCheckStrategy(new IsRunningStartupCheckStrategy());
  }

  private static Future<String> image() {
    String named = System.getProperty("sipadapter.image.sipp");
    if (named != null) {
      return java.util.concurrent.CompletableFuture.completedFuture(named);
    }
    return new ImageFromDockerfile("sipadapter/sipp-testkit:debian12", false)
        .withFileFromString(
            "Dockerfile",
            "FROM "
                + ContainerImages.DEBIAN
                + "\nRUN apt-get update && apt-get install -y --no-install-recommends sip-tester"
                + " && rm -rf /var/lib/apt/lists/*\n");
  }
}
