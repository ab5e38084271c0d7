package org.sipadapter;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Why a call ended, normalised across servers: the Q.850 cause code, the SIP status where one is
 * known, the cause's symbolic name (as Q.850 and FreeSWITCH spell it, such as {@code USER_BUSY})
 * and the server's own text.
 *
 * <p>SIP statuses and Q.850 codes map both ways following RFC 3398. Codes above 127 are
 * FreeSWITCH's extensions (for example 487 {@code ORIGINATOR_CANCEL}).
 *
 * @param q850 the Q.850 cause code, 0 when unknown
 * @param sipStatus the SIP final response status, 0 when unknown or not applicable
 * @param name the symbolic cause name, never null
 * @param text the server's own description, never null (may equal {@code name})
 */
public record HangupCause(int q850, int sipStatus, String name, String text) {

  private static final Map<Integer, String> NAMES = new HashMap<>();
  private static final Map<String, Integer> CODES = new HashMap<>();
  private static final Map<Integer, Integer> Q850_TO_SIP = new HashMap<>();
  private static final Map<Integer, Integer> SIP_TO_Q850 = new HashMap<>();

  static {
    name(0, "UNSPECIFIED");
    name(1, "UNALLOCATED_NUMBER");
    name(2, "NO_ROUTE_TRANSIT_NET");
    name(3, "NO_ROUTE_DESTINATION");
    name(6, "CHANNEL_UNACCEPTABLE");
    name(16, "NORMAL_CLEARING");
    name(17, "USER_BUSY");
    name(18, "NO_USER_RESPONSE");
    name(19, "NO_ANSWER");
    name(20, "SUBSCRIBER_ABSENT");
    name(21, "CALL_REJECTED");
    name(22, "NUMBER_CHANGED");
    name(25, "EXCHANGE_ROUTING_ERROR");
    name(27, "DESTINATION_OUT_OF_ORDER");
    name(28, "INVALID_NUMBER_FORMAT");
    name(29, "FACILITY_REJECTED");
    name(31, "NORMAL_UNSPECIFIED");
    name(34, "NORMAL_CIRCUIT_CONGESTION");
    name(38, "NETWORK_OUT_OF_ORDER");
    name(41, "NORMAL_TEMPORARY_FAILURE");
    name(42, "SWITCH_CONGESTION");
    name(44, "REQUESTED_CHAN_UNAVAIL");
    name(47, "RESOURCE_UNAVAILABLE");
    name(55, "INCOMING_CALL_BARRED");
    name(57, "BEARERCAPABILITY_NOTAUTH");
    name(58, "BEARERCAPABILITY_NOTAVAIL");
    name(63, "SERVICE_UNAVAILABLE");
    name(65, "BEARERCAPABILITY_NOTIMPL");
    name(79, "SERVICE_NOT_IMPLEMENTED");
    name(88, "INCOMPATIBLE_DESTINATION");
    name(102, "RECOVERY_ON_TIMER_EXPIRE");
    name(111, "PROTOCOL_ERROR");
    name(127, "INTERWORKING");
    name(487, "ORIGINATOR_CANCEL");
    name(502, "MEDIA_TIMEOUT");
    name(600, "SYSTEM_SHUTDOWN");
    name(602, "LOSE_RACE");
    name(603, "MANAGER_REQUEST");
    name(604, "BLIND_TRANSFER");
    name(605, "ATTENDED_TRANSFER");
    name(606, "ALLOTTED_TIMEOUT");

    int[][] q850ToSip = {
      {1, 404}, {2, 404}, {3, 404}, {17, 486}, {18, 408}, {19, 480}, {20, 480}, {21, 403},
      {22, 410}, {27, 502}, {28, 484}, {29, 501}, {31, 480}, {34, 503}, {38, 503}, {41, 503},
      {42, 503}, {44, 503}, {47, 503}, {55, 403}, {57, 403}, {58, 503}, {65, 488}, {79, 501},
      {88, 503}, {102, 504}, {111, 500}, {127, 500}, {487, 487}
    };
    for (int[] pair : q850ToSip) {
      Q850_TO_SIP.put(pair[0], pair[1]);
    }
    int[][] sipToQ850 = {
      {400, 41}, {401, 21}, {402, 21}, {403, 21}, {404, 1}, {405, 63}, {406, 79}, {407, 21},
      {408, 102}, {410, 22}, {413, 127}, {414, 127}, {415, 79}, {416, 127}, {420, 127}, {421, 127},
      {423, 127}, {480, 18}, {481, 41}, {482, 25}, {483, 25}, {484, 28}, {485, 1}, {486, 17},
      {487, 487}, {488, 65}, {500, 41}, {501, 79}, {502, 38}, {503, 41}, {504, 102}, {505, 127},
      {513, 127}, {600, 17}, {603, 21}, {604, 1}, {606, 58}
    };
    for (int[] pair : sipToQ850) {
      SIP_TO_Q850.put(pair[0], pair[1]);
    }
  }

  private static void name(int code, String name) {
    NAMES.put(code, name);
    CODES.put(name, code);
  }

  /**
   * Ends the {@link #text()} of a cause the adapter gave a call itself after it asked the server to
   * hang up and the server never reported the end within {@code timeouts.request}. Such a call is
   * no longer tracked, but nothing confirms it ended on the server; see {@link
   * #withoutHangupEvent()}.
   */
  public static final String NO_HANGUP_EVENT = "(no hangup event)";

  /** Normal end of an answered call, or a hangup on request (Q.850 16). */
  public static final HangupCause NORMAL_CLEARING = ofQ850(16);

  /** The far end was busy (Q.850 17, SIP 486). */
  public static final HangupCause USER_BUSY = ofQ850(17);

  /** The far end did not respond in time (Q.850 18, SIP 408). */
  public static final HangupCause NO_USER_RESPONSE = ofQ850(18);

  /** The far end was alerted but nobody answered (Q.850 19, SIP 480). */
  public static final HangupCause NO_ANSWER = ofQ850(19);

  /** The number does not exist (Q.850 1, SIP 404). */
  public static final HangupCause UNALLOCATED_NUMBER = ofQ850(1);

  /** There is no route to the destination (Q.850 3, SIP 404). */
  public static final HangupCause NO_ROUTE_DESTINATION = ofQ850(3);

  /** The far end rejected the call (Q.850 21, SIP 403). */
  public static final HangupCause CALL_REJECTED = ofQ850(21);

  /** The caller cancelled before answer (FreeSWITCH 487, SIP 487). */
  public static final HangupCause ORIGINATOR_CANCEL = ofQ850(487);

  /** The server or link failed for a reason without a better code (Q.850 41, SIP 503). */
  public static final HangupCause NORMAL_TEMPORARY_FAILURE = ofQ850(41);

  /** The call was lost with the connection to the server and not found again on reconnect. */
  public static final HangupCause CONNECTION_LOST =
      new HangupCause(41, 503, "NORMAL_TEMPORARY_FAILURE", "connection to the server lost");

  /** The adapter was closed while the call was active. */
  public static final HangupCause ADAPTER_CLOSED =
      new HangupCause(16, 0, "NORMAL_CLEARING", "adapter closed");

  /**
   * Checks the components.
   *
   * @throws NullPointerException if {@code name} or {@code text} is null
   */
  public HangupCause {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
  }

  /**
   * Builds a cause from a Q.850 code, with the SIP status of RFC 3398.
   *
   * @param q850 the Q.850 (or FreeSWITCH extended) cause code
   * @return the cause; an unknown code keeps its number with the name {@code CAUSE_<n>}
   */
  public static HangupCause ofQ850(int q850) {
    String name = NAMES.getOrDefault(q850, "CAUSE_" + q850);
    return new HangupCause(q850, Q850_TO_SIP.getOrDefault(q850, 0), name, name);
  }

  /**
   * Builds a cause from a Q.850 code with the server's own text.
   *
   * @param q850 the cause code
   * @param text the server's description; blank falls back to the symbolic name
   * @return the cause
   */
  public static HangupCause ofQ850(int q850, String text) {
    HangupCause base = ofQ850(q850);
    return text == null || text.isBlank() ? base : base.withText(text);
  }

  /**
   * Builds a cause from a SIP final response status, with the Q.850 code of RFC 3398.
   *
   * @param sipStatus the SIP status, 300 to 699
   * @return the cause
   */
  public static HangupCause ofSip(int sipStatus) {
    int q850 = SIP_TO_Q850.getOrDefault(sipStatus, sipStatus >= 500 ? 41 : 31);
    String name = NAMES.getOrDefault(q850, "CAUSE_" + q850);
    return new HangupCause(q850, sipStatus, name, "SIP " + sipStatus);
  }

  /**
   * Looks a cause up by its symbolic name, as FreeSWITCH's {@code Hangup-Cause} header spells it.
   *
   * @param name for example {@code USER_BUSY}; case is ignored
   * @return the cause, or {@link #NORMAL_TEMPORARY_FAILURE} with {@code name} as text when unknown
   */
  public static HangupCause fromName(String name) {
    Objects.requireNonNull(name, "name");
    Integer code = CODES.get(name.trim().toUpperCase(Locale.ROOT));
    if (code == null) {
      return NORMAL_TEMPORARY_FAILURE.withText(name.trim());
    }
    return ofQ850(code);
  }

  /**
   * Returns a copy with another description.
   *
   * @param newText the server's description
   * @return the new cause
   */
  public HangupCause withText(String newText) {
    return new HangupCause(q850, sipStatus, name, newText);
  }

  /**
   * Tells whether the adapter ended the call locally because the server never reported its end
   * after a hangup (the text ends with {@link #NO_HANGUP_EVENT}).
   *
   * @return true if no server event confirmed the end
   */
  public boolean withoutHangupEvent() {
    return text.endsWith(NO_HANGUP_EVENT);
  }

  /**
   * Returns the disposition this cause gives a call.
   *
   * @param answered whether the call was answered before it ended
   * @return {@link Disposition#ANSWERED} for answered calls, else by cause
   */
  public Disposition disposition(boolean answered) {
    if (answered) {
      return Disposition.ANSWERED;
    }
    switch (q850) {
      case 17:
        return Disposition.BUSY;
      case 18:
      case 19:
      case 20:
      case 102:
      case 606:
        return Disposition.NO_ANSWER;
      case 16:
      case 487:
      case 603:
        return Disposition.CANCELLED;
      default:
        return sipStatus == 486 || sipStatus == 600 ? Disposition.BUSY : Disposition.FAILED;
    }
  }
}
