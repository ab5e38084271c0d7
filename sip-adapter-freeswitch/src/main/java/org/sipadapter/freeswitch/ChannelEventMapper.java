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
          ChannelEvent.created(
              name,
              event.uniqueId(),
              // The B leg of a loopback originate is an inbound channel too, but not a new call.
              "inbound".equals(event.headerOrNull("Call-Direction"))
                  && !"B".equals(event.headerOrNull("variable_loopback_leg")),
              event.headerOrNull("Caller-Caller-ID-Number"),
              event.headerOrNull("Caller-Destination-Number"));
      case "CHANNEL_PROGRESS" -> simple(ChannelEvent.Kind.RINGING, name, event);
      case "CHANNEL_PROGRESS_MEDIA" -> simple(ChannelEvent.Kind.EARLY_MEDIA, name, event);
      case "CHANNEL_ANSWER" -> simple(ChannelEvent.Kind.ANSWERED, name, event);
      case "CHANNEL_HOLD" -> simple(ChannelEvent.Kind.HELD, name, event);
      case "CHANNEL_UNHOLD" -> simple(ChannelEvent.Kind.UNHELD, name, event);
      case "CHANNEL_BRIDGE" ->
          ChannelEvent.bridge(
              ChannelEvent.Kind.BRIDGED,
              name,
              event.uniqueId(),
              event.headerOrNull("Other-Leg-Unique-ID"));
      case "CHANNEL_UNBRIDGE" ->
          ChannelEvent.bridge(
              ChannelEvent.Kind.UNBRIDGED,
              name,
              event.uniqueId(),
              event.headerOrNull("Other-Leg-Unique-ID"));
      case "CHANNEL_HANGUP" ->
          ChannelEvent.hangup(
              ChannelEvent.Kind.HANGUP, name, event.uniqueId(), event.headerOrNull("Hangup-Cause"));
      case "CHANNEL_HANGUP_COMPLETE" ->
          ChannelEvent.hangup(
              ChannelEvent.Kind.HANGUP_COMPLETE,
              name,
              event.uniqueId(),
              event.headerOrNull("Hangup-Cause"));
      case "DTMF" -> ChannelEvent.dtmf(name, event.uniqueId(), event.headerOrNull("DTMF-Digit"));
      case "BACKGROUND_JOB" ->
          ChannelEvent.jobDone(name, event.headerOrNull("Job-UUID"), event.body().orElse(""));
      case "HEARTBEAT" -> simple(ChannelEvent.Kind.HEARTBEAT, name, event);
      case "CUSTOM" ->
          ChannelEvent.custom(
              "CUSTOM " + event.header("Event-Subclass").orElse(""),
              event.uniqueId(),
              event.headers());
      case "CHANNEL_CALLSTATE" -> callState(name, event);
      case "CHANNEL_UNPARK", "CHANNEL_EXECUTE" -> {
        String source = event.headerOrNull("Caller-Transfer-Source");
        yield source == null || source.isEmpty()
            ? ChannelEvent.leg(ChannelEvent.Kind.OTHER, name, null)
            : simple(ChannelEvent.Kind.TRANSFERRED, name, event);
      }
      default -> ChannelEvent.leg(ChannelEvent.Kind.OTHER, name, null);
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
    return ChannelEvent.leg(ChannelEvent.Kind.OTHER, name, null);
  }

  private static ChannelEvent simple(ChannelEvent.Kind kind, String name, EslEvent event) {
    return ChannelEvent.leg(kind, name, event.uniqueId());
  }
}
