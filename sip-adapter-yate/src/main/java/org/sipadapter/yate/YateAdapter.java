package org.sipadapter.yate;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.yate.extmodule.ExtFrame.MessageResult;

/**
 * Yate over the extmodule socket protocol (an {@code extmodule.conf} listener, port 5039 by
 * convention), as a global external module.
 *
 * <p>Outbound calls are {@code call.execute} with a local {@code dumb/} leg and the number for Yate
 * to route; watched {@code call.ringing}, {@code call.progress}, {@code call.answered}, {@code
 * chan.hangup} and {@code chan.dtmf} messages drive the call states. Inbound calls (when {@code
 * options.inbound} is on) arrive as {@code call.route} to an installed handler; without it, {@link
 * #features()} lacks {@code INBOUND_CALLS}, {@code ANSWER} and {@code REJECT}.
 *
 * <p>Threading: the connection's reader thread only decodes lines; one event thread per adapter
 * answers installed messages, completes replies and maps notifications in wire order; listeners are
 * called on core's delivery threads. Every public method is thread-safe.
 *
 * <p>Options: see {@link YateSettings} and {@code docs/yate.md}.
 */
public class YateAdapter extends SipAdapter {
  /** The type name in configuration. */
  public static final String TYPE = "yate";

  /** The port used by convention for the extmodule listener (extmodule.conf has no default). */
  public static final int DEFAULT_PORT = 5039;

  /** Server id key: the leg facing the remote party ({@code sip/2}). */
  public static final String CHANNEL_KEY = "channel";

  /** Server id key: the adapter's local leg ({@code dumb/3}). */
  public static final String LOCAL_KEY = "local";

  /** Server id key: Yate's billing id grouping the legs. */
  public static final String BILLID_KEY = "billid";

  private final YateDriver driver;

  /**
   * Creates the adapter; {@link #connect()} opens the socket.
   *
   * @param config the configuration (type {@value #TYPE}), checked by the provider
   */
  public YateAdapter(AdapterConfig config) {
    super(config, core -> new YateDriver(config, core));
    this.driver = driver(YateDriver.class);
  }

  /**
   * Returns the Yate options in effect.
   *
   * @return the settings
   */
  public YateSettings settings() {
    return driver.settings();
  }

  /**
   * Dispatches any message and returns Yate's result, for what the unified API does not cover
   * ({@code engine.status}, {@code chan.masquerade}, ...).
   *
   * @param name the message name
   * @param params its parameters; names must not contain {@code =}, values are escaped
   * @return the result ({@code processed}, return value and parameters after dispatch)
   * @throws IllegalArgumentException if a name or value cannot be sent
   */
  public CompletableFuture<MessageResult> dispatch(String name, Map<String, String> params) {
    return driver.dispatch(name, params);
  }

  /** The driver, for tests of this package. */
  YateDriver driver() {
    return driver;
  }
}
