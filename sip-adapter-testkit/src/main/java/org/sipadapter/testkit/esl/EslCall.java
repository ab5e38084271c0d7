package org.sipadapter.testkit.esl;

/**
 * A call the {@link EslEmulator} holds: the originating leg (A) and the far leg (B), as FreeSWITCH
 * creates two channels for a loopback or bridged call. Thread-safe.
 */
public final class EslCall {

  /** Where the call is. */
  public enum Phase {
    /** Created, not answered. */
    RINGING,
    /** Answered. */
    ANSWERED,
    /** Answered and on hold. */
    HELD,
    /** Hung up. */
    ENDED
  }

  private final String uuidA;
  private final String uuidB;
  private final String from;
  private volatile String callerName;
  private final String to;
  private final boolean inbound;
  private final long createdEpoch;
  private volatile Phase phase = Phase.RINGING;
  private volatile String conference;
  private volatile String hangupCause;

  EslCall(String uuidA, String uuidB, String from, String to, boolean inbound) {
    this.uuidA = uuidA;
    this.uuidB = uuidB;
    this.from = from;
    this.to = to;
    this.inbound = inbound;
    this.createdEpoch = System.currentTimeMillis() / 1000;
  }

  /** Returns the UUID of the leg the client controls (the originated leg, or the inbound leg). */
  public String uuid() {
    return uuidA;
  }

  /** Returns the UUID of the other leg. */
  public String otherUuid() {
    return uuidB;
  }

  /** Returns the caller number. */
  public String from() {
    return from;
  }

  /** Returns the caller name set with {@code origination_caller_id_name}, or null. */
  public String callerName() {
    return callerName;
  }

  void callerName(String name) {
    callerName = name;
  }

  /** Returns the destination number. */
  public String to() {
    return to;
  }

  /** Returns whether the call came in to the server (rather than being originated by a client). */
  public boolean inbound() {
    return inbound;
  }

  /** Returns the current phase. */
  public Phase phase() {
    return phase;
  }

  /** Returns the hangup cause once ended, else null. */
  public String hangupCause() {
    return hangupCause;
  }

  /** Returns the conference room the call was moved into, or null. */
  public String conference() {
    return conference;
  }

  long createdEpoch() {
    return createdEpoch;
  }

  void phase(Phase p) {
    phase = p;
  }

  void ended(String cause) {
    hangupCause = cause;
    phase = Phase.ENDED;
  }

  void conference(String room) {
    conference = room;
  }

  @Override
  public String toString() {
    return "EslCall[" + uuidA + ", " + from + " -> " + to + ", " + phase + "]";
  }
}
