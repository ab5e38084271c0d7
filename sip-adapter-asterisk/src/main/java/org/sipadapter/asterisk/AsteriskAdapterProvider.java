package org.sipadapter.asterisk;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * Registers the Asterisk adapter under type {@code asterisk}; default port 5038 (AMI). The options
 * are described by {@link AsteriskSettings}.
 */
public final class AsteriskAdapterProvider implements SipAdapterProvider {

  /** The type name, {@code asterisk}. */
  public static final String TYPE = "asterisk";

  /** The AMI port Asterisk listens on by default. */
  public static final int DEFAULT_PORT = 5038;

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public AsteriskAdapterProvider() {}

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
    AsteriskSettings.validate(config, problems);
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new AsteriskAdapter(config);
  }
}
