package org.sipadapter.freeswitch;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/** Registers the FreeSWITCH adapter under type {@value FreeSwitchAdapter#TYPE}, port 8021. */
public final class FreeSwitchAdapterProvider implements SipAdapterProvider {

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public FreeSwitchAdapterProvider() {}

  @Override
  public String type() {
    return FreeSwitchAdapter.TYPE;
  }

  @Override
  public int defaultPort() {
    return FreeSwitchAdapter.DEFAULT_PORT;
  }

  @Override
  public void validate(AdapterConfig config, ConfigProblems problems) {
    FreeSwitchSettings.from(config).validate(problems);
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new FreeSwitchAdapter(config);
  }
}
