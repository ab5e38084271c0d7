package org.sipadapter.kamailio;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * Registers the Kamailio adapter under type {@code kamailio}; default port 5060 (the SIP TCP
 * listener that also serves JSON-RPC over HTTP).
 */
public final class KamailioAdapterProvider implements SipAdapterProvider {

  /** The type name, {@code kamailio}. */
  public static final String TYPE = "kamailio";

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public KamailioAdapterProvider() {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public int defaultPort() {
    return 5060;
  }

  @Override
  public void validate(AdapterConfig config, ConfigProblems problems) {
    KamailioSettings.validate(config, problems);
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new KamailioAdapter(config);
  }
}
