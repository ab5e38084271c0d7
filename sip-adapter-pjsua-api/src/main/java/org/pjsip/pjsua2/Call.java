package org.pjsip.pjsua2;

/**
 * Compile-time declaration of the pjsua2 class {@code Call}, with exactly the signatures of the
 * SWIG-generated binding of pjproject 2.17 for the members the sip-adapter pjsua adapter uses.
 *
 * <p>It exists only so that the adapter compiles. At run time the real {@code pjsua2.jar} (with
 * {@code libpjsua2.so} on {@code java.library.path}) replaces it; every member here throws {@link
 * UnsupportedOperationException}.
 */
public class Call {
  private static final String BINDING_MISSING = "the real pjsua2 binding must be on the class path";

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public Call(Account arg0, int arg1) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public synchronized void delete() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public CallInfo getInfo() throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public boolean isActive() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public int getId() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void makeCall(String arg0, CallOpParam arg1) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void answer(CallOpParam arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void hangup(CallOpParam arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void setHold(CallOpParam arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void reinvite(CallOpParam arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void xfer(String arg0, CallOpParam arg1) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void xferReplaces(Call arg0, CallOpParam arg1) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void dialDtmf(String arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void sendDtmf(CallSendDtmfParam arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public StreamInfo getStreamInfo(long arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void onCallState(OnCallStateParam arg0) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void onCallMediaState(OnCallMediaStateParam arg0) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void onDtmfDigit(OnDtmfDigitParam arg0) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public AudioMedia getAudioMedia(int arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }
}
