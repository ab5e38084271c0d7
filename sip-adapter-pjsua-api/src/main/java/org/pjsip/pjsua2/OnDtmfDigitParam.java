package org.pjsip.pjsua2;

/**
 * Compile-time declaration of the pjsua2 class {@code OnDtmfDigitParam} (argument of {@link
 * Call#onDtmfDigit}). Not part of the recorded javap listing: declared after {@code call.hpp} of
 * pjproject 2.17 ({@code pjsua_dtmf_method method; string digit; unsigned duration}) with the SWIG
 * mapping the listing shows for such fields ({@code string} to {@code String}, {@code unsigned} to
 * {@code long}, enums to {@code int}). Only the getter the adapter uses is declared.
 *
 * <p>It exists only so that the adapter compiles. At run time the real {@code pjsua2.jar} (with
 * {@code libpjsua2.so} on {@code java.library.path}) replaces it; every member here throws {@link
 * UnsupportedOperationException}.
 */
public class OnDtmfDigitParam {
  private static final String BINDING_MISSING = "the real pjsua2 binding must be on the class path";

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public OnDtmfDigitParam() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public synchronized void delete() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }

  /** Declared as in pjsua2 2.17; the real binding provides the behaviour. */
  public String getDigit() {
    throw new UnsupportedOperationException(BINDING_MISSING);
  }
}
