package org.sipadapter.spi;

import java.util.List;

/**
 * Re-reads the server's calls after a reconnect, so call states are neither lost nor duplicated.
 * Without it, tracked calls stay as they were when the link dropped.
 */
public non-sealed interface Resync extends Capability {

  /**
   * Reads the calls the server has now, after the link came back and before core trusts the tracked
   * calls again. Tracked calls missing from the answer get their terminal event; the others move to
   * the reported state. A given-up call in the answer is hung up. Calls the driver does not know
   * are for it to report with {@link DriverContext#reportIncomingCall}. Blocking up to the request
   * timeout is fine.
   *
   * @return the server's calls, matched to call ids
   * @throws Exception if the server cannot be asked; the link is then treated as lost again
   */
  List<CallSnapshot> resync() throws Exception;
}
