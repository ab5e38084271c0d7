package org.sipadapter.asterisk;

import org.sipadapter.asterisk.ami.AmiFrame;
import org.sipadapter.asterisk.ami.AmiFrameType;

/**
 * Reads an AMI event into a {@link ChannelSignal}. Stateless and thread-safe.
 *
 * <p>Only the headers a signal needs are turned into strings; the event name is compared in place.
 * Events the mapper does not know, and events missing the headers it needs, become {@link
 * ChannelSignal.Other} so nothing the server says is lost.
 */
public final class AmiEventMapper {

  /** Creates a mapper. */
  public AmiEventMapper() {}

  /**
   * Maps one event.
   *
   * @param event a frame of type {@link AmiFrameType#EVENT}
   * @return the signal, never null
   * @throws IllegalArgumentException when the frame is not an event
   */
  public ChannelSignal map(AmiFrame event) {
    if (event.type() != AmiFrameType.EVENT) {
      throw new IllegalArgumentException("not an AMI event: " + event.type());
    }
    // Ordered by how often each event appears in real traffic (see the fixtures).
    if (event.isEvent("Newstate")) {
      return channelState(event, false);
    }
    if (event.isEvent("Hangup")) {
      return new ChannelSignal.Hangup(
          text(event, "Uniqueid"), text(event, "Linkedid"), event.intValue("Cause", 0), event);
    }
    if (event.isEvent("Newchannel")) {
      return channelState(event, true);
    }
    if (event.isEvent("DialBegin") || event.isEvent("DialState") || event.isEvent("DialEnd")) {
      String linkedid = event.getOrDefault("Linkedid", null);
      return new ChannelSignal.Dial(
          text(event, "Uniqueid"),
          text(event, "DestUniqueid"),
          linkedid != null ? linkedid : text(event, "DestLinkedid"),
          text(event, "DialStatus"));
    }
    if (event.isEvent("OriginateResponse")) {
      return new ChannelSignal.OriginateResult(
          text(event, "ActionID"),
          event.valueEqualsIgnoreCase("Response", "Success"),
          event.intValue("Reason", -1),
          text(event, "Uniqueid"),
          text(event, "Channel"));
    }
    if (event.isEvent("BridgeEnter") || event.isEvent("BridgeLeave")) {
      return new ChannelSignal.Bridge(
          text(event, "Uniqueid"),
          text(event, "Linkedid"),
          text(event, "BridgeUniqueid"),
          event.isEvent("BridgeEnter"));
    }
    if (event.isEvent("DTMFEnd")) {
      return new ChannelSignal.Dtmf(
          text(event, "Uniqueid"),
          text(event, "Digit"),
          event.valueEqualsIgnoreCase("Direction", "Received"));
    }
    if (event.isEvent("Hold") || event.isEvent("Unhold")) {
      return new ChannelSignal.Hold(text(event, "Uniqueid"), event.isEvent("Hold"));
    }
    return new ChannelSignal.Other(event);
  }

  private static ChannelSignal channelState(AmiFrame event, boolean created) {
    return new ChannelSignal.ChannelState(
        text(event, "Uniqueid"),
        text(event, "Linkedid"),
        event.intValue("ChannelState", -1),
        created,
        event);
  }

  private static String text(AmiFrame event, String key) {
    return event.getOrDefault(key, "");
  }
}
