package org.pjsip.pjsua2;

/**
 * Compile-time declaration of the pjsua2 class {@code CallSendDtmfParam}, with exactly the
 * signatures of the SWIG-generated binding of pjproject 2.17 for the members the sip-adapter pjsua
 * adapter uses. Not part of the recorded javap listing: written from {@code pjsua2/call.hpp} and
 * checked with {@code javap} against a pjsua2 2.17 build.
 *
 * <p>It exists only so that the adapter compiles. At run time the real {@code pjsua2.jar} (with
 * {@code libpjsua2.so} on {@code java.library.path}) replaces it; every member here throws {@link
 * UnsupportedOperationException}.
 */
public class CallSendDtmfParam {
  private static final String BINDING_MISSING = "the real pjsua2 binding must be on the class path";

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public CallSendDtmfParam() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public synchronized void delete() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void setMethod(int arg0) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public int getMethod() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void setDuration(long arg0) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public long getDuration() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public void setDigits(String arg0) {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public String getDigits() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }
}
