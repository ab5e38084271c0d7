package org.sipadapter.pjsua;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/** Registers the pjsua2 user agent under type {@value PjsuaAdapter#TYPE}, local SIP port 5060. */
public final class PjsuaAdapterProvider implements SipAdapterProvider {

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public PjsuaAdapterProvider() {}

  @Override
  public String type() {
    return PjsuaAdapter.TYPE;
  }

  @Override
  public int defaultPort() {
    return PjsuaAdapter.DEFAULT_PORT;
  }

  @Override
  public void validate(AdapterConfig config, ConfigProblems problems) {
    PjsuaSettings.from(config).validate(problems);
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new PjsuaAdapter(config);
  }
}
