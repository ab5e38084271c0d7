package org.sipadapter.testkit.tck;

/**
 * Runs the whole conformance suite against the reference adapter and emulator, through a fault
 * proxy, with every fixture capability: the suite's own proof that it passes a conforming adapter.
 */
class LineProtocolConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return LineProtocolFixture.full();
  }
}
