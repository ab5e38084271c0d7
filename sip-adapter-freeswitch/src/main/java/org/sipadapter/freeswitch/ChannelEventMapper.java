package org.sipadapter.freeswitch;

import org.sipadapter.freeswitch.esl.EslEvent;

/**
 * Reads the few headers call tracking needs from a FreeSWITCH event.
 *
 * <p>Only headers the event's kind needs are decoded (an event carries 60 to 200 headers; a {@code
 * CHANNEL_STATE} needs two of them). Stateless and thread-safe.
 */
public final class ChannelEventMapper {
  private ChannelEventMapper() {}

  /**
   * Maps one event.
   *
   * @param event the event, not null
   * @return its meaning, never null ({@link ChannelEvent.Kind#OTHER} when it changes nothing)
   */
  public static ChannelEvent map(EslEvent event) {
    String name = event.name();
    return switch (name) {
      case "CHANNEL_CREATE" ->
          new ChannelEvent(
              ChannelEvent.Kind.CREATED,
              name,
              event.uniqueId(),
              null,
              // The B leg of a loopback originate is an inbound channel too, but not a new call.
              "inbound".equals(event.headerOrNull("Call-Direction"))
                  && !"B".equals(event.headerOrNull("variable_loopback_leg")),
              event.headerOrNull("Caller-Caller-ID-Number"),
              event.headerOrNull("Caller-Destination-Number"),
              null,
              null,
              null,
              null,
              null);
      case "CHANNEL_PROGRESS" -> simple(ChannelEvent.Kind.RINGING, name, event);
      case "CHANNEL_PROGRESS_MEDIA" -> simple(ChannelEvent.Kind.EARLY_MEDIA, name, event);
      case "CHANNEL_ANSWER" -> simple(ChannelEvent.Kind.ANSWERED, name, event);
      case "CHANNEL_HOLD" -> simple(ChannelEvent.Kind.HELD, name, event);
      case "CHANNEL_UNHOLD" -> simple(ChannelEvent.Kind.UNHELD, name, event);
      case "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE" ->
          new ChannelEvent(
              name.equals("CHANNEL_BRIDGE")
                  ? ChannelEvent.Kind.BRIDGED
                  : ChannelEvent.Kind.UNBRIDGED,
              name,
              event.uniqueId(),
              event.headerOrNull("Other-Leg-Unique-ID"),
              false,
              null,
              null,
              null,
              null,
              null,
              null,
              null);
      case "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE" ->
          new ChannelEvent(
              name.equals("CHANNEL_HANGUP")
                  ? ChannelEvent.Kind.HANGUP
                  : ChannelEvent.Kind.HANGUP_COMPLETE,
              name,
              event.uniqueId(),
              null,
              false,
              null,
              null,
              event.headerOrNull("Hangup-Cause"),
              null,
              null,
              null,
              null);
      case "DTMF" ->
          new ChannelEvent(
              ChannelEvent.Kind.DTMF,
              name,
              event.uniqueId(),
              null,
              false,
              null,
              null,
              null,
              event.headerOrNull("DTMF-Digit"),
              null,
              null,
              null);
      case "BACKGROUND_JOB" ->
          new ChannelEvent(
              ChannelEvent.Kind.JOB_DONE,
              name,
              null,
              null,
              false,
              null,
              null,
              null,
              null,
              event.headerOrNull("Job-UUID"),
              event.body().orElse(""),
              null);
      case "HEARTBEAT" -> simple(ChannelEvent.Kind.HEARTBEAT, name, event);
      case "CUSTOM" ->
          new ChannelEvent(
              ChannelEvent.Kind.CUSTOM,
              "CUSTOM " + event.header("Event-Subclass").orElse(""),
              event.uniqueId(),
              null,
              false,
              null,
              null,
              null,
              null,
              null,
              null,
              event.headers());
      case "CHANNEL_CALLSTATE" -> callState(name, event);
      default ->
          new ChannelEvent(
              ChannelEvent.Kind.OTHER,
              name,
              null,
              null,
              false,
              null,
              null,
              null,
              null,
              null,
              null,
              null);
    };
  }

  /** Hold shows as a call-state change too; it is the only signal some endpoints give. */
  private static ChannelEvent callState(String name, EslEvent event) {
    String state = event.headerOrNull("Channel-Call-State");
    if ("HELD".equals(state)) {
      return simple(ChannelEvent.Kind.HELD, name, event);
    }
    if ("UNHELD".equals(state)
        || ("ACTIVE".equals(state)
            && "HELD".equals(event.headerOrNull("Original-Channel-Call-State")))) {
      return simple(ChannelEvent.Kind.UNHELD, name, event);
    }
    return new ChannelEvent(
        ChannelEvent.Kind.OTHER, name, null, null, false, null, null, null, null, null, null, null);
  }

  private static ChannelEvent simple(ChannelEvent.Kind kind, String name, EslEvent event) {
    return new ChannelEvent(
        kind, name, event.uniqueId(), null, false, null, null, null, null, null, null, null);
  }
}
