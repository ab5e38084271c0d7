package org.sipadapter.opensips;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * Registers the OpenSIPS adapter under type {@code opensips}; default port 8888 (the {@code httpd}
 * module's port, which serves {@code mi_http}).
 */
public final class OpenSipsAdapterProvider implements SipAdapterProvider {

  /** The type name, {@code opensips}. */
  public static final String TYPE = "opensips";

  /** The {@code httpd} module's default port. */
  public static final int DEFAULT_PORT = 8888;

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public OpenSipsAdapterProvider() {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public int defaultPort() {
    return DEFAULT_PORT;
  }

  @Override
  public void validate(AdapterConfig config, ConfigProblems problems) {
    OpenSipsSettings.validate(config, problems);
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new OpenSipsAdapter(config);
  }
}
