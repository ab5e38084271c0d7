package org.sipadapter.opensips;

import java.util.List;
import java.util.Optional;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.SipAdapter;
import org.sipadapter.UnsupportedFeatureException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.opensips.dialog.Dialog;
import org.sipadapter.opensips.mi.ActiveDialogStats;
import org.sipadapter.opensips.mi.MiException;
import org.sipadapter.opensips.mi.RegisteredContact;
import org.sipadapter.tracking.ProxyDialog;

/**
 * OpenSIPS adapter: watches and ends the dialogs that pass through an OpenSIPS 3.x proxy, over the
 * Management Interface ({@code mi_http}: JSON-RPC 2.0 over HTTP POST) with dialog events pushed by
 * {@code event_stream} to a TCP listener the adapter runs, or, without it, by polling {@code
 * dlg_list}.
 *
 * <p>Every dialog OpenSIPS tracks that the adapter did not place becomes a call reported as an
 * {@code IncomingCall}, with states from the dialog module: early (RINGING), confirmed (CONNECTED),
 * deleted (DISCONNECTED, or FAILED when it ended unanswered). {@code hangup} runs {@code
 * dlg_end_dlg}: BYE both ways, or CANCEL when not answered. Each call carries the server ids
 * {@value #CALL_ID} (SIP Call-ID) and {@value #DIALOG} (OpenSIPS dialog ID such as {@code
 * 2da.69ee64b1}).
 *
 * <p>Event mode ({@code options.eventPort} set): connecting binds the listener, subscribes it with
 * {@code event_subscribe} (renewed at half the expiry) and then reads {@code dlg_list}, so nothing
 * happens unseen in between; the keepalive re-reads {@code dlg_list} and settles dialogs whose
 * events were lost. Polling mode: {@code dlg_list} every {@code options.pollInterval}, diffed.
 *
 * <p>Placing, answering, rejecting, holding and transferring calls need {@code options.uaSessions}:
 * calls are then b2b_entities UA sessions ({@code ua_session_client_start} and friends), tracked by
 * their key ({@value #UA_KEY}). Without it, or when b2b_entities is not loaded, those controls
 * throw {@link UnsupportedFeatureException} with the reason. Recording, DTMF and conference are not
 * things a proxy does and are never offered.
 *
 * <p>Thread-safe, like every {@link SipAdapter}. Events are parsed on the listener's reader
 * threads, mapped in arrival order on one queue drained by a background thread, and delivered by
 * core on its own threads.
 */
public final class OpenSipsAdapter extends SipAdapter {

  /** Server id key of the SIP Call-ID. */
  public static final String CALL_ID = ProxyDialog.CALL_ID;

  /** Server id key of the OpenSIPS dialog ID. */
  public static final String DIALOG = ProxyDialog.DIALOG;

  /** Server id key of a b2b_entities UA session's key. */
  public static final String UA_KEY = "ua-session";

  /** Why {@code makeCall} and the other call controls are not offered without UA sessions. */
  public static final String NO_ORIGINATE =
      "a proxy only observes and ends dialogs; placing, answering, rejecting, holding and"
          + " transferring calls needs OpenSIPS's b2b_entities module and options.uaSessions: true"
          + " (see docs/opensips.md, UA sessions)";

  /** Why the call controls are not offered when b2b_entities is not loaded. */
  public static final String NO_B2B_ENTITIES =
      "options.uaSessions is on but this OpenSIPS has no b2b_entities (its MI lists no"
          + " ua_session_client_start): add loadmodule \"b2b_entities.so\" to opensips.cfg";

  private final OpenSipsDriver driver;

  /**
   * Creates an unconnected adapter.
   *
   * @param config the validated config (see {@link OpenSipsAdapterProvider})
   */
  public OpenSipsAdapter(AdapterConfig config) {
    super(config, core -> new OpenSipsDriver(config, core));
    this.driver = driver(OpenSipsDriver.class);
  }

  /**
   * Returns the adapter's options as parsed from the config.
   *
   * @return the settings
   */
  public OpenSipsSettings settings() {
    return driver.settings();
  }

  /**
   * The port of the event_stream listener while connected in event mode.
   *
   * @return the bound port, or empty in polling mode or when not connected
   */
  public Optional<Integer> eventPort() {
    return driver.eventPort();
  }

  /**
   * Lists the contacts registered at this OpenSIPS ({@code ul_dump}). Blocks up to the request
   * timeout.
   *
   * @return every contact of every usrloc domain
   * @throws AdapterConnectionException if not connected
   * @throws MiException if usrloc is not loaded (code -32601)
   */
  public List<RegisteredContact> registeredContacts() {
    return driver.registeredContacts();
  }

  /**
   * Reads the dialog counters ({@code get_statistics ["dialog:"]}). Blocks up to the request
   * timeout.
   *
   * @return the counters
   * @throws AdapterConnectionException if not connected
   */
  public ActiveDialogStats activeDialogStats() {
    return driver.activeDialogStats();
  }

  /**
   * Reads every dialog OpenSIPS lists now ({@code dlg_list}), including ended ones it still keeps.
   * Blocks up to the request timeout.
   *
   * @return the dialogs
   * @throws AdapterConnectionException if not connected
   */
  public List<Dialog> serverDialogs() {
    return driver.serverDialogs();
  }

  /** The driver, for tests of this package. */
  OpenSipsDriver driver() {
    return driver;
  }
}
