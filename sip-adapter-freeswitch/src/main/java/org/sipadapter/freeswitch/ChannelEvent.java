package org.sipadapter.freeswitch;

import java.util.Map;

/**
 * What one FreeSWITCH event means for call tracking, reduced to the fields the adapter uses.
 *
 * <p>Built by {@link ChannelEventMapper} from an {@link org.sipadapter.freeswitch.esl.EslEvent};
 * fields that do not apply to the {@link #kind()} are null.
 *
 * @param kind what happened, never null
 * @param eventName the FreeSWITCH {@code Event-Name} (with {@code Event-Subclass} for CUSTOM
 *     events, as {@code CUSTOM conference::maintenance}), never null
 * @param uniqueId the channel UUID ({@code Unique-ID}), null for events of no channel
 * @param otherLegId {@code Other-Leg-Unique-ID} for bridge events, else null
 * @param inbound whether the leg is a call arriving from outside: {@code Call-Direction: inbound}
 *     and not the B leg of a loopback originate (CREATED only)
 * @param from {@code Caller-Caller-ID-Number} (CREATED only)
 * @param to {@code Caller-Destination-Number} (CREATED only)
 * @param hangupCause the {@code Hangup-Cause} name (HANGUP kinds only)
 * @param digit the {@code DTMF-Digit} (DTMF only)
 * @param jobUuid the {@code Job-UUID} (JOB_DONE only)
 * @param jobResult the background job's output, such as {@code +OK <uuid>} or {@code -ERR
 *     USER_BUSY} (JOB_DONE only)
 * @param fields all headers, decoded, for CUSTOM events only (they become server events)
 */
public record ChannelEvent(
    Kind kind,
    String eventName,
    String uniqueId,
    String otherLegId,
    boolean inbound,
    String from,
    String to,
    String hangupCause,
    String digit,
    String jobUuid,
    String jobResult,
    Map<String, String> fields) {

  /**
   * An event about one leg that carries nothing beyond its kind.
   *
   * @param kind what happened
   * @param eventName the event's name
   * @param uniqueId the channel UUID, or null
   * @return the event
   */
  static ChannelEvent leg(Kind kind, String eventName, String uniqueId) {
    return new ChannelEvent(
        kind, eventName, uniqueId, null, false, null, null, null, null, null, null, null);
  }

  static ChannelEvent created(
      String eventName, String uniqueId, boolean inbound, String from, String to) {
    return new ChannelEvent(
        Kind.CREATED, eventName, uniqueId, null, inbound, from, to, null, null, null, null, null);
  }

  static ChannelEvent bridge(Kind kind, String eventName, String uniqueId, String otherLegId) {
    return new ChannelEvent(
        kind, eventName, uniqueId, otherLegId, false, null, null, null, null, null, null, null);
  }

  static ChannelEvent hangup(Kind kind, String eventName, String uniqueId, String cause) {
    return new ChannelEvent(
        kind, eventName, uniqueId, null, false, null, null, cause, null, null, null, null);
  }

  static ChannelEvent dtmf(String eventName, String uniqueId, String digit) {
    return new ChannelEvent(
        Kind.DTMF, eventName, uniqueId, null, false, null, null, null, digit, null, null, null);
  }

  static ChannelEvent jobDone(String eventName, String jobUuid, String result) {
    return new ChannelEvent(
        Kind.JOB_DONE, eventName, null, null, false, null, null, null, null, jobUuid, result, null);
  }

  static ChannelEvent custom(String eventName, String uniqueId, Map<String, String> fields) {
    return new ChannelEvent(
        Kind.CUSTOM, eventName, uniqueId, null, false, null, null, null, null, null, null, fields);
  }

  /** The meanings the adapter acts on. */
  public enum Kind {
    /** {@code CHANNEL_CREATE}: a new call leg. */
    CREATED,
    /** {@code CHANNEL_PROGRESS}: the far end rings (180). */
    RINGING,
    /** {@code CHANNEL_PROGRESS_MEDIA}: early media (183). */
    EARLY_MEDIA,
    /** {@code CHANNEL_ANSWER}. */
    ANSWERED,
    /** {@code CHANNEL_BRIDGE}. */
    BRIDGED,
    /** {@code CHANNEL_UNBRIDGE}. */
    UNBRIDGED,
    /** {@code CHANNEL_HOLD}, or {@code CHANNEL_CALLSTATE} to HELD. */
    HELD,
    /** {@code CHANNEL_UNHOLD}, or {@code CHANNEL_CALLSTATE} from HELD to UNHELD/ACTIVE. */
    UNHELD,
    /** {@code CHANNEL_HANGUP}: the leg is ending, with its cause. */
    HANGUP,
    /** {@code CHANNEL_HANGUP_COMPLETE}: the leg has ended (final). */
    HANGUP_COMPLETE,
    /** {@code DTMF}: a digit was received on the leg. */
    DTMF,
    /** {@code BACKGROUND_JOB}: a bgapi command finished. */
    JOB_DONE,
    /**
     * {@code CHANNEL_UNPARK} or {@code CHANNEL_EXECUTE} of a leg that a {@code uuid_transfer} sent
     * to another extension ({@code Caller-Transfer-Source} set): the call goes on there.
     */
    TRANSFERRED,
    /** {@code HEARTBEAT}: the server is alive. */
    HEARTBEAT,
    /** {@code CUSTOM}: a module's event, passed on as a server event. */
    CUSTOM,
    /** Anything else (state changes, execute, park): no effect on call state. */
    OTHER
  }
}
