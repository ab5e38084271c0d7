package org.sipadapter.testkit.tck;

import java.util.Set;
import org.sipadapter.Feature;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.spi.Capabilities;

/**
 * The reference adapter of the conformance suite's own tests: {@link LineProtocolDriver} behind the
 * {@link SipAdapter} facade. It shows the smallest adapter that passes the suite.
 */
final class LineProtocolAdapter extends SipAdapter {

  LineProtocolAdapter(AdapterConfig config, Set<Feature> features) {
    super(config, core -> new LineProtocolDriver(config, core, features));
  }

  /** Every feature the emulator implements: the capabilities of the driver. */
  static Set<Feature> allFeatures() {
    return Capabilities.of(new LineProtocolDriver(null, null, Set.of())).features();
  }
}
