package org.sipadapter.cli.demo;

import java.time.Duration;
import java.util.List;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;

/**
 * What one scripted call of the demo did.
 *
 * @param adapterType the adapter's type
 * @param server the server's description
 * @param call the scripted call
 * @param states the states seen, in order
 * @param setup time from placing (or seeing) the call to its answer, null if never answered
 * @param cause the hangup cause, null if the call did not end
 * @param features the adapter's features, by API name
 * @param notes what the optional steps did, such as {@code hold ok}
 * @param problem why the call failed the script, or null when it ended as expected
 */
public record DemoResult(
    String adapterType,
    String server,
    DemoCall call,
    List<CallState> states,
    Duration setup,
    HangupCause cause,
    List<String> features,
    List<String> notes,
    String problem) {

  /**
   * Tells whether the call ended in its expected state with every step done.
   *
   * @return true if it passed
   */
  public boolean ok() {
    return problem == null;
  }
}
