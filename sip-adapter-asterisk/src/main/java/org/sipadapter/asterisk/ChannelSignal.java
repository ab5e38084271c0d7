package org.sipadapter.asterisk;

import org.sipadapter.asterisk.ami.AmiFrame;

/**
 * What one AMI event means for call tracking, after the event name and the few headers that matter
 * have been read. {@link AmiEventMapper} produces these; the adapter's channel tracker turns them
 * into unified call states and events.
 *
 * <p>All records are immutable. String components are as Asterisk sent them; a component the event
 * did not carry is the empty string, never null.
 */
public sealed interface ChannelSignal {

  /**
   * {@code Newchannel} or {@code Newstate}: a channel exists and is in {@code channelState}.
   * Headers needed only now and then (name, caller id, extension) are read from the event on
   * demand, which keeps the common path to two strings per event.
   *
   * @param uniqueid the channel's Uniqueid
   * @param linkedid the Uniqueid of the oldest channel of the call
   * @param channelState Asterisk's ChannelState number (0 Down ... 6 Up, 7 Busy)
   * @param created true for {@code Newchannel}
   * @param event the event itself
   */
  record ChannelState(
      String uniqueid, String linkedid, int channelState, boolean created, AmiFrame event)
      implements ChannelSignal {

    /**
     * The channel name, for example {@code PJSIP/2000-00000001}.
     *
     * @return the name, or empty
     */
    public String channel() {
      return event.getOrDefault("Channel", "");
    }

    /**
     * The caller id number; Asterisk writes {@code <unknown>} when unset.
     *
     * @return the number, or empty
     */
    public String callerIdNum() {
      return event.getOrDefault("CallerIDNum", "");
    }

    /**
     * The dialplan extension the channel is in.
     *
     * @return the extension, or empty
     */
    public String exten() {
      return event.getOrDefault("Exten", "");
    }
  }

  /**
   * {@code DialBegin}, {@code DialState} or {@code DialEnd}.
   *
   * @param uniqueid the calling channel (may be empty for an originated call)
   * @param destUniqueid the called channel
   * @param linkedid the call's Linkedid (of the called channel when the caller is absent)
   * @param dialStatus empty for DialBegin; RINGING, ANSWER, BUSY, NOANSWER, CANCEL, ... otherwise
   */
  record Dial(String uniqueid, String destUniqueid, String linkedid, String dialStatus)
      implements ChannelSignal {}

  /**
   * {@code BridgeEnter} or {@code BridgeLeave}.
   *
   * @param uniqueid the channel
   * @param linkedid the call's Linkedid
   * @param bridgeUniqueid the bridge
   * @param entered true for BridgeEnter
   */
  record Bridge(String uniqueid, String linkedid, String bridgeUniqueid, boolean entered)
      implements ChannelSignal {}

  /**
   * {@code Hangup}: the channel is gone.
   *
   * @param uniqueid the channel
   * @param linkedid the call's Linkedid
   * @param cause Q.850 cause code, 0 when absent
   * @param event the event itself
   */
  record Hangup(String uniqueid, String linkedid, int cause, AmiFrame event)
      implements ChannelSignal {

    /**
     * The channel name.
     *
     * @return the name, or empty
     */
    public String channel() {
      return event.getOrDefault("Channel", "");
    }

    /**
     * Asterisk's text for the cause, for example {@code User busy}.
     *
     * @return the text, or empty
     */
    public String causeText() {
      return event.getOrDefault("Cause-txt", "");
    }

    /**
     * The channel technology's own cause ({@code TechCause}, Asterisk 20 and later): for a PJSIP
     * channel the SIP status of the final response it got or sent, such as 404, or 487 for an
     * INVITE that was cancelled. Asterisk sends it only when there was such a response.
     *
     * @return the status, or 0 when absent
     */
    public int techCause() {
      return event.intValue("TechCause", 0);
    }
  }

  /**
   * {@code DTMFEnd}: one digit, complete.
   *
   * @param uniqueid the channel
   * @param digit the digit
   * @param received true when the channel received it, false when it sent it
   */
  record Dtmf(String uniqueid, String digit, boolean received) implements ChannelSignal {}

  /**
   * {@code Hold} or {@code Unhold}.
   *
   * @param uniqueid the channel
   * @param held true for Hold
   */
  record Hold(String uniqueid, boolean held) implements ChannelSignal {}

  /**
   * {@code OriginateResponse}: the outcome of an asynchronous Originate.
   *
   * @param actionId the Originate's ActionID
   * @param success true for {@code Response: Success}
   * @param reason the last control frame: 0 no such channel, 1 hangup, 3 ringing (no answer), 4
   *     answered, 5 busy, 8 congestion; -1 when absent
   * @param uniqueid the channel, or {@code <unknown>} on failure
   * @param channel the channel name
   */
  record OriginateResult(
      String actionId, boolean success, int reason, String uniqueid, String channel)
      implements ChannelSignal {}

  /**
   * Any other event; surfaces as a raw server event.
   *
   * @param frame the event as received
   */
  record Other(AmiFrame frame) implements ChannelSignal {}
}
