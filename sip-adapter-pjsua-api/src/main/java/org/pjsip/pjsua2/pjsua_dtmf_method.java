package org.pjsip.pjsua2;

/**
 * The C enum {@code pjsua_dtmf_method} as the SWIG binding generates it: a class of {@code int}
 * constants. Not part of the recorded javap listing; the values are those of {@code pjsua.h} of
 * pjproject 2.17.
 */
public final class pjsua_dtmf_method {
  /** DTMF as RTP telephone events (RFC 2833/4733). */
  public static final int PJSUA_DTMF_METHOD_RFC2833 = 0;

  /** DTMF as SIP INFO requests with an {@code application/dtmf-relay} body, one per digit. */
  public static final int PJSUA_DTMF_METHOD_SIP_INFO = 1;

  /** Present in the binding; the class is never instantiated. */
  public pjsua_dtmf_method() {}
}
