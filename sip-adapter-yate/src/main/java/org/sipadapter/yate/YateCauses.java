package org.sipadapter.yate;

import org.sipadapter.HangupCause;

/**
 * Translates between Yate's textual hangup reasons ({@code reason}, {@code error} parameters) and
 * {@link HangupCause}. Stateless.
 */
final class YateCauses {
  private YateCauses() {}

  /**
   * Maps a Yate reason or error name, with an optional SIP status, to a cause.
   *
   * @param reason the {@code reason}/{@code error} text, or null
   * @param sipStatus the {@code cause_sip} parameter, or null
   * @return the cause; normal clearing when nothing says otherwise
   */
  static HangupCause of(String reason, String sipStatus) {
    // After a SIP rejection the leg's reason is the SIP phrase ("Busy Here"): the status says more.
    int sip = parseSip(sipStatus);
    if (sip >= 300) {
      return HangupCause.ofSip(sip)
          .withText("Yate: " + (reason == null || reason.isEmpty() ? "SIP " + sip : reason));
    }
    if (reason != null && !reason.isEmpty()) {
      HangupCause known =
          switch (reason) {
            case "busy" -> HangupCause.USER_BUSY;
            case "noanswer", "timeout" -> HangupCause.NO_ANSWER;
            case "noroute", "nocall" -> HangupCause.NO_ROUTE_DESTINATION;
            case "offline", "notfound", "unallocated" -> HangupCause.UNALLOCATED_NUMBER;
            case "rejected", "forbidden", "declined" -> HangupCause.CALL_REJECTED;
            case "cancelled", "pickup" -> HangupCause.ORIGINATOR_CANCEL;
            case "failure", "congestion", "noconn", "nomedia", "looping" ->
                HangupCause.NORMAL_TEMPORARY_FAILURE;
            case "normal", "hangup", "dropped", "" -> HangupCause.NORMAL_CLEARING;
            default -> null;
          };
      if (known != null) {
        return known.withText("Yate: " + reason);
      }
      int phrase = sipStatusOfPhrase(reason);
      if (phrase > 0) {
        return HangupCause.ofSip(phrase).withText("Yate: " + reason);
      }
    }
    return reason == null || reason.isEmpty()
        ? HangupCause.NORMAL_CLEARING
        : HangupCause.NORMAL_CLEARING.withText("Yate: " + reason);
  }

  /**
   * Returns the Yate reason to send with {@code call.drop} for a cause: the word ysipchan turns
   * into the SIP status of the cause ({@code busy} 486, {@code forbidden} 403, {@code noanswer}
   * 480; {@code rejected} would give 406 Not Acceptable).
   *
   * @param cause the cause, or null
   * @return a reason word Yate knows
   */
  static String reasonFor(HangupCause cause) {
    if (cause == null) {
      return "normal";
    }
    return switch (cause.q850()) {
      case 1, 2 -> "offline";
      case 3 -> "noroute";
      case 17 -> "busy";
      case 18, 102 -> "timeout";
      case 19, 20, 31 -> "noanswer";
      case 21, 55, 57 -> "forbidden";
      case 22 -> "moved";
      case 28 -> "incomplete";
      case 29, 79 -> "unimplemented";
      case 34, 38, 41, 42, 44, 47, 58, 88 -> "service-unavailable";
      case 65 -> "unacceptable";
      case 111, 127 -> "failure";
      default -> "normal";
    };
  }

  /**
   * The SIP status whose reason phrase a leg reports as {@code reason} after a SIP rejection when
   * no {@code cause_sip} came with it ({@code Busy Here} is 486).
   */
  private static int sipStatusOfPhrase(String reason) {
    return switch (reason) {
      case "Forbidden" -> 403;
      case "Not Found" -> 404;
      case "Request Timeout" -> 408;
      case "Temporarily Unavailable" -> 480;
      case "Busy Here" -> 486;
      case "Request Terminated" -> 487;
      case "Not Acceptable" -> 406;
      case "Not Acceptable Here" -> 488;
      case "Service Unavailable" -> 503;
      case "Server Internal Error" -> 500;
      case "Decline" -> 603;
      case "Busy Everywhere" -> 600;
      default -> -1;
    };
  }

  private static int parseSip(String s) {
    if (s == null || s.isEmpty() || s.length() > 3) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
