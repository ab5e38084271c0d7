package org.sipadapter.testkit.emulator;

/**
 * The protocol logic of an emulator for one client connection. A {@link TcpEmulator} creates one
 * handler per accepted connection, so a handler may keep per-connection state (logged in, event
 * filter, ...) in plain fields.
 *
 * <p>Threading: the methods of one handler are never called concurrently and always in order
 * (connect, frames, close), normally on the connection's reader thread. A handler may call {@link
 * EmulatorSession#send} from any thread. An exception thrown by a method is recorded in {@link
 * TcpEmulator#handlerErrors()} and does not close the connection.
 */
public interface SessionHandler {

  /**
   * Called once when the connection is accepted, before any frame; e.g. send the banner.
   *
   * @param session the new connection
   */
  default void onConnect(EmulatorSession session) {}

  /**
   * Called for each complete frame the client sent that no script claimed.
   *
   * @param session the connection it arrived on
   * @param frame the frame, terminator included
   */
  void onFrame(EmulatorSession session, Frame frame);

  /**
   * Called once when the connection ends, whoever closed it.
   *
   * @param session the closed connection
   */
  default void onClose(EmulatorSession session) {}

  /**
   * Called when every frame received so far has been handled (after the last frame of one read, or
   * after a stall's held frames). Servers that write queued events only once their input is
   * processed (FreeSWITCH) flush them here.
   *
   * @param session the connection
   */
  default void onInputDrained(EmulatorSession session) {}
}
