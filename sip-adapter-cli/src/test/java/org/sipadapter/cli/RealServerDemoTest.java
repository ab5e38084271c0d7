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

  @Test
  void sippDemoPlacesRealCallsThroughTheEmbeddedAgent() {
    assumeTrue(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/sipp")), "no SIPp");

    CliRun r = CliRun.of("demo", "--only", "sipp");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .containsSubsequence("call #1   DIALING", "call #1   CONNECTED", "call #1   DISCONNECTED")
        .contains("USER_BUSY")
        .contains("2 of 2 calls ended as expected");
  }

  @Test
  void emulatedServersRunTheFullScriptWithHoldAndDtmf() {
    CliRun r = CliRun.of("demo", "--only", "asterisk,freeswitch");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("emulated Asterisk (AMI emulator)", "emulated FreeSWITCH (ESL emulator)")
        .contains("DIALING>RINGING>CONNECTED>ON_HOLD>CONNECTED>DISCONNECTED")
        .contains("4 of 4 calls ended as expected");
  }
}
