package org.sipadapter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.kamailio.KamailioServer;

/** The demo against the real servers installed on this machine. */
class RealServerDemoTest {

  @Test
  void kamailioDemoSeesTheCallsThroughTheRealProxyAndEndsThemAsExpected() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");

    CliRun r = CliRun.of("demo", "--only", "kamailio");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("using kamailio: real Kamailio (pid ")
        .containsSubsequence("call #1   INCOMING", "CONNECTED", "call #1   DISCONNECTED")
        .contains("USER_BUSY (Q.850 17, SIP 486)")
        .contains("2 of 2 calls ended as expected");
  }
}
