package org.sipadapter.asterisk;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.sipadapter.CallException;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;

/**
 * Controls calls on Asterisk 16 to 22 through the Asterisk Manager Interface (AMI).
 *
 * <p>Calls are placed with an asynchronous {@code Originate} whose channel gets a preset Uniqueid
 * made of the adapter's instance id and the call id, so every event of the call's channel chain is
 * matched to it by its {@code Uniqueid} or {@code Linkedid} alone, and a second adapter on the same
 * Asterisk sees the call as one it did not place. Calls that start on the server are reported as
 * incoming calls.
 *
 * <p>Threading: events are read and mapped on the connection's reader thread and delivered on
 * core's event threads. Every public method is thread-safe.
 *
 * <p>Options: see {@link AsteriskSettings} and {@code docs/asterisk.md}.
 */
public final class AsteriskAdapter extends SipAdapter {
  private final AsteriskDriver driver;

  /**
   * Creates the adapter; {@link org.sipadapter.SipAdapters} calls this through {@link
   * AsteriskAdapterProvider}. Does not connect.
   *
   * @param config a config that passed {@link AsteriskSettings#validate}
   */
  public AsteriskAdapter(AdapterConfig config) {
    super(config, core -> new AsteriskDriver(config, core));
    this.driver = driver(AsteriskDriver.class);
  }

  /**
   * Returns the settings read from the config's options.
   *
   * @return the settings
   */
  public AsteriskSettings settings() {
    return driver.settings();
  }

  /**
   * Lists the channels in a ConfBridge room ({@code ConfbridgeList}).
   *
   * @param room the room, as given to {@link #conference}
   * @return a future with the members' channel names, empty when the room has no one; failed with a
   *     {@link CallException} carrying Asterisk's reason when the list is refused (for instance
   *     {@code Permission denied} for a user whose {@code write=} lacks {@code reporting})
   * @throws IllegalArgumentException if the room name holds characters AMI cannot carry
   */
  public CompletableFuture<List<String>> conferenceMembers(String room) {
    return driver.conferenceMembers(room);
  }

  /** The driver, for tests of this package. */
  AsteriskDriver driver() {
    return driver;
  }
}
