package org.sipadapter.kamailio;

import java.util.List;
import java.util.Optional;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.SipAdapter;
import org.sipadapter.UnsupportedFeatureException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.kamailio.dialog.Dialog;
import org.sipadapter.kamailio.rpc.ActiveDialogStats;
import org.sipadapter.kamailio.rpc.RegisteredContact;
import org.sipadapter.tracking.ProxyDialog;

/**
 * Kamailio adapter: controls and watches the dialogs that pass through a Kamailio 5.6 or 6.1 proxy,
 * over JSON-RPC 2.0 ({@code jsonrpcs} over HTTP on the SIP TCP listener) with dialog events pushed
 * over {@code evapi}, or, without evapi, by polling {@code dlg.list}.
 *
 * <p>Every dialog Kamailio tracks becomes a call: dialogs this adapter did not start are reported
 * as {@code IncomingCall}s, with states from the dialog module (early, answered, ended, failed).
 * {@code hangup} sends BYE both ways with {@code dlg.end_dlg}. Each call carries the server ids
 * {@value #CALL_ID} (the SIP Call-ID) and {@value #DIALOG} ({@code h_entry:h_id}).
 *
 * <p>{@code makeCall(from, to)} is click-to-dial with {@code dlg.bridge_dlg}: Kamailio calls {@code
 * from} (a SIP URI of a REFER-capable phone), and once it answers REFERs it to {@code to}; the
 * phone's new INVITE through Kamailio is the call's dialog, recognised by its To URI being {@code
 * to}. The call stays DIALING until that dialog shows up; if the first party never answers, the
 * ring timeout ends it with NO_ANSWER (Kamailio reports nothing about the first leg).
 *
 * <p>A proxy cannot answer, hold, record, play DTMF or host conferences, so those operations throw
 * {@link UnsupportedFeatureException}.
 *
 * <p>Thread-safe, like every {@link SipAdapter}. Events are mapped on the evapi reader thread (or
 * the polling thread) without blocking and delivered by core on its own threads.
 */
public final class KamailioAdapter extends SipAdapter {

  /** Server id key of the SIP Call-ID. */
  public static final String CALL_ID = ProxyDialog.CALL_ID;

  /** Server id key of the dialog's {@code h_entry:h_id}. */
  public static final String DIALOG = ProxyDialog.DIALOG;

  private final KamailioDriver driver;

  /**
   * Creates an unconnected adapter.
   *
   * @param config the validated config (see {@link KamailioAdapterProvider})
   */
  public KamailioAdapter(AdapterConfig config) {
    super(config, core -> new KamailioDriver(config, core));
    this.driver = driver(KamailioDriver.class);
  }

  /**
   * Returns the adapter's options as parsed from the config.
   *
   * @return the settings
   */
  public KamailioSettings settings() {
    return driver.settings();
  }

  /**
   * Lists the contacts registered at this Kamailio ({@code ul.dump}). Blocks up to the request
   * timeout.
   *
   * @return every contact of every usrloc domain
   * @throws AdapterConnectionException if not connected
   */
  public List<RegisteredContact> registeredContacts() {
    return driver.registeredContacts();
  }

  /**
   * Counts the active dialogs by state ({@code dlg.stats_active}). Blocks up to the request
   * timeout.
   *
   * @return the counts
   * @throws AdapterConnectionException if not connected
   */
  public ActiveDialogStats activeDialogStats() {
    return driver.activeDialogStats();
  }

  /**
   * Reads a call's dialog from Kamailio ({@code dlg.dlg_list} by SIP Call-ID), for what {@code
   * getStatus} does not carry (tags, timestamps). Blocks up to the request timeout.
   *
   * @param callId a call id issued by this adapter
   * @return the dialog, or empty if Kamailio no longer has it
   * @throws AdapterConnectionException if not connected
   */
  public Optional<Dialog> serverDialog(String callId) {
    return driver.serverDialog(callId);
  }
}
