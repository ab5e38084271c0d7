package org.pjsip.pjsua2;

/**
 * The C enum {@code pjsua_call_flag} as the SWIG binding generates it: a class of {@code int}
 * constants. Not part of the recorded javap listing; the one constant the adapter uses is declared
 * with its value from {@code pjsua.h} of pjproject 2.17 ({@code PJSUA_CALL_UNHOLD = 1}).
 */
public final class pjsua_call_flag {
  /** Release a held call: set in {@code CallSetting.flag} of a re-INVITE. */
  public static final int PJSUA_CALL_UNHOLD = 1;

  /** Present in the binding; the class is never instantiated. */
  public pjsua_call_flag() {}
}
