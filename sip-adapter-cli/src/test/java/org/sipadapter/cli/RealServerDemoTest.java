package org.sipadapter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.kamailio.KamailioServer;

/**
 * The demo against each adapter's server: the real Kamailio and SIPp when installed, the testkit's
 * emulators otherwise.
 */
class RealServerDemoTest {

  @Test
  void kamailioDemoPlacesAClickToDialCallAndSeesABusyCallThroughTheRealProxy() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");

    CliRun r = CliRun.of("demo", "--only", "kamailio");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("using kamailio: real Kamailio (pid ")
        .containsSubsequence(
            "call #1   DIALING",
            "call #1   RINGING",
            "call #1   CONNECTED",
            "call #1   DISCONNECTED",
            "call #2   INCOMING",
            "call #2   FAILED       USER_BUSY (Q.850 17, SIP 486)")
        .containsPattern("click-to-dial call +DIALING>RINGING>CONNECTED>DISCONNECTED ")
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
    CliRun r = CliRun.of("demo", "--only", "asterisk,freeswitch,pjsua");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains(
            "using asterisk: emulated (AMI)",
            "using freeswitch: emulated FreeSWITCH",
            "using pjsua: emulated pjsua2")
        .containsPattern("(?m)^asterisk .*DIALING>RINGING>CONNECTED>ON_HOLD>CONNECTED>DISCONNECTED")
        .containsPattern(
            "(?m)^freeswitch .*DIALING>RINGING>CONNECTED>ON_HOLD>CONNECTED>DISCONNECTED")
        .containsPattern("(?m)^pjsua .*DIALING>RINGING>CONNECTED>ON_HOLD>CONNECTED>DISCONNECTED")
        .contains("6 of 6 calls ended as expected");
  }

  @Test
  void yatePlacesCallsThroughItsEmulatorWithHold() {
    CliRun r = CliRun.of("demo", "--only", "yate");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("emulated Yate 6.4.1")
        .contains("call #1 steps: hold ok, dtmf 1234# ok, hangup sent")
        .containsPattern("answered call +DIALING>RINGING>CONNECTED>ON_HOLD>CONNECTED>DISCONNECTED ")
        .contains("call #2   FAILED       USER_BUSY (Q.850 17, SIP 486)")
        .contains("2 of 2 calls ended as expected");
  }

  @Test
  void openSipsSeesDialogsStartedOnItsEmulatorAndHangsTheAnsweredOneUp() {
    CliRun r = CliRun.of("demo", "--only", "opensips");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .containsSubsequence(
            "call #1   INCOMING     from sip:1000@127.0.0.1 to sip:2000@127.0.0.1",
            "call #1   RINGING",
            "call #1   CONNECTED",
            "call #1   DISCONNECTED NORMAL_CLEARING",
            "call #2   INCOMING",
            "call #2   FAILED")
        .containsPattern("inbound call +RINGING>CONNECTED>DISCONNECTED ")
        .contains("2 of 2 calls ended as expected");
  }
}
