package org.sipadapter.yate;

import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/** Registers the Yate adapter under type {@value YateAdapter#TYPE}, port 5039. */
public final class YateAdapterProvider implements SipAdapterProvider {

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public YateAdapterProvider() {}

  @Override
  public String type() {
    return YateAdapter.TYPE;
  }

  @Override
  public int defaultPort() {
    return YateAdapter.DEFAULT_PORT;
  }

  @Override
  public void validate(AdapterConfig config, ConfigProblems problems) {
    YateSettings.from(config).validate(problems);
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new YateAdapter(config);
  }
}
