package org.sipadapter.cli.fake;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/** Provides {@link FakeAdapter} as type {@code fake}. */
public final class FakeAdapterProvider implements SipAdapterProvider {
  @Override
  public String type() {
    return "fake";
  }

  @Override
  public int defaultPort() {
    return 5999;
  }

  @Override
  public void validate(AdapterConfig config, ConfigProblems problems) {
    if (config.auth().username().isEmpty()) {
      problems.add("auth.username", "required by the fake server");
    }
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new FakeAdapter(config);
  }
}
