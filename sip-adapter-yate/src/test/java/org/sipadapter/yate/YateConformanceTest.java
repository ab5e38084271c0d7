package org.sipadapter.yate;

import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckFixture;

/** The Yate adapter held to the shared conformance suite, against the extmodule emulator. */
class YateConformanceTest extends SipAdapterConformanceSuite {
  @Override
  protected TckFixture createFixture() {
    return new YateEmulatorFixture();
  }
}
