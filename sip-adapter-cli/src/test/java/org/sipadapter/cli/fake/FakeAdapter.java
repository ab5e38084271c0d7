package org.sipadapter.cli.fake;

import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;

/** A small adapter for {@link FakeServer}, registered only in the CLI's test class path. */
public final class FakeAdapter extends SipAdapter {

  FakeAdapter(AdapterConfig config) {
    super(config, core -> new FakeDriver(config, core));
  }
}
