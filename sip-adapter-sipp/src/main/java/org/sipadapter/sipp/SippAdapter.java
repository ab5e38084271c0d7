package org.sipadapter.sipp;

import java.util.Optional;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallException;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.sipp.agent.SippAgent;

/**
 * Adapter for SIPp, driven through the SIPp agent ({@link SippAgent}) since SIPp has no network API
 * of its own.
 *
 * <p>{@link #makeCall} starts a one-call run of the agent's {@code call} scenario toward {@code
 * options.target} (or the {@code host:port} in {@code to = user@host:port}) and reports the call's
 * states from SIPp's own message trace: DIALING when the INVITE is sent, RINGING on 18x (183:
 * EARLY_MEDIA), CONNECTED on 200, DISCONNECTED on BYE, FAILED with the SIP status mapped to a
 * {@link HangupCause}. {@link #hangup} stops the run: the agent makes SIPp send BYE (or CANCEL
 * while ringing). Load runs are adapter methods: {@link #startLoad}, {@link #updateRate}, {@link
 * #stopLoad}, {@link #loadStats}. With {@code options.inboundPort}, a UAS run listens while
 * connected and its calls are reported as incoming calls (SIPp answers them per its scenario).
 * {@code options.mode: embedded} starts the agent inside this JVM on a free loopback port.
 *
 * <p>Every run the adapter starts carries a marker ({@link #instanceId()} and, for a call, the
 * call's own id), which the agent puts on the run and on each of its events. The adapter knows its
 * own calls by it: a run of a call that ended here while the agent may still have held it (its
 * start request timed out, its link was lost) is hung up as soon as the adapter sees it, in an
 * event, in the late reply or at resync. The calls of runs it did not start (another application's,
 * or an inbound run's) are reported as calls it did not place. Hangup works from the marker alone:
 * the agent hangs up the run and refuses a start request for that marker it reads later.
 *
 * <p>Events come from the agent's long-polled {@code GET /events} on one background thread and are
 * handed to the SDK's delivery threads. Thread-safe.
 */
public final class SippAdapter extends SipAdapter {

  /** Server id key of the agent run that carries a call. */
  public static final String RUN_ID = "sipp.runId";

  /** Server id key of the SIP Call-ID. */
  public static final String SIP_CALL_ID = "sip.callId";

  /**
   * Server id key of the marker on the run of a call this adapter did not place (another adapter's
   * call marker), when the run has one.
   */
  public static final String MARKER = "sipp.marker";

  private final SippDriver driver;

  SippAdapter(AdapterConfig config) {
    super(config, core -> new SippDriver(config, core));
    this.driver = driver(SippDriver.class);
  }

  /**
   * The embedded agent's base URI, when {@code options.mode} is {@code embedded} and the adapter
   * has connected once.
   *
   * @return the URI, or empty
   */
  public Optional<java.net.URI> embeddedAgentUri() {
    return driver.embeddedAgentUri();
  }

  /**
   * Starts a load run on the agent.
   *
   * @param spec what to run
   * @return the agent's run id, for the other load methods
   * @throws IllegalArgumentException if a field holds characters SIP or SIPp would misread
   * @throws AdapterConnectionException if not connected
   * @throws CallException if the agent refused the run (unknown scenario, process cap)
   */
  public String startLoad(LoadSpec spec) {
    return driver.startLoad(spec);
  }

  /**
   * Changes a running load's rate through SIPp's control socket. SIPp does not confirm; {@link
   * #loadStats} shows the new target rate within about a second.
   *
   * @param runId the run
   * @param rate calls per rate period, greater than 0
   */
  public void updateRate(String runId, double rate) {
    driver.updateRate(runId, rate);
  }

  /**
   * Changes a running load's simultaneous-call limit.
   *
   * @param runId the run
   * @param limit at least 1
   */
  public void updateLimit(String runId, int limit) {
    driver.updateLimit(runId, limit);
  }

  /**
   * Stops a load run gracefully (no new calls; running calls finish within the request timeout,
   * then SIGTERM) and returns its final figures.
   *
   * @param runId the run
   * @return the final stats, with SIPp's exit code and the verdict
   */
  public LoadStats stopLoad(String runId) {
    return driver.stopLoad(runId);
  }

  /**
   * Reads a load run's figures.
   *
   * @param runId the run
   * @return the latest stats (final once the run ended)
   */
  public LoadStats loadStats(String runId) {
    return driver.loadStats(runId);
  }

  /** The driver, for tests of this package. */
  SippDriver driver() {
    return driver;
  }
}
