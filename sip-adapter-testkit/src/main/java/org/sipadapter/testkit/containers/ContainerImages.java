package org.sipadapter.testkit.containers;

import org.testcontainers.utility.DockerImageName;

/**
 * The pinned default image of each server fixture, and the system properties that replace them
 * (e.g. {@code -Dsipadapter.image.asterisk=andrius/asterisk:20}) for testing another version or a
 * mirror.
 */
public final class ContainerImages {

  /** Asterisk 22 (community image). Property {@code sipadapter.image.asterisk}. */
  public static final String ASTERISK = "andrius/asterisk:22";

  /**
   * FreeSWITCH 1.10.12 vanilla build (community image). Property {@code
   * sipadapter.image.freeswitch}.
   */
  public static final String FREESWITCH = "safarov/freeswitch:1.10.12";

  /** Kamailio 5.8 (official image). Property {@code sipadapter.image.kamailio}. */
  public static final String KAMAILIO = "ghcr.io/kamailio/kamailio:5.8.8-bookworm";

  /** OpenSIPS 3.4 (official image). Property {@code sipadapter.image.opensips}. */
  public static final String OPENSIPS = "opensips/opensips:3.4";

  /** Base image for the SIPp fixture, which installs Debian's {@code sip-tester} on it. */
  public static final String DEBIAN = "debian:12-slim";

  /**
   * Yate has no maintained public image: the fixture builds one from this commit of
   * github.com/yatevoip/yate (Yate 6.4.1) unless {@code sipadapter.image.yate} names a ready image.
   */
  public static final String YATE_COMMIT = "1647cdc467274b293c040d5b4d8880cea2b18072";

  private ContainerImages() {}

  /**
   * Returns the image named by system property {@code sipadapter.image.<server>}, or {@code
   * fallback}.
   *
   * @param server e.g. {@code "asterisk"}
   * @param fallback the pinned default
   */
  public static DockerImageName resolve(String server, String fallback) {
    return DockerImageName.parse(System.getProperty("sipadapter.image." + server, fallback));
  }
}
