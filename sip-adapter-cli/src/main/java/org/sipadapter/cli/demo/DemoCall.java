package org.sipadapter.cli.demo;

import java.util.Objects;
import org.sipadapter.CallState;

/**
 * One scripted call of the demo.
 *
 * @param label what the call shows, such as {@code answered call}
 * @param from the caller
 * @param to the destination
 * @param inbound true if the server starts the call from outside ({@link
 *     DemoServer#startInboundCall}) and the adapter only sees it; false if the adapter places it
 * @param talk true for the full script: answer, hold/resume and DTMF where the adapter supports
 *     them, then hang up; false to only wait for the call's end (a busy destination)
 * @param expected the terminal state the call must reach
 */
public record DemoCall(
    String label, String from, String to, boolean inbound, boolean talk, CallState expected) {

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if {@code expected} is not terminal
   */
  public DemoCall {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!expected.isTerminal()) {
      throw new IllegalArgumentException("expected must be a terminal state, was " + expected);
    }
  }

  /**
   * An outbound call that is answered, talked on and hung up.
   *
   * @param from caller
   * @param to an answering destination
   * @return the call
   */
  public static DemoCall answered(String from, String to) {
    return new DemoCall("answered call", from, to, false, true, CallState.DISCONNECTED);
  }

  /**
   * An outbound call to a busy destination.
   *
   * @param from caller
   * @param to a busy destination
   * @return the call
   */
  public static DemoCall busy(String from, String to) {
    return new DemoCall("busy destination", from, to, false, false, CallState.FAILED);
  }

  /**
   * A call placed from outside through the server, seen and hung up by the adapter.
   *
   * @param from caller
   * @param to an answering destination
   * @return the call
   */
  public static DemoCall inboundAnswered(String from, String to) {
    return new DemoCall("inbound call", from, to, true, true, CallState.DISCONNECTED);
  }
}
