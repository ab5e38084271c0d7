package org.sipadapter.sipp.agent;

/**
 * The state of one SIP call inside a run, as derived from SIPp's message trace.
 *
 * @param callId the SIP Call-ID
 * @param direction {@code outbound} when SIPp sent the INVITE, {@code inbound} when it received it
 * @param state one of {@code DIALING}, {@code INCOMING}, {@code RINGING}, {@code CONNECTED}, {@code
 *     DISCONNECTED}, {@code FAILED}
 * @param status the SIP status behind the state (18x, 200, the final error), or 0
 * @param reason the reason phrase of that status, or null
 * @param from the From header of the INVITE
 * @param to the To header of the INVITE
 * @param hangupBy for DISCONNECTED: {@code local} (SIPp sent BYE or CANCEL) or {@code remote};
 *     otherwise null
 * @param remoteTo the far end's To header with its tag (from the last response), or null; the agent
 *     needs it to address an in-dialog request to SIPp
 */
public record CallProgress(
    String callId,
    String direction,
    String state,
    int status,
    String reason,
    String from,
    String to,
    String hangupBy,
    String remoteTo) {

  /** Whether the call has ended. */
  public boolean terminal() {
    return "DISCONNECTED".equals(state) || "FAILED".equals(state);
  }
}
