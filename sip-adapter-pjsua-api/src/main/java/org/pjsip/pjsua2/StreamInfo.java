package org.pjsip.pjsua2;

/**
 * Compile-time declaration of the pjsua2 class {@code StreamInfo}, with exactly the signatures of
 * the SWIG-generated binding of pjproject 2.17 for the members the sip-adapter pjsua adapter uses.
 * Not part of the recorded javap listing: written from {@code pjsua2/call.hpp} and checked with
 * {@code javap} against a pjsua2 2.17 build.
 *
 * <p>It exists only so that the adapter compiles. At run time the real {@code pjsua2.jar} (with
 * {@code libpjsua2.so} on {@code java.library.path}) replaces it; every member here throws {@link
 * UnsupportedOperationException}.
 */
public class StreamInfo {
  private static final String BINDING_MISSING = "the real pjsua2 binding must be on the class path";

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public StreamInfo() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public synchronized void delete() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public int getType() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public int getAudTxEventPt() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }
}
