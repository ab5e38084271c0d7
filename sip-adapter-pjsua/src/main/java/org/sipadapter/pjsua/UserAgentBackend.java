package org.sipadapter.pjsua;

import java.nio.file.Path;
import java.util.Map;
import org.sipadapter.config.Secret;

/**
 * The pjsua2 operations the adapter needs, behind one small interface so the adapter's logic runs
 * against the real binding ({@link Pjsua2Backend}) or an in-memory agent in tests. Calls are named
 * by a reference string chosen when the call object is created (the adapter's call id for outgoing
 * calls, a backend-made one for incoming calls), because pjsua reuses its numeric call slots.
 *
 * <p>Threading: the adapter calls every method from one thread it registered with {@link
 * #registerThread} (pjlib refuses unknown threads). The backend calls {@link Events} on pjsua's
 * worker thread; handlers must return quickly and hand blocking work off.
 */
public interface UserAgentBackend {

  /**
   * Registers the calling thread with pjlib, once per thread ({@code Endpoint.libRegisterThread}).
   *
   * @param name the thread's name
   * @throws Exception if pjlib refuses
   */
  void registerThread(String name) throws Exception;

  /**
   * Creates and starts the library ({@code libCreate}, {@code libInit}, {@code transportCreate},
   * {@code libStart}) and creates the account; with a registrar, the REGISTER result arrives in
   * {@link Events#onRegState}.
   *
   * @param settings what to start
   * @param events where callbacks go
   * @throws Exception if pjsua fails to start
   */
  void start(Start settings, Events events) throws Exception;

  /**
   * Places a call ({@code new Call(account, -1).makeCall(dstUri, prm)}).
   *
   * @param ref the reference of the new call
   * @param dstUri the destination URI
   * @param localUri the From header ({@code SipTxOption.localUri}), or empty for the account's
   * @param headers extra INVITE headers
   * @throws Exception if pjsua refuses
   */
  void makeCall(String ref, String dstUri, String localUri, Map<String, String> headers)
      throws Exception;

  /**
   * Answers an incoming call with {@code statusCode} (180, 183 or 200).
   *
   * @param ref the call
   * @param statusCode the status
   * @throws Exception if pjsua refuses
   */
  void answer(String ref, int statusCode) throws Exception;

  /**
   * Ends a call: BYE, CANCEL, or a final response {@code statusCode} to an unanswered incoming
   * call.
   *
   * @param ref the call
   * @param statusCode the status for an unanswered incoming call, 0 for pjsua's default
   * @throws Exception if pjsua refuses
   */
  void hangup(String ref, int statusCode) throws Exception;

  /**
   * Puts a call on hold ({@code setHold}).
   *
   * @param ref the call
   * @throws Exception if pjsua refuses
   */
  void hold(String ref) throws Exception;

  /**
   * Releases the hold ({@code reinvite} with {@code PJSUA_CALL_UNHOLD}).
   *
   * @param ref the call
   * @throws Exception if pjsua refuses
   */
  void unhold(String ref) throws Exception;

  /**
   * Sends DTMF digits ({@code Call.sendDtmf}): as RFC 2833 events where the far end's SDP has
   * {@code telephone-event} ({@code StreamInfo.audTxEventPt} not -1), else as one SIP INFO per
   * digit with an {@code application/dtmf-relay} body.
   *
   * @param ref the call
   * @param digits the digits
   * @throws Exception if pjsua refuses
   */
  void dialDtmf(String ref, String digits) throws Exception;

  /**
   * Blind transfer ({@code xfer}).
   *
   * @param ref the call
   * @param dstUri the target
   * @throws Exception if pjsua refuses
   */
  void transfer(String ref, String dstUri) throws Exception;

  /**
   * Attended transfer ({@code xferReplaces}): the far end of {@code ref} replaces {@code destRef}.
   *
   * @param ref the call to transfer
   * @param destRef the consultation call
   * @throws Exception if pjsua refuses
   */
  void transferReplaces(String ref, String destRef) throws Exception;

  /**
   * Starts recording what a call receives into a WAV file ({@code AudioMediaRecorder} fed by the
   * call's audio through the conference bridge).
   *
   * @param ref the call
   * @param file the file to create
   * @throws Exception if pjsua refuses (no active audio, file not writable, recording already)
   */
  void startRecording(String ref, Path file) throws Exception;

  /**
   * Stops a call's recording and closes its file ({@code stopTransmit}, then {@code delete}).
   *
   * @param ref the call
   * @throws Exception if the call records nothing
   */
  void stopRecording(String ref) throws Exception;

  /**
   * Makes one call's audio flow to another through pjsua's conference bridge ({@code
   * startTransmit}, one direction).
   *
   * @param fromRef the source call
   * @param toRef the sink call
   * @throws Exception if either call has no active audio
   */
  void connectAudio(String fromRef, String toRef) throws Exception;

  /**
   * Reads the endpoint's state for the health report: transport, registration, calls.
   *
   * @return the details, keyed as in {@code docs/pjsua.md}
   * @throws Exception if the library does not answer
   */
  Map<String, Object> details() throws Exception;

  /**
   * Frees a disconnected call's objects ({@code Call.delete()}), outside any callback.
   *
   * @param ref the call
   */
  void release(String ref);

  /** Ends every call, deletes the account and destroys the library. Never throws. */
  void stop();

  /**
   * Returns the library version ({@code Endpoint.libVersion().getFull()}), once started.
   *
   * @return for example {@code 2.17}
   */
  String version();

  /**
   * What {@link #start} starts.
   *
   * @param boundAddress the local address of the SIP transport
   * @param port its port
   * @param transportType {@code pjsip_transport_type_e}: 1 UDP, 2 TCP, 3 TLS
   * @param publicAddress the address to advertise, or empty
   * @param idUri the account's URI
   * @param registrarUri the registrar, or empty
   * @param username the digest user, or empty
   * @param password the digest password
   * @param maxCalls {@code UaConfig.maxCalls}
   * @param logLevel pjsua's log level
   * @param userAgent the User-Agent header
   * @param caListFile for TLS, the PEM file of trusted certificates (empty: pjsip's default)
   * @param verifyServer for TLS, whether the server certificate is checked
   * @param outboundProxy the outbound proxy URI ({@code AccountSipConfig.proxies}), or empty
   * @param srtpUse {@code pjmedia_srtp_use}: 0 disabled, 1 optional, 2 mandatory
   */
  record Start(
      String boundAddress,
      int port,
      int transportType,
      String publicAddress,
      String idUri,
      String registrarUri,
      String username,
      Secret password,
      long maxCalls,
      long logLevel,
      String userAgent,
      String caListFile,
      boolean verifyServer,
      String outboundProxy,
      int srtpUse) {}

  /** A call's state as {@code Call.getInfo()} showed it, copied inside the callback. */
  record CallInfo(
      int slot,
      int state,
      String stateText,
      int lastStatusCode,
      String lastReason,
      String sipCallId,
      String localUri,
      String remoteUri) {}

  /** The callbacks, run on pjsua's worker thread. */
  interface Events {
    /**
     * A call changed state.
     *
     * @param ref the call
     * @param info its info at the change ({@code pjsip_inv_state} in {@code state})
     */
    void onCallState(String ref, CallInfo info);

    /**
     * A call's audio changed.
     *
     * @param ref the call
     * @param mediaStatus {@code pjsua_call_media_status} of the first audio stream
     */
    void onCallMediaState(String ref, int mediaStatus);

    /**
     * A call arrived and has a call object under {@code ref}.
     *
     * @param ref the new call's reference
     * @param info its info
     */
    void onIncomingCall(String ref, CallInfo info);

    /**
     * A DTMF digit arrived.
     *
     * @param ref the call
     * @param digit the digit
     */
    void onDtmfDigit(String ref, String digit);

    /**
     * The REGISTER finished.
     *
     * @param code its SIP status
     * @param reason its reason phrase
     */
    void onRegState(int code, String reason);
  }
}
