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
    /** Not answered, with early media (a 183 or {@code pre_answer}). */
    EARLY,
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
  private final String endpoint;
  private final java.util.Map<String, String> ids = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile boolean transferred;
  private final long createdNanos = System.nanoTime();
  private volatile long endedNanos;
  private final long createdMicros = nowMicros();
  private volatile long answeredMicros;
  private volatile long endedMicros;
  private volatile String bridgeFirstLeg;
  private volatile EslCall bridgedTo;
  private volatile boolean consulting;
  private volatile boolean dying;
  private final java.util.Map<String, String> variables =
      new java.util.concurrent.ConcurrentHashMap<>();

  EslCall(String uuidA, String uuidB, String from, String to, boolean inbound) {
    this(uuidA, uuidB, from, to, inbound, "classic");
  }

  EslCall(String uuidA, String uuidB, String from, String to, boolean inbound, String endpoint) {
    this.endpoint = endpoint;
    ids.put("a", uuidA);
    ids.put("b", uuidB);
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

  /**
   * Returns how the call was set up: {@code classic} (the scenes of files 01-20), {@code loopback}
   * (a {@code loopback/<n>/sdk} call of files 21-33) or {@code sip} (the SIP self-loop).
   */
  String endpoint() {
    return endpoint;
  }

  /** The uuid playing a role of a recorded segment: a, b, c, d, or any recorded id seen. */
  java.util.Map<String, String> ids() {
    return ids;
  }

  /**
   * Returns the channel variables the originate set ({@code {name=value,...}}), which FreeSWITCH
   * puts on the originated leg's events as {@code variable_<name>}.
   */
  public java.util.Map<String, String> variables() {
    return java.util.Map.copyOf(variables);
  }

  void variable(String name, String value) {
    variables.put(name, value);
  }

  boolean transferred() {
    return transferred;
  }

  void transferred(boolean t) {
    transferred = t;
  }

  long createdNanos() {
    return createdNanos;
  }

  /** When the call ended or was killed ({@link System#nanoTime()}), or 0. */
  long endedNanos() {
    return endedNanos;
  }

  EslCall bridgedTo() {
    return bridgedTo;
  }

  void bridgedTo(EslCall other) {
    bridgedTo = other;
  }

  boolean consulting() {
    return consulting;
  }

  void consulting(boolean c) {
    consulting = c;
  }

  /** Whether a {@code uuid_kill} was accepted: gone for {@code uuid_exists} before its events. */
  boolean dying() {
    return dying;
  }

  void dying(boolean d) {
    dying = d;
    if (d && endedNanos == 0) {
      endedNanos = System.nanoTime();
    }
    if (d && endedMicros == 0) {
      endedMicros = nowMicros();
    }
  }

  long createdEpoch() {
    return createdEpoch;
  }

  /** When the call was created, answered (0: not answered) and ended (0: not yet), epoch µs. */
  long createdMicros() {
    return createdMicros;
  }

  long answeredMicros() {
    return answeredMicros;
  }

  long endedMicros() {
    return endedMicros;
  }

  /** The first argument of the {@code uuid_bridge} that bridged this call, or null. */
  String bridgeFirstLeg() {
    return bridgeFirstLeg;
  }

  void bridgeFirstLeg(String uuid) {
    bridgeFirstLeg = uuid;
  }

  void phase(Phase p) {
    if (p == Phase.ANSWERED && answeredMicros == 0) {
      answeredMicros = nowMicros();
    }
    phase = p;
  }

  void ended(String cause) {
    hangupCause = cause;
    if (endedNanos == 0) {
      endedNanos = System.nanoTime();
    }
    if (endedMicros == 0) {
      endedMicros = nowMicros();
    }
    phase = Phase.ENDED;
  }

  static long nowMicros() {
    return java.time.temporal.ChronoUnit.MICROS.between(
        java.time.Instant.EPOCH, java.time.Instant.now());
  }

  void conference(String room) {
    conference = room;
  }

  @Override
  public String toString() {
    return "EslCall[" + uuidA + ", " + from + " -> " + to + ", " + phase + "]";
  }
}
