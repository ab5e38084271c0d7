package org.sipadapter.testkit.tck;

import java.util.EnumSet;
import java.util.Set;
import org.sipadapter.Feature;

/**
 * Runs the suite with a fixture that offers nothing optional and an adapter that declares only
 * outbound calls: the tests needing more are skipped with their reasons, and every undeclared
 * feature must throw {@code UnsupportedFeatureException}.
 */
class MinimalFixtureConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return new LineProtocolFixture(EnumSet.of(Feature.OUTBOUND_CALLS), Set.of(), true) {
      @Override
      public java.util.Optional<org.sipadapter.config.AdapterConfig> configWithWrongCredentials() {
        return java.util.Optional.empty();
      }
    };
  }
}
