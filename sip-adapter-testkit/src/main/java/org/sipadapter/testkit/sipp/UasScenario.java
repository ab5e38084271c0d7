package org.sipadapter.testkit.sipp;

import java.util.Optional;

/**
 * What a SIPp user agent server does with each INVITE it receives.
 *
 * <p>The scenario XML of each constant, other than {@link #ANSWER} (SIPp's built-in {@code uas}),
 * is a classpath resource next to this class and can be read with {@link #resource()}.
 */
public enum UasScenario {
  /**
   * Rings (180), answers (200 with SDP), waits for ACK and the caller's BYE: SIPp's {@code uas}.
   */
  ANSWER(null),
  /** Refuses every call with {@code 486 Busy Here}. */
  BUSY("uas-busy.xml"),
  /** Rings (180) and never answers; a CANCEL gets 200 and the INVITE {@code 487}. */
  NO_ANSWER("uas-no-answer.xml"),
  /**
   * Rings (180) for the ring delay given to {@link SippProcess.Builder#ringDelay}, then answers and
   * waits for the caller's BYE.
   */
  RING_THEN_ANSWER("uas-ring-then-answer.xml"),
  /**
   * Answers, and when a REFER arrives (Kamailio's {@code dlg.bridge_dlg} click-to-dial) accepts it
   * and places the referred call, as a phone following a transfer does.
   */
  REFER_FOLLOWER("uas-refer-follower.xml"),
  /**
   * Rings (180) for the ring delay given to {@link SippProcess.Builder#ringDelay}, answers with
   * G.711 A-law and sends audio (the A-law recording Debian's sip-tester ships) until the caller's
   * BYE, as a real phone does; SIP INFO (DTMF) is answered 200. Servers that clock DTMF or
   * transfers by the media stream (Asterisk's Atxfer) need a phone that talks.
   */
  RING_THEN_TALK("uas-ring-then-talk.xml"),
  /** Refuses every call with {@code 404 Not Found}. */
  NOT_FOUND("uas-not-found.xml"),
  /**
   * Rings (180), answers, and after the duration given to {@link SippProcess.Builder#callDuration}
   * hangs up itself (BYE).
   */
  ANSWER_THEN_HANGUP("uas-answer-then-hangup.xml"),
  /**
   * Rings (180), answers, and after the duration given to {@link SippProcess.Builder#callDuration}
   * presses {@code 1}, {@code 2} and {@code #} (SIP INFO {@code application/dtmf-relay}, one per
   * digit), then waits for the caller's BYE.
   */
  ANSWER_THEN_DTMF("uas-answer-then-dtmf.xml"),
  /**
   * Rings (180), answers (PCMU, no {@code telephone-event}) and stays in the call as a phone does:
   * a re-INVITE gets 200 with SDP ({@code recvonly} to a {@code sendonly} offer: hold; {@code
   * sendrecv} otherwise), an INFO (DTMF) gets 200, until the caller's BYE.
   */
  ANSWER_FOLLOW_HOLD("uas-answer-follow-hold.xml");

  private final String resource;

  UasScenario(String resource) {
    this.resource = resource;
  }

  /**
   * The classpath resource name of the scenario, relative to this package.
   *
   * @return the file name, or empty for a SIPp built-in scenario
   */
  public Optional<String> resource() {
    return Optional.ofNullable(resource);
  }
}
