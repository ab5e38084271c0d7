package org.sipadapter.pjsua;

import org.sipadapter.HangupCause;

/** Turns pjsua's last status of a disconnected call into a {@link HangupCause}. */
final class PjsuaCauses {
  private PjsuaCauses() {}

  /**
   * Maps {@code CallInfo.lastStatusCode} and {@code lastReason} of a {@code DISCONNECTED} call.
   * Below 300 (a BYE after 200 OK, pjsua's "Normal call clearing") is normal clearing; a final
   * error response maps by RFC 3398 (486 busy, 404 unallocated, 487 cancelled, ...).
   *
   * @param status the last SIP status
   * @param reason its reason phrase, may be empty
   * @return the cause, with pjsua's reason as text
   */
  static HangupCause of(int status, String reason) {
    HangupCause base = status < 300 ? HangupCause.NORMAL_CLEARING : HangupCause.ofSip(status);
    return reason == null || reason.isBlank() ? base : base.withText(reason);
  }
}
