package org.sipadapter.testkit.pjsua;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory pjsua user agent with the behaviour of the pjsua2 Java binding, for testing code
 * that drives pjsua2 where the native library is absent. It models what a pjsua2 application sees,
 * with plain {@code int}s where the binding has its int-constant classes (the values are those of
 * {@code pjsip_inv_state}, {@code pjsip_status_code} and {@code pjsua_call_media_status}):
 *
 * <ul>
 *   <li>the library lifecycle ({@link #libCreate}, {@link #libInit}, {@link #transportCreate},
 *       {@link #libStart}, {@link #libDestroy}), one account ({@link #accountCreate}) with or
 *       without a registrar, and the compile-time call limit ({@code PJSUA_MAX_CALLS}, 4 unless
 *       raised with {@link #maxCallsCap});
 *   <li>the state sequence of a call placed to a SIP UAS, as recorded against SIPp: {@code CALLING
 *       -> EARLY (180 Ringing) -> CONNECTING (200) -> CONFIRMED (200) -> DISCONNECTED}, with the
 *       state texts pjsip prints ({@code DISCONNCTD}), last status codes and reasons, call slots
 *       that are reused after a call ends, and a SIP Call-ID per call; busy (486), not found (404)
 *       and unanswered calls (180, then 487 after the caller's CANCEL);
 *   <li>the threading rules: callbacks run on one {@code pjsua-worker} thread, and every library
 *       call from a thread that neither called {@link #libCreate} nor {@link #libRegisterThread}
 *       fails as pjlib's "unknown thread" assertion would;
 *   <li>the media sockets: each call holds an RTP and an RTCP socket per audio stream and per text
 *       stream (pjsua 2.17 offers {@code m=text} on every INVITE unless the call setting's {@code
 *       textCount} is 0) in the media endpoint's ioqueue of {@code PJ_IOQUEUE_MAX_HANDLES} (64)
 *       handles; one socket more fails as pjlib's assertion {@code
 *       '!pj_list_empty(&ioqueue->free_list)'} does, which aborts the process on the real binding
 *       (here: an {@link AssertionError}, and the agent refuses everything after it);
 *   <li>the audio bridge: {@link #startTransmit} between calls (a two-party bridge or a conference
 *       of several), and recorders ({@link #createRecorder}) that write a WAV file of what a call
 *       sends them, as {@code AudioMediaRecorder} does;
 *   <li>a frozen library ({@link #freeze}): the worker holds the library lock, so every library
 *       call blocks and no callback runs until {@link #thaw}, when the blocked calls go through
 *       late, as with a pjsua whose worker is stuck.
 * </ul>
 *
 * <p>The far end is scripted with {@link #route} and driven with {@link #incomingCall}, {@link
 * #remoteHangup} and {@link #remoteDtmf}; what the agent sent is readable through {@link #invite},
 * {@link #dtmfSent}, {@link #dtmfInfoSent} and {@link #transfers}.
 *
 * <p>Thread safety: every method is thread-safe. Library state is guarded by one lock, as pjsua's
 * own; callbacks are delivered on the worker thread without that lock held, in the order the
 * changes happened.
 */
public final class FakeUserAgent implements AutoCloseable {

  /** {@code pjsip_inv_state} values. */
  public static final int NULL = 0, CALLING = 1, INCOMING = 2, EARLY = 3, CONNECTING = 4;

  /** {@code pjsip_inv_state} values. */
  public static final int CONFIRMED = 5, DISCONNECTED = 6;

  /** {@code pjsua_call_media_status} values. */
  public static final int MEDIA_NONE = 0, MEDIA_ACTIVE = 1, MEDIA_LOCAL_HOLD = 2;

  /** {@code pjsua_dtmf_method} values: RTP telephone events, or SIP INFO. */
  public static final int DTMF_RFC2833 = 0, DTMF_SIP_INFO = 1;

  /** {@code pjsip_role_e}: the call was placed here (UAC) or arrived (UAS). */
  public static final int ROLE_UAC = 0, ROLE_UAS = 1;

  private static final String[] STATE_TEXT = {
    "NULL", "CALLING", "INCOMING", "EARLY", "CONNECTING", "CONFIRMED", "DISCONNCTD"
  };

  /** What the far end does with a call to a user. */
  public enum Outcome {
    /** 100, 180 Ringing, then 200 OK after the answer delay. */
    ANSWER,
    /** 486 Busy Here. */
    BUSY,
    /** 404 Not Found. */
    NOT_FOUND,
    /** 180 Ringing, never answered. */
    NO_ANSWER
  }

  /** A call's state as {@code Call.getInfo()} shows it. */
  public record CallInfo(
      int id,
      int role,
      int state,
      String stateText,
      int lastStatusCode,
      String lastReason,
      String callIdString,
      String localUri,
      String remoteUri) {}

  /**
   * What an outgoing INVITE carried.
   *
   * @param dstUri the Request-URI
   * @param localUri the From URI, empty for the account's
   * @param headers the extra headers
   * @param route the outbound proxies the request was sent through ({@code Route}), in order
   * @param textStreams the {@code m=text} streams of the offer (pjsua's default is 1)
   */
  public record Invite(
      String dstUri,
      String localUri,
      Map<String, String> headers,
      List<String> route,
      int textStreams) {}

  /**
   * The account's registration as {@code Account.getInfo()} shows it.
   *
   * @param active whether the account is registered
   * @param status the last REGISTER status (0 before any)
   * @param statusText its reason phrase
   * @param expiresSec the seconds until the registration expires
   */
  public record RegInfo(boolean active, int status, String statusText, long expiresSec) {}

  /**
   * A transport as {@code Endpoint.transportGetInfo} shows it.
   *
   * @param typeName {@code UDP}, {@code TCP} or {@code TLS}
   * @param localName the bound address and port
   * @param caListFile for TLS, the CA list the server certificate is checked against
   * @param verifyServer for TLS, whether the server certificate is checked
   */
  public record TransportInfo(
      String typeName, String localName, String caListFile, boolean verifyServer) {}

  /** The callbacks of one call (what a {@code Call} subclass overrides). Run on the worker. */
  public interface CallObserver {
    /**
     * The call changed state; read the state from {@code info}.
     *
     * @param info the call's info at the change
     */
    void onCallState(CallInfo info);

    /**
     * The media of the call changed (active, held).
     *
     * @param callId the call slot
     * @param mediaStatus the audio stream's {@code pjsua_call_media_status}
     */
    void onCallMediaState(int callId, int mediaStatus);

    /**
     * A DTMF digit arrived.
     *
     * @param callId the call slot
     * @param digit the digit
     */
    void onDtmfDigit(int callId, String digit);
  }

  /**
   * The callbacks of the account (what an {@code Account} subclass overrides). Run on the worker.
   */
  public interface AccountObserver {
    /**
     * A call arrived; return the observer of its {@code Call} object (the binding's director).
     *
     * @param callId the new call's slot
     * @return the call's observer, not null
     */
    CallObserver onIncomingCall(int callId);

    /**
     * Registration finished.
     *
     * @param code the SIP status of the REGISTER (200, 401, 403, 408)
     * @param reason its reason phrase
     */
    void onRegState(int code, String reason);
  }

  private final Object lock = new Object();
  private final Map<String, Outcome> routes = new ConcurrentHashMap<>();
  private final Set<Long> registeredThreads = ConcurrentHashMap.newKeySet();
  private final Map<String, Invite> invites = new ConcurrentHashMap<>();
  private final Map<String, List<String>> dtmfSent = new ConcurrentHashMap<>();
  private final Map<String, List<String>> dtmfInfoSent = new ConcurrentHashMap<>();
  private final Set<String> withoutTelephoneEvent = ConcurrentHashMap.newKeySet();
  private final List<String> transfers = new CopyOnWriteArrayList<>();
  private final AtomicInteger callIdSeq = new AtomicInteger();
  private final AtomicInteger workerSeq = new AtomicInteger();
  private volatile Duration ringAfter = Duration.ofMillis(10);
  private volatile Duration answerAfter = Duration.ofMillis(20);
  private volatile int maxCallsCap = 4;
  private volatile int mediaHandles = 64;
  private volatile String username = "";
  private volatile String password = "";

  // guarded by lock
  private int libState; // 0 none, 1 created, 2 initialised, 3 running
  private int maxCalls = 4;
  private ScheduledExecutorService worker;
  private AccountObserver account;
  private final Map<Integer, FakeCall> calls = new HashMap<>();
  private final List<TransportInfo> transports = new ArrayList<>();
  private final Map<String, Set<String>> transmit = new HashMap<>(); // sip call id -> sinks
  private final Map<Integer, Path> recorders = new HashMap<>();
  private int recorderSeq;
  private boolean aborted;
  private List<String> proxies = List.of();
  private int srtpUse;
  private RegInfo regInfo = new RegInfo(false, 0, "", 0);
  private volatile CountDownLatch frozen;

  /** Creates an agent with no routes (every destination answers 404). */
  public FakeUserAgent() {}

  // ------------------------------------------------------------------ scripting (any thread)

  /**
   * Sets what a call to {@code user} does.
   *
   * @param user the user part of the destination URI ({@code 2000} in {@code sip:2000@pbx})
   * @param outcome the outcome
   * @return this agent
   */
  public FakeUserAgent route(String user, Outcome outcome) {
    routes.put(Objects.requireNonNull(user), Objects.requireNonNull(outcome));
    return this;
  }

  /**
   * Makes the far end of calls to or from {@code user} leave {@code telephone-event} out of its SDP
   * (SIPp's built-in scenarios, many gateways): RTP DTMF to it is refused, as pjmedia refuses it
   * ({@code PJMEDIA_RTP_EREMNORFC2833}), and the stream's {@link #audTxEventPt} is -1.
   *
   * @param user the user part of the far end's URI
   * @return this agent
   */
  public FakeUserAgent withoutTelephoneEvent(String user) {
    withoutTelephoneEvent.add(Objects.requireNonNull(user));
    return this;
  }

  /**
   * Sets the far end's delays.
   *
   * @param ring from INVITE to 180 Ringing
   * @param answer from 180 to 200 OK for {@link Outcome#ANSWER}
   * @return this agent
   */
  public FakeUserAgent timing(Duration ring, Duration answer) {
    this.ringAfter = ring;
    this.answerAfter = answer;
    return this;
  }

  /**
   * Sets the compile-time call limit ({@code PJSUA_MAX_CALLS}); 4 as in pjproject since 2.12.
   *
   * @param cap the limit of a library built with a larger {@code PJSUA_MAX_CALLS}
   * @return this agent
   */
  public FakeUserAgent maxCallsCap(int cap) {
    this.maxCallsCap = cap;
    return this;
  }

  /**
   * Sets the handles of the media endpoint's ioqueue ({@code PJ_IOQUEUE_MAX_HANDLES}, 64 unless
   * pjproject was rebuilt with more).
   *
   * @param handles the handles
   * @return this agent
   */
  public FakeUserAgent mediaHandles(int handles) {
    this.mediaHandles = handles;
    return this;
  }

  /**
   * Sets the credentials the registrar accepts.
   *
   * @param user the digest user name
   * @param secret the password
   * @return this agent
   */
  public FakeUserAgent registrarAccepts(String user, String secret) {
    this.username = user;
    this.password = secret;
    return this;
  }

  // ------------------------------------------------------------------ library (registered threads)

  /** {@code Endpoint.libCreate()}: the calling thread becomes a known pjlib thread. */
  public void libCreate() throws Exception {
    synchronized (lock) {
      if (libState != 0) {
        throw new Exception("libCreate: already created (PJ_EEXISTS)");
      }
      libState = 1;
      registeredThreads.add(Thread.currentThread().getId());
    }
  }

  /**
   * {@code Endpoint.libInit(EpConfig)}.
   *
   * @param maxCallsWanted {@code UaConfig.maxCalls}; capped by {@link #maxCallsCap}
   */
  public void libInit(long maxCallsWanted) throws Exception {
    synchronized (lock) {
      checkThread("libInit");
      if (libState != 1) {
        throw new Exception("libInit: library not created (PJ_EINVALIDOP)");
      }
      if (maxCallsWanted > maxCallsCap) {
        throw new Exception(
            "libInit: maxCalls " + maxCallsWanted + " above PJSUA_MAX_CALLS " + maxCallsCap);
      }
      maxCalls = (int) maxCallsWanted;
      libState = 2;
    }
  }

  /**
   * {@code Endpoint.transportCreate(type, cfg)}.
   *
   * @param type {@code pjsip_transport_type_e}: 1 UDP, 2 TCP
   * @param boundAddress the local address
   * @param port the local port
   * @return the transport id
   */
  public int transportCreate(int type, String boundAddress, long port) throws Exception {
    return transportCreate(type, boundAddress, port, "", false);
  }

  /**
   * {@code Endpoint.transportCreate(type, cfg)} with the TLS settings of {@code cfg.tlsConfig}.
   *
   * @param type {@code pjsip_transport_type_e}: 1 UDP, 2 TCP, 3 TLS
   * @param boundAddress the local address
   * @param port the local port
   * @param caListFile {@code TlsConfig.CaListFile}; for TLS with {@code verifyServer} it must be a
   *     readable PEM file
   * @param verifyServer {@code TlsConfig.verifyServer}
   * @return the transport id
   */
  public int transportCreate(
      int type, String boundAddress, long port, String caListFile, boolean verifyServer)
      throws Exception {
    synchronized (lock) {
      checkThread("transportCreate");
      if (libState < 2) {
        throw new Exception("transportCreate: libInit first (PJ_EINVALIDOP)");
      }
      if (type < 1 || type > 3) {
        throw new Exception("transportCreate: unsupported transport " + type + " (PJ_EINVAL)");
      }
      if (type == 3 && !caListFile.isEmpty() && !Files.isReadable(Path.of(caListFile))) {
        throw new Exception("transportCreate: cannot read CA list " + caListFile + " (PJ_ENOENT)");
      }
      String name = type == 3 ? "TLS" : type == 2 ? "TCP" : "UDP";
      transports.add(new TransportInfo(name, boundAddress + ":" + port, caListFile, verifyServer));
      return transports.size() - 1;
    }
  }

  /**
   * {@code Endpoint.transportGetInfo(id)}.
   *
   * @param id the transport id
   * @return the info
   */
  public TransportInfo transportGetInfo(int id) throws Exception {
    synchronized (lock) {
      checkThread("transportGetInfo");
      if (id < 0 || id >= transports.size()) {
        throw new Exception("transportGetInfo: invalid transport " + id + " (PJ_EINVAL)");
      }
      return transports.get(id);
    }
  }

  /**
   * {@code Endpoint.libVersion().getFull()}.
   *
   * @return {@code 2.17}
   */
  public String libVersion() {
    return "2.17";
  }

  /** {@code Endpoint.libStart()}: starts the worker thread that runs every callback. */
  public void libStart() throws Exception {
    synchronized (lock) {
      checkThread("libStart");
      if (libState != 2 || transports.isEmpty()) {
        throw new Exception("libStart: libInit and a transport first (PJ_EINVALIDOP)");
      }
      int n = workerSeq.incrementAndGet();
      ScheduledThreadPoolExecutor w =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "pjsua-worker-" + n);
                t.setDaemon(true);
                return t;
              });
      w.setRemoveOnCancelPolicy(true);
      w.execute(() -> registeredThreads.add(Thread.currentThread().getId()));
      worker = w;
      libState = 3;
    }
  }

  /**
   * {@code Endpoint.libRegisterThread(name)}.
   *
   * @param name the thread's name for pjlib
   */
  public void libRegisterThread(String name) throws Exception {
    Objects.requireNonNull(name, "name");
    registeredThreads.add(Thread.currentThread().getId());
  }

  /**
   * {@code Endpoint.libIsThreadRegistered()}.
   *
   * @return whether the calling thread is known to pjlib
   */
  public boolean libIsThreadRegistered() {
    return registeredThreads.contains(Thread.currentThread().getId());
  }

  /** {@code Endpoint.libDestroy()}: ends calls silently, stops the worker, forgets threads. */
  public void libDestroy() throws Exception {
    ScheduledExecutorService w;
    synchronized (lock) {
      if (libState == 0) {
        return;
      }
      checkThread("libDestroy");
      w = worker;
      worker = null;
      libState = 0;
      calls.clear();
      transports.clear();
      transmit.clear();
      recorders.clear();
      account = null;
      registeredThreads.clear();
    }
    if (w != null) {
      w.shutdownNow();
      w.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * {@code Account.create(cfg)}. With a registrar, the REGISTER result arrives in {@link
   * AccountObserver#onRegState}: 200 for the accepted credentials, else 401.
   *
   * @param idUri {@code AccountConfig.idUri}
   * @param registrarUri the registrar, or empty for a local account (no REGISTER)
   * @param user the digest user
   * @param secret the digest password
   * @param observer the account's callbacks
   * @return the account id
   */
  public int accountCreate(
      String idUri, String registrarUri, String user, String secret, AccountObserver observer)
      throws Exception {
    return accountCreate(idUri, registrarUri, user, secret, List.of(), 0, observer);
  }

  /**
   * {@code Account.create(cfg)} with outbound proxies ({@code AccountSipConfig.proxies}) and SRTP
   * ({@code AccountMediaConfig.srtpUse}).
   *
   * @param idUri {@code AccountConfig.idUri}
   * @param registrarUri the registrar, or empty for a local account (no REGISTER)
   * @param user the digest user
   * @param secret the digest password
   * @param proxies the outbound proxies every request of the account goes through
   * @param srtpUse {@code pjmedia_srtp_use}: 0 disabled, 1 optional, 2 mandatory
   * @param observer the account's callbacks
   * @return the account id
   */
  public int accountCreate(
      String idUri,
      String registrarUri,
      String user,
      String secret,
      List<String> proxies,
      int srtpUse,
      AccountObserver observer)
      throws Exception {
    synchronized (lock) {
      for (String p : proxies) {
        if (!p.startsWith("sip:") && !p.startsWith("sips:")) {
          throw new Exception("Account.create: invalid proxy " + p + " (PJSIP_EINVALIDURI)");
        }
      }
      this.proxies = List.copyOf(proxies);
      this.srtpUse = srtpUse;
      checkThread("Account.create");
      requireRunning("Account.create");
      if (idUri == null || !idUri.startsWith("sip")) {
        throw new Exception("Account.create: invalid idUri (PJSIP_EINVALIDURI)");
      }
      account = Objects.requireNonNull(observer);
      if (!registrarUri.isEmpty()) {
        boolean ok = username.equals(user) && password.equals(secret);
        worker.schedule(
            () -> {
              synchronized (lock) {
                regInfo = new RegInfo(ok, ok ? 200 : 401, ok ? "OK" : "Unauthorized", ok ? 300 : 0);
              }
              observer.onRegState(ok ? 200 : 401, ok ? "OK" : "Unauthorized");
            },
            ringAfter.toNanos(),
            TimeUnit.NANOSECONDS);
      }
      return 0;
    }
  }

  /**
   * {@code Account.getInfo()}: the registration.
   *
   * @return the registration state
   */
  public RegInfo accountInfo() throws Exception {
    synchronized (lock) {
      checkThread("Account.getInfo");
      requireRunning("Account.getInfo");
      if (account == null) {
        throw new Exception("Account.getInfo: no account (PJ_EINVAL)");
      }
      return regInfo;
    }
  }

  /**
   * Returns the outbound proxies and the SRTP use of the account, as configured.
   *
   * @return {@code srtp=<n> proxies=[...]}
   */
  public String accountMedia() {
    synchronized (lock) {
      return "srtp=" + srtpUse + " proxies=" + proxies;
    }
  }

  /**
   * {@code Call.makeCall(dstUri, prm)} on a new {@code Call(account, -1)}.
   *
   * @param dstUri the destination URI
   * @param localUri {@code SipTxOption.localUri} (the From header), or empty for the account's
   * @param headers {@code SipTxOption.headers}
   * @param observer the call's callbacks
   * @return the call slot ({@code Call.getId()})
   */
  public int makeCall(
      String dstUri, String localUri, Map<String, String> headers, CallObserver observer)
      throws Exception {
    return makeCall(dstUri, localUri, headers, 1, observer);
  }

  /**
   * {@code Call.makeCall(dstUri, prm)} with {@code prm.opt.textCount} set.
   *
   * @param dstUri the destination URI
   * @param localUri {@code SipTxOption.localUri} (the From header), or empty for the account's
   * @param headers {@code SipTxOption.headers}
   * @param textCount {@code CallSetting.textCount}: 1 (pjsua's default) offers {@code m=text}
   * @param observer the call's callbacks
   * @return the call slot ({@code Call.getId()})
   */
  public int makeCall(
      String dstUri,
      String localUri,
      Map<String, String> headers,
      int textCount,
      CallObserver observer)
      throws Exception {
    synchronized (lock) {
      checkThread("Call.makeCall");
      requireRunning("Call.makeCall");
      if (!dstUri.startsWith("sip:") && !dstUri.startsWith("sips:")) {
        throw new Exception("Call.makeCall: invalid URI " + dstUri + " (PJSIP_EINVALIDURI)");
      }
      FakeCall c = allocate(ROLE_UAC, localUri, dstUri, observer);
      c.telephoneEvent = !withoutTelephoneEvent.contains(userOf(dstUri));
      openMediaSockets(c, textCount);
      invites.put(
          c.sipCallId, new Invite(dstUri, localUri, Map.copyOf(headers), proxies, textCount));
      change(c, CALLING, 0, "");
      Outcome o = routes.getOrDefault(userOf(dstUri), Outcome.NOT_FOUND);
      long ring = ringAfter.toNanos();
      switch (o) {
        case BUSY -> later(ring, c, () -> change(c, DISCONNECTED, 486, "Busy Here"));
        case NOT_FOUND -> later(ring, c, () -> change(c, DISCONNECTED, 404, "Not Found"));
        case NO_ANSWER -> later(ring, c, () -> change(c, EARLY, 180, "Ringing"));
        case ANSWER -> {
          later(ring, c, () -> change(c, EARLY, 180, "Ringing"));
          later(ring + answerAfter.toNanos(), c, () -> connect(c));
        }
      }
      return c.id;
    }
  }

  /**
   * {@code Call.getInfo()}.
   *
   * @param callId the call slot
   * @return the info
   */
  public CallInfo getInfo(int callId) throws Exception {
    synchronized (lock) {
      checkThread("Call.getInfo");
      return live(callId, "getInfo").info();
    }
  }

  /**
   * {@code Call.answer(prm)} of an incoming call.
   *
   * @param callId the call slot
   * @param statusCode 180, 183 or 200
   */
  public void answer(int callId, int statusCode) throws Exception {
    synchronized (lock) {
      checkThread("Call.answer");
      FakeCall c = live(callId, "answer");
      if (c.role != ROLE_UAS || c.state >= CONNECTING) {
        throw new Exception("Call.answer: not an unanswered incoming call (PJ_EINVALIDOP)");
      }
      if (statusCode < 200) {
        change(c, EARLY, statusCode, statusCode == 183 ? "Session Progress" : "Ringing");
      } else {
        change(c, CONNECTING, 200, "OK");
        later(ringAfter.toNanos(), c, () -> confirm(c));
      }
    }
  }

  /**
   * {@code Call.hangup(prm)}: BYE when confirmed, CANCEL for an unanswered outgoing call, a final
   * response ({@code statusCode}, default 603) for an unanswered incoming one.
   *
   * @param callId the call slot
   * @param statusCode the status for an unanswered incoming call, 0 for the default
   * @param reason the reason phrase, or empty
   */
  public void hangup(int callId, int statusCode, String reason) throws Exception {
    synchronized (lock) {
      checkThread("Call.hangup");
      FakeCall c = live(callId, "hangup");
      if (c.state >= CONNECTING) {
        change(c, DISCONNECTED, 200, "Normal call clearing");
      } else if (c.role == ROLE_UAC) {
        change(c, DISCONNECTED, 487, "Request Terminated");
      } else {
        int code = statusCode == 0 ? 603 : statusCode;
        change(c, DISCONNECTED, code, reason.isEmpty() ? phrase(code) : reason);
      }
    }
  }

  /**
   * {@code Call.setHold(prm)}: re-INVITE with hold SDP; the media becomes {@code LOCAL_HOLD}.
   *
   * @param callId the call slot
   */
  public void setHold(int callId) throws Exception {
    media(callId, "setHold", MEDIA_LOCAL_HOLD);
  }

  /**
   * {@code Call.reinvite(prm)} with {@code PJSUA_CALL_UNHOLD}: the media becomes active again.
   *
   * @param callId the call slot
   */
  public void reinviteUnhold(int callId) throws Exception {
    media(callId, "reinvite", MEDIA_ACTIVE);
  }

  private void media(int callId, String op, int status) throws Exception {
    synchronized (lock) {
      checkThread("Call." + op);
      FakeCall c = live(callId, op);
      if (c.state != CONFIRMED) {
        throw new Exception("Call." + op + ": call not confirmed (PJSIP_ESESSIONSTATE)");
      }
      c.media = status;
      later(ringAfter.toNanos(), c, () -> c.observer.onCallMediaState(c.id, status));
    }
  }

  /**
   * {@code Call.dialDtmf(digits)} (RFC 2833).
   *
   * @param callId the call slot
   * @param digits the digits
   */
  public void dialDtmf(int callId, String digits) throws Exception {
    synchronized (lock) {
      checkThread("Call.dialDtmf");
      FakeCall c = live(callId, "dialDtmf");
      if (c.state != CONFIRMED) {
        throw new Exception("Call.dialDtmf: no active media (PJ_EINVALIDOP)");
      }
      if (!c.telephoneEvent) {
        throw new Exception(
            "Call.dialDtmf: the far end's SDP has no telephone-event (PJMEDIA_RTP_EREMNORFC2833)");
      }
      dtmfSent.computeIfAbsent(c.sipCallId, k -> new CopyOnWriteArrayList<>()).add(digits);
    }
  }

  /**
   * {@code Call.sendDtmf(prm)} with {@code prm.method} and the default duration (160 ms): {@link
   * #DTMF_RFC2833} is {@link #dialDtmf}; {@link #DTMF_SIP_INFO} sends one SIP INFO per digit with
   * an {@code application/dtmf-relay} body {@code Signal=<digit>\r\nDuration=160}, whatever the SDP
   * says.
   *
   * @param callId the call slot
   * @param method {@link #DTMF_RFC2833} or {@link #DTMF_SIP_INFO}
   * @param digits the digits
   */
  public void sendDtmf(int callId, int method, String digits) throws Exception {
    if (method == DTMF_RFC2833) {
      dialDtmf(callId, digits);
      return;
    }
    synchronized (lock) {
      checkThread("Call.sendDtmf");
      FakeCall c = live(callId, "sendDtmf");
      if (method != DTMF_SIP_INFO) {
        throw new Exception("Call.sendDtmf: unknown method " + method + " (PJ_EINVAL)");
      }
      if (c.state != CONFIRMED) {
        throw new Exception("Call.sendDtmf: no dialog established (PJSIP_ESESSIONSTATE)");
      }
      List<String> sent =
          dtmfInfoSent.computeIfAbsent(c.sipCallId, k -> new CopyOnWriteArrayList<>());
      for (char d : digits.toCharArray()) {
        sent.add("Signal=" + d + "\r\nDuration=160");
      }
    }
  }

  /**
   * {@code Call.getStreamInfo(audioIndex).audTxEventPt}: the payload type of the far end's {@code
   * telephone-event}, 101 here, or -1 when its SDP has none.
   *
   * @param callId the call slot
   * @return the payload type, or -1
   */
  public int audTxEventPt(int callId) throws Exception {
    synchronized (lock) {
      checkThread("Call.getStreamInfo");
      FakeCall c = live(callId, "getStreamInfo");
      if (c.state != CONFIRMED) {
        throw new Exception("Call.getStreamInfo: no active media (PJ_EINVAL)");
      }
      return c.telephoneEvent ? 101 : -1;
    }
  }

  /**
   * {@code Call.xfer(dstUri, prm)}: REFER accepted; the transferee then ends this call with BYE.
   *
   * @param callId the call slot
   * @param dstUri the transfer target
   */
  public void xfer(int callId, String dstUri) throws Exception {
    synchronized (lock) {
      checkThread("Call.xfer");
      FakeCall c = live(callId, "xfer");
      if (c.state != CONFIRMED) {
        throw new Exception("Call.xfer: call not confirmed (PJSIP_ESESSIONSTATE)");
      }
      transfers.add(c.sipCallId + " -> " + dstUri);
      later(answerAfter.toNanos(), c, () -> change(c, DISCONNECTED, 200, "Normal call clearing"));
    }
  }

  /**
   * {@code Call.xferReplaces(dest, prm)}: REFER with Replaces; both calls end once the transferee
   * has replaced the consultation call.
   *
   * @param callId the call slot of the call to transfer
   * @param destCallId the consultation call that the transferee replaces
   */
  public void xferReplaces(int callId, int destCallId) throws Exception {
    synchronized (lock) {
      checkThread("Call.xferReplaces");
      FakeCall c = live(callId, "xferReplaces");
      FakeCall d = live(destCallId, "xferReplaces");
      if (c.state != CONFIRMED || d.state != CONFIRMED) {
        throw new Exception("Call.xferReplaces: calls not confirmed (PJSIP_ESESSIONSTATE)");
      }
      transfers.add(c.sipCallId + " -> replaces " + d.sipCallId);
      long t = answerAfter.toNanos();
      later(t, c, () -> change(c, DISCONNECTED, 200, "Normal call clearing"));
      later(t, d, () -> change(d, DISCONNECTED, 200, "Normal call clearing"));
    }
  }

  // ------------------------------------------------------------------ audio bridge

  /**
   * {@code callA.getAudioMedia(-1).startTransmit(callB.getAudioMedia(-1))}: the audio of one call
   * flows to another through the conference bridge (one direction).
   *
   * @param fromCall the source call slot
   * @param toCall the sink call slot
   */
  public void startTransmit(int fromCall, int toCall) throws Exception {
    synchronized (lock) {
      checkThread("AudioMedia.startTransmit");
      FakeCall a = audio(fromCall, "startTransmit");
      FakeCall b = audio(toCall, "startTransmit");
      transmit.computeIfAbsent(a.sipCallId, k -> ConcurrentHashMap.newKeySet()).add(b.sipCallId);
    }
  }

  /**
   * {@code new AudioMediaRecorder().createRecorder(file)}: opens the WAV file at once (its header
   * is written before any audio), as pjmedia's WAV writer does.
   *
   * @param file the file; its directory must exist
   * @return the recorder's id
   */
  public int createRecorder(String file) throws Exception {
    synchronized (lock) {
      checkThread("AudioMediaRecorder.createRecorder");
      requireRunning("AudioMediaRecorder.createRecorder");
      Path path = Path.of(file);
      try {
        Files.write(path, wavHeader());
      } catch (IOException e) {
        throw new Exception("createRecorder: cannot open " + file + " (PJ_ENOENT)", e);
      }
      int id = ++recorderSeq;
      recorders.put(id, path);
      return id;
    }
  }

  /**
   * {@code call.getAudioMedia(-1).startTransmit(recorder)}.
   *
   * @param callId the call slot
   * @param recorder the recorder id
   */
  public void startTransmitToRecorder(int callId, int recorder) throws Exception {
    synchronized (lock) {
      checkThread("AudioMedia.startTransmit");
      FakeCall c = audio(callId, "startTransmit");
      if (!recorders.containsKey(recorder)) {
        throw new Exception("startTransmit: invalid port (PJ_EINVAL)");
      }
      transmit.computeIfAbsent(c.sipCallId, k -> ConcurrentHashMap.newKeySet()).add(rec(recorder));
    }
  }

  /**
   * {@code recorder.delete()}: the recorder leaves the bridge and its file is closed.
   *
   * @param recorder the recorder id
   */
  public void destroyRecorder(int recorder) throws Exception {
    synchronized (lock) {
      checkThread("AudioMediaRecorder.delete");
      recorders.remove(recorder);
      transmit.values().forEach(sinks -> sinks.remove(rec(recorder)));
    }
  }

  /**
   * Tells whether one call's audio flows to another.
   *
   * @param fromSipCallId the source's SIP Call-ID
   * @param toSipCallId the sink's SIP Call-ID
   * @return true while the bridge carries it
   */
  public boolean isTransmitting(String fromSipCallId, String toSipCallId) {
    synchronized (lock) {
      return transmit.getOrDefault(fromSipCallId, Set.of()).contains(toSipCallId);
    }
  }

  /**
   * Returns the file a call's audio is being recorded to.
   *
   * @param sipCallId the call's SIP Call-ID
   * @return the file of an open recorder the call transmits to
   */
  public Optional<Path> recordingOf(String sipCallId) {
    synchronized (lock) {
      for (String sink : transmit.getOrDefault(sipCallId, Set.of())) {
        if (sink.startsWith("recorder:")) {
          return Optional.ofNullable(recorders.get(Integer.parseInt(sink.substring(9))));
        }
      }
      return Optional.empty();
    }
  }

  /**
   * Returns the number of open recorders.
   *
   * @return the recorders not yet deleted
   */
  public int openRecorders() {
    synchronized (lock) {
      return recorders.size();
    }
  }

  private static String rec(int id) {
    return "recorder:" + id;
  }

  private FakeCall audio(int callId, String op) throws Exception {
    FakeCall c = live(callId, op);
    if (c.state != CONFIRMED || c.media == MEDIA_NONE) {
      throw new Exception("Call.getAudioMedia: no active audio media (PJ_ENOTFOUND)");
    }
    return c;
  }

  private static byte[] wavHeader() {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(44).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36);
    b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000);
    b.putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(0);
    return b.array();
  }

  // ------------------------------------------------------------------ faults

  /**
   * Freezes the library: the worker takes the library lock and keeps it, so every library call
   * blocks and no callback runs until {@link #thaw()}; the blocked calls then go through, late.
   * Returns once the lock is held.
   */
  public void freeze() throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ScheduledExecutorService w;
    synchronized (lock) {
      if (worker == null || frozen != null) {
        throw new IllegalStateException("not running, or frozen already");
      }
      w = worker;
      frozen = release;
    }
    w.execute(
        () -> {
          synchronized (lock) {
            held.countDown();
            boolean done = false;
            while (!done) {
              try {
                release.await();
                done = true;
              } catch (InterruptedException e) {
                // a stuck worker does not notice libDestroy; only thaw() ends the freeze
              }
            }
          }
        });
    held.await();
  }

  /** Ends {@link #freeze()}; the calls that waited run now. Does nothing if not frozen. */
  public void thaw() {
    CountDownLatch f = frozen;
    frozen = null;
    if (f != null) {
      f.countDown();
    }
  }

  /**
   * Returns the media sockets the calls hold (RTP and RTCP per audio and per text stream).
   *
   * @return the sockets in the media ioqueue
   */
  public int mediaSockets() {
    synchronized (lock) {
      return calls.values().stream().mapToInt(c -> c.sockets).sum();
    }
  }

  /**
   * Returns what the transports are.
   *
   * @return the transports in creation order
   */
  public List<TransportInfo> transports() {
    synchronized (lock) {
      return List.copyOf(transports);
    }
  }

  // ------------------------------------------------------------------ the far end (any thread)

  /**
   * A call arrives from {@code from} for {@code to}: the account's {@link
   * AccountObserver#onIncomingCall} runs on the worker with the call in state {@code INCOMING}.
   *
   * @param from the caller's user
   * @param to the called user
   */
  public void incomingCall(String from, String to) {
    incomingCall(from, to, false);
  }

  /**
   * A call arrives, its offer with or without an {@code m=text} stream (a pjsua caller offers one;
   * most phones and PBXs do not). pjsua opens the media sockets of every offered stream before the
   * application sees the call.
   *
   * @param from the caller's user
   * @param to the called user
   * @param offersText whether the offer has {@code m=text}
   */
  public void incomingCall(String from, String to, boolean offersText) {
    synchronized (lock) {
      if (libState != 3 || account == null) {
        throw new IllegalStateException("no account to take the call");
      }
      AccountObserver acc = account;
      worker.execute(
          () -> {
            FakeCall c;
            synchronized (lock) {
              c =
                  allocateOrNull(
                      ROLE_UAS, "sip:" + to + "@127.0.0.1", "sip:" + from + "@127.0.0.1", null);
              if (c == null) {
                return; // 486 to the caller, as pjsua does when every slot is taken
              }
              openMediaSockets(c, offersText ? 1 : 0);
              c.telephoneEvent = !withoutTelephoneEvent.contains(from);
              c.state = INCOMING;
              c.stateText = STATE_TEXT[INCOMING];
            }
            c.observer = acc.onIncomingCall(c.id);
          });
    }
  }

  /**
   * The far end hangs up a call (BYE, or CANCEL before the answer).
   *
   * @param sipCallId the call's SIP Call-ID ({@code CallInfo.callIdString})
   */
  public void remoteHangup(String sipCallId) {
    synchronized (lock) {
      findBySipId(sipCallId)
          .ifPresent(
              c -> {
                if (c.state >= CONNECTING) {
                  change(c, DISCONNECTED, 200, "Normal call clearing");
                } else {
                  change(c, DISCONNECTED, 487, "Request Terminated");
                }
              });
    }
  }

  /**
   * The far end sends a DTMF digit (RFC 2833) on a confirmed call.
   *
   * @param sipCallId the call's SIP Call-ID
   * @param digit the digit
   */
  public void remoteDtmf(String sipCallId, String digit) {
    synchronized (lock) {
      findBySipId(sipCallId)
          .filter(c -> c.state == CONFIRMED)
          .ifPresent(c -> deliver(c, () -> c.observer.onDtmfDigit(c.id, digit)));
    }
  }

  /**
   * Returns what the INVITE of an outgoing call carried.
   *
   * @param sipCallId the call's SIP Call-ID
   * @return the INVITE, if the call was placed here
   */
  public Optional<Invite> invite(String sipCallId) {
    return Optional.ofNullable(invites.get(sipCallId));
  }

  /**
   * Returns the digit strings sent on a call with {@code dialDtmf}.
   *
   * @param sipCallId the call's SIP Call-ID
   * @return the strings in order
   */
  public List<String> dtmfSent(String sipCallId) {
    return List.copyOf(dtmfSent.getOrDefault(sipCallId, List.of()));
  }

  /**
   * Returns the bodies of the SIP INFO DTMF requests ({@code application/dtmf-relay}) sent on a
   * call with {@link #sendDtmf}, one per digit.
   *
   * @param sipCallId the call's SIP Call-ID
   * @return the bodies in order
   */
  public List<String> dtmfInfoSent(String sipCallId) {
    return List.copyOf(dtmfInfoSent.getOrDefault(sipCallId, List.of()));
  }

  /**
   * Returns the transfers asked for, as {@code "<call-id> -> <target>"} or {@code "<call-id> ->
   * replaces <call-id>"}.
   *
   * @return the transfers in order
   */
  public List<String> transfers() {
    return List.copyOf(transfers);
  }

  /**
   * Returns the number of calls in a slot (not yet disconnected).
   *
   * @return the live calls
   */
  public int liveCalls() {
    synchronized (lock) {
      return calls.size();
    }
  }

  /**
   * Tells whether a thread is a thread of this agent (the worker), for leak checks.
   *
   * @param threadName a thread's name
   * @return true for {@code pjsua-worker-*}
   */
  public static boolean isAgentThread(String threadName) {
    return threadName.startsWith("pjsua-worker-");
  }

  /** Destroys the library as {@link #libDestroy} does, from any thread. */
  @Override
  public void close() throws Exception {
    registeredThreads.add(Thread.currentThread().getId());
    libDestroy();
  }

  // ------------------------------------------------------------------ internals (lock held)

  private static final class FakeCall {
    final int id;
    final int role;
    final String sipCallId;
    final String localUri;
    final String remoteUri;
    CallObserver observer;
    int state = NULL;
    String stateText = STATE_TEXT[NULL];
    int lastStatusCode;
    String lastReason = "";
    int media = MEDIA_NONE;
    int sockets;
    boolean telephoneEvent = true;

    FakeCall(
        int id,
        int role,
        String sipCallId,
        String localUri,
        String remoteUri,
        CallObserver observer) {
      this.id = id;
      this.role = role;
      this.sipCallId = sipCallId;
      this.localUri = localUri;
      this.remoteUri = remoteUri;
      this.observer = observer;
    }

    CallInfo info() {
      return new CallInfo(
          id, role, state, stateText, lastStatusCode, lastReason, sipCallId, localUri, remoteUri);
    }
  }

  private void checkThread(String op) throws Exception {
    if (!registeredThreads.contains(Thread.currentThread().getId())) {
      throw new IllegalStateException(
          op
              + " called from thread '"
              + Thread.currentThread().getName()
              + "' unknown to pjlib: call Endpoint.libRegisterThread first");
    }
  }

  /** Opens RTP and RTCP for the audio stream and each text stream, as pjsua_media_channel_init. */
  private void openMediaSockets(FakeCall c, int textCount) {
    int need = 2 * (1 + textCount);
    int used = calls.values().stream().filter(o -> o != c).mapToInt(o -> o.sockets).sum();
    if (used + need > mediaHandles) {
      aborted = true;
      calls.remove(c.id);
      throw new AssertionError(
          "ioqueue_select.c:391: pj_ioqueue_register_sock2: Assertion"
              + " '!pj_list_empty(&ioqueue->free_list)' failed. Aborted");
    }
    c.sockets = need;
  }

  private void requireRunning(String op) throws Exception {
    if (aborted) {
      throw new IllegalStateException(op + ": the process aborted at a pjlib assertion");
    }
    if (libState != 3) {
      throw new Exception(op + ": library not started (PJ_EINVALIDOP)");
    }
  }

  private FakeCall allocate(int role, String localUri, String remoteUri, CallObserver observer)
      throws Exception {
    FakeCall c = allocateOrNull(role, localUri, remoteUri, observer);
    if (c == null) {
      throw new Exception("Call.makeCall: too many calls (PJ_ETOOMANY)");
    }
    return c;
  }

  private FakeCall allocateOrNull(
      int role, String localUri, String remoteUri, CallObserver observer) {
    for (int slot = 0; slot < maxCalls; slot++) {
      if (!calls.containsKey(slot)) {
        String sipId = "fake-" + callIdSeq.incrementAndGet() + "@127.0.0.1";
        FakeCall c = new FakeCall(slot, role, sipId, localUri, remoteUri, observer);
        calls.put(slot, c);
        return c;
      }
    }
    return null;
  }

  private FakeCall live(int callId, String op) throws Exception {
    FakeCall c = calls.get(callId);
    if (c == null) {
      throw new Exception("Call." + op + ": invalid call id " + callId + " (PJ_EINVAL)");
    }
    return c;
  }

  private Optional<FakeCall> findBySipId(String sipCallId) {
    return calls.values().stream().filter(c -> c.sipCallId.equals(sipCallId)).findFirst();
  }

  private void connect(FakeCall c) {
    if (c.state == EARLY) {
      change(c, CONNECTING, 200, "OK");
      confirm(c);
    }
  }

  private void confirm(FakeCall c) {
    if (c.state == CONNECTING) {
      change(c, CONFIRMED, 200, "OK");
      c.media = MEDIA_ACTIVE;
      deliver(c, () -> c.observer.onCallMediaState(c.id, MEDIA_ACTIVE));
    }
  }

  /** Moves a call on and queues its onCallState; a disconnected call frees its slot. */
  private void change(FakeCall c, int state, int code, String reason) {
    if (c.state == DISCONNECTED || calls.get(c.id) != c) {
      return;
    }
    c.state = state;
    c.stateText = STATE_TEXT[state];
    c.lastStatusCode = code;
    c.lastReason = reason;
    CallInfo info = c.info();
    if (state == DISCONNECTED) {
      calls.remove(c.id);
      transmit.remove(c.sipCallId);
      transmit.values().forEach(sinks -> sinks.remove(c.sipCallId));
    }
    deliver(c, () -> c.observer.onCallState(info));
  }

  private void deliver(FakeCall c, Runnable callback) {
    if (worker != null && c.observer != null) {
      worker.execute(callback);
    }
  }

  /** Runs a far-end step on the worker after a delay, under the lock, if the call still lives. */
  private void later(long nanos, FakeCall c, Runnable step) {
    if (worker == null) {
      return;
    }
    worker.schedule(
        () -> {
          synchronized (lock) {
            if (calls.get(c.id) == c) {
              step.run();
            }
          }
        },
        nanos,
        TimeUnit.NANOSECONDS);
  }

  private static String userOf(String uri) {
    int colon = uri.indexOf(':');
    int at = uri.indexOf('@');
    return uri.substring(colon + 1, at > colon ? at : uri.length());
  }

  private static String phrase(int code) {
    Map<Integer, String> p = new LinkedHashMap<>();
    p.put(486, "Busy Here");
    p.put(603, "Decline");
    p.put(404, "Not Found");
    p.put(480, "Temporarily Unavailable");
    return p.getOrDefault(code, "Status " + code);
  }
}
