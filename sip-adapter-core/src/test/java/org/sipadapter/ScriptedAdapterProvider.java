package org.sipadapter;

import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/** Registers {@link ScriptedAdapter} as type {@code scripted}, for the factory tests. */
public final class ScriptedAdapterProvider implements SipAdapterProvider {
  /** The port filled in when a config has none. */
  static final int DEFAULT_PORT = 5999;

  @Override
  public String type() {
    return "scripted";
  }

  @Override
  public int defaultPort() {
    return DEFAULT_PORT;
  }

  @Override
  public void validate(AdapterConfig config, ConfigProblems problems) {
    if (config.option("dialplan").isEmpty()) {
      problems.add("options.dialplan", "required (the scripted dial plan)");
    }
  }

  @Override
  public SipAdapter create(AdapterConfig config) {
    return new ScriptedAdapter(config, new ScriptedServer());
  }
}
