package org.sipadapter;

/** Optional operations. {@link SipAdapter#features()} lists the ones an adapter offers. */
public enum Feature {
  /** Answer an inbound call. */
  ANSWER("answer"),
  /** Reject an inbound call. */
  REJECT("reject"),
  /** Blind transfer. */
  TRANSFER("transfer"),
  /** Attended (consultative) transfer. */
  ATTENDED_TRANSFER("attendedTransfer"),
  /** Put a call on hold and resume it. */
  HOLD("hold"),
  /** Record a call. */
  RECORDING("recording"),
  /** Send DTMF digits on a call. */
  SEND_DTMF("sendDtmf"),
  /** Report DTMF digits received on a call. */
  RECEIVE_DTMF("receiveDtmf"),
  /** Join calls into a conference room. */
  CONFERENCE("conference"),
  /** Bridge two calls together. */
  BRIDGE("bridge"),
  /** Place outbound calls with {@link SipAdapter#makeCall}. */
  OUTBOUND_CALLS("makeCall"),
  /** Report calls that arrive from outside as {@code IncomingCall}. */
  INBOUND_CALLS("incomingCalls");

  private final String displayName;

  Feature(String displayName) {
    this.displayName = displayName;
  }

  /**
   * Returns the name of the operation as the API spells it.
   *
   * @return for example {@code attendedTransfer}
   */
  public String displayName() {
    return displayName;
  }
}
