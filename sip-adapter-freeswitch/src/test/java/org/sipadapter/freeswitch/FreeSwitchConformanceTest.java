package org.sipadapter.freeswitch;

import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckFixture;

/** The FreeSWITCH adapter held to the shared conformance suite, against the ESL emulator. */
class FreeSwitchConformanceTest extends SipAdapterConformanceSuite {
  @Override
  protected TckFixture createFixture() {
    return new EslEmulatorFixture();
  }
}
