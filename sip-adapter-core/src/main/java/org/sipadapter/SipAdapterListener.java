package org.sipadapter;

import org.sipadapter.event.AdapterError;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;

/**
 * Receives an adapter's events. Override only the methods you need.
 *
 * <p>Threading: methods are called on the adapter's delivery threads, never on the thread that
 * reads the socket. Events of one call arrive in order, one at a time; events of different calls
 * may arrive in parallel on different threads. A listener that throws is logged and does not stop
 * other listeners; a slow one is reported but holds up only its own delivery thread.
 */
public interface SipAdapterListener {

  /**
   * A call changed state.
   *
   * @param event the change
   */
  default void onCallStateChanged(CallStateChanged event) {}

  /**
   * A call arrived from outside.
   *
   * @param event the new call
   */
  default void onIncomingCall(IncomingCall event) {}

  /**
   * A DTMF digit arrived.
   *
   * @param event the digit
   */
  default void onDtmfReceived(DtmfReceived event) {}

  /**
   * The link to the server changed state.
   *
   * @param event the change
   */
  default void onConnectionStateChanged(ConnectionStateChanged event) {}

  /**
   * Something went wrong in the background.
   *
   * @param event the error
   */
  default void onError(AdapterError event) {}

  /**
   * A raw server event outside the unified model.
   *
   * @param event the event
   */
  default void onServerEvent(ServerEvent event) {}

  /**
   * Receives every event; the default sends each to its typed method. Override to see all events in
   * one place.
   *
   * @param event the event
   */
  default void onEvent(AdapterEvent event) {
    if (event instanceof CallStateChanged) {
      onCallStateChanged((CallStateChanged) event);
    } else if (event instanceof IncomingCall) {
      onIncomingCall((IncomingCall) event);
    } else if (event instanceof DtmfReceived) {
      onDtmfReceived((DtmfReceived) event);
    } else if (event instanceof ConnectionStateChanged) {
      onConnectionStateChanged((ConnectionStateChanged) event);
    } else if (event instanceof AdapterError) {
      onError((AdapterError) event);
    } else if (event instanceof ServerEvent) {
      onServerEvent((ServerEvent) event);
    }
  }
}
