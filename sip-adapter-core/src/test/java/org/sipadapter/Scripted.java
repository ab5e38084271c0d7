package org.sipadapter;

import java.time.Duration;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ReconnectPolicy;
import org.sipadapter.config.Timeouts;

/** Configs for adapters on a {@link ScriptedServer}. */
final class Scripted {
  private Scripted() {}

  /** A config with quick reconnects, a generous request timeout and the server's password. */
  static AdapterConfig.Builder config() {
    return AdapterConfig.builder("scripted")
        .name("lab")
        .server("127.0.0.1", 5999)
        .auth("admin", ScriptedServer.PASSWORD)
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(2),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30)))
        .reconnect(new ReconnectPolicy(true, Duration.ofMillis(5), Duration.ofMillis(20), 0));
  }
}
