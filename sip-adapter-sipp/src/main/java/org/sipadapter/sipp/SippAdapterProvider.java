package org.sipadapter.sipp;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * Provides the {@code sipp} adapter type to {@link org.sipadapter.SipAdapters}. The default port is
 * the agent's, 8080.
 */
public final class SippAdapterProvider implements SipAdapterProvider {

  /** The type name, {@code sipp}. */
  public static final String TYPE = "sipp";

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public SippAdapterProvider() {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public int defaultPort() {
    return 8080;
  }

  @Override
  public void validate(AdapterConfig config, ConfigProblems problems) {
    SippSettings.validate(config, problems);
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new SippAdapter(config);
  }
}
