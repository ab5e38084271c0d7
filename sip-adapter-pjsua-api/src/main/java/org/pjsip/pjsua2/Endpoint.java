package org.pjsip.pjsua2;

/**
 * Compile-time declaration of the pjsua2 class {@code Endpoint}, with exactly the signatures of the
 * SWIG-generated binding of pjproject 2.17 for the members the sip-adapter pjsua adapter uses.
 *
 * <p>It exists only so that the adapter compiles. At run time the real {@code pjsua2.jar} (with
 * {@code libpjsua2.so} on {@code java.library.path}) replaces it; every member here throws {@link
 * UnsupportedOperationException}.
 */
public class Endpoint {
  private static final String BINDING_MISSING = "the real pjsua2 binding must be on the class path";

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public Endpoint() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public synchronized void delete() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void libDestroy() throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void libCreate() throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public int libGetState() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void libInit(EpConfig arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void libStart() throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void libRegisterThread(String arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public boolean libIsThreadRegistered() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public int transportCreate(int arg0, TransportConfig arg1) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void hangupAllCalls() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public AudDevManager audDevManager() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public String utilStrError(int arg0) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public int utilVerifySipUri(String arg0) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public Version libVersion() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public TransportInfo transportGetInfo(int arg0) throws Exception {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }
}
