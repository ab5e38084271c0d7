package org.sipadapter.cli.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipadapter.config.AdapterConfig;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes adapter configs as the YAML file the other commands read ({@code adapters:} list). Used by
 * {@code demo --serve}: the demo servers' passwords are the testkit's well-known ones, so writing
 * them is harmless; never use it for real credentials.
 */
public final class DemoYaml {
  private DemoYaml() {}

  /**
   * Renders the configs.
   *
   * @param configs the adapters
   * @return the YAML document
   */
  public static String write(List<AdapterConfig> configs) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (AdapterConfig c : configs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", c.type());
      m.put("name", c.name());
      m.put("host", c.host());
      m.put("port", c.port());
      if (!c.auth().secret().isEmpty() || !c.auth().username().isEmpty()) {
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("username", c.auth().username());
        auth.put("password", c.auth().secret().reveal());
        m.put("auth", auth);
      }
      if (!c.options().isEmpty()) {
        m.put("options", new LinkedHashMap<>(c.options()));
      }
      list.add(m);
    }
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setIndicatorIndent(2);
    o.setIndentWithIndicator(true);
    return "# Written by 'sipadapter demo --serve': the demo servers, valid while it runs.\n"
        + new Yaml(o).dump(Map.of("adapters", list));
  }
}
