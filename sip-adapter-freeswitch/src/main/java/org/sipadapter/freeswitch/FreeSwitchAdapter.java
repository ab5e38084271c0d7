package org.sipadapter.freeswitch;

import java.util.concurrent.CompletableFuture;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;

/**
 * FreeSWITCH over the inbound event socket (ESL, port 8021).
 *
 * <p>One socket carries everything: commands are answered in order, slow commands run as {@code
 * bgapi} and finish with a {@code BACKGROUND_JOB} event, channel events drive the call states.
 * Outbound calls are {@code bgapi originate} with a preset {@code origination_uuid} and the call
 * marker in {@value #MARKER_VARIABLE}, so every event of the call is recognised from the first one
 * and the calls of other ESL clients are told apart.
 *
 * <p>Threading: the connection's reader thread only decodes frames; one event thread per adapter
 * completes replies and maps events in order; listeners are called on core's delivery threads.
 * Every public method is thread-safe.
 *
 * <p>Options: see {@link FreeSwitchSettings} and {@code docs/freeswitch.md}.
 */
public class FreeSwitchAdapter extends SipAdapter {
  /** The type name in configuration. */
  public static final String TYPE = "freeswitch";

  /** The event socket's default port. */
  public static final int DEFAULT_PORT = 8021;

  /** The server id key under which a call's channel UUID is kept. */
  public static final String UUID_KEY = "Unique-ID";

  /**
   * The channel variable that carries the call marker on the channels an originate creates ({@code
   * {sipadapter_call=<marker>}}): it tells this adapter's calls from those of other ESL clients.
   */
  public static final String MARKER_VARIABLE = "sipadapter_call";

  /** The server id under which a call keeps the channel its attended transfer bridged it to. */
  public static final String CONSULT_KEY = "Consult-Unique-ID";

  private final FreeSwitchDriver driver;

  /**
   * Creates the adapter; {@link #connect()} opens the socket.
   *
   * @param config the configuration (type {@value #TYPE}), checked by the provider
   */
  public FreeSwitchAdapter(AdapterConfig config) {
    super(config, core -> new FreeSwitchDriver(config, core));
    this.driver = driver(FreeSwitchDriver.class);
  }

  /**
   * Returns the FreeSWITCH options in effect.
   *
   * @return the settings
   */
  public FreeSwitchSettings settings() {
    return driver.settings();
  }

  /**
   * Returns the originates per second the adapter lets out: {@code options.originateRate}, or the
   * rate derived from the server's sessions-per-second limit at the last connect.
   *
   * @return originates per second
   */
  public int originateRate() {
    return driver.originateRate();
  }

  /**
   * Lists a conference room as FreeSWITCH reports it ({@code conference <room> json_list}).
   *
   * @param room the room name, checked like every wire input
   * @return the JSON text, or a failed future with FreeSWITCH's error (e.g. no such room)
   */
  public CompletableFuture<String> conferenceList(String room) {
    return driver.conferenceList(room);
  }

  /** The driver, for tests of this package. */
  FreeSwitchDriver driver() {
    return driver;
  }
}
