package org.pjsip.pjsua2;

/**
 * The C enum {@code pjsua_call_media_status} as the SWIG binding generates it: a class of {@code
 * int} constants (compare with {@code ==}), not a Java enum. Values as in the pjsua2 2.17 binding.
 */
public final class pjsua_call_media_status {
  /** The C enumerator {@code PJSUA_CALL_MEDIA_NONE}. */
  public static final int PJSUA_CALL_MEDIA_NONE = 0;

  /** The C enumerator {@code PJSUA_CALL_MEDIA_ACTIVE}. */
  public static final int PJSUA_CALL_MEDIA_ACTIVE = 1;

  /** The C enumerator {@code PJSUA_CALL_MEDIA_LOCAL_HOLD}. */
  public static final int PJSUA_CALL_MEDIA_LOCAL_HOLD = 2;

  /** The C enumerator {@code PJSUA_CALL_MEDIA_REMOTE_HOLD}. */
  public static final int PJSUA_CALL_MEDIA_REMOTE_HOLD = 3;

  /** The C enumerator {@code PJSUA_CALL_MEDIA_ERROR}. */
  public static final int PJSUA_CALL_MEDIA_ERROR = 4;

  /** Present in the binding; the class is never instantiated. */
  public pjsua_call_media_status() {}
}
