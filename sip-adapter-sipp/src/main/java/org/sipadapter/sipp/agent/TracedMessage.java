package org.sipadapter.sipp.agent;

/**
 * One SIP message from SIPp's {@code -trace_msg} file.
 *
 * @param time SIPp's timestamp text, such as {@code 2026-11-26 05:28:39.623318}
 * @param sent true when SIPp sent it, false when SIPp received it
 * @param method the request method, or null for a response
 * @param status the response status code, or 0 for a request
 * @param reason the response reason phrase, or null for a request
 * @param callId the Call-ID header, or null when absent
 * @param from the From header value, or null
 * @param to the To header value, or null
 * @param cseqMethod the method named in CSeq, or null
 */
public record TracedMessage(
    String time,
    boolean sent,
    String method,
    int status,
    String reason,
    String callId,
    String from,
    String to,
    String cseqMethod) {

  /** Whether this is a request. */
  public boolean isRequest() {
    return method != null;
  }
}
