package org.pjsip.pjsua2;

/**
 * The C enum {@code pjsip_inv_state} as the SWIG binding generates it: a class of {@code int}
 * constants (compare with {@code ==}), not a Java enum. Values as in the pjsua2 2.17 binding.
 */
public final class pjsip_inv_state {
  /** The C enumerator {@code PJSIP_INV_STATE_NULL}. */
  public static final int PJSIP_INV_STATE_NULL = 0;

  /** The C enumerator {@code PJSIP_INV_STATE_CALLING}. */
  public static final int PJSIP_INV_STATE_CALLING = 1;

  /** The C enumerator {@code PJSIP_INV_STATE_INCOMING}. */
  public static final int PJSIP_INV_STATE_INCOMING = 2;

  /** The C enumerator {@code PJSIP_INV_STATE_EARLY}. */
  public static final int PJSIP_INV_STATE_EARLY = 3;

  /** The C enumerator {@code PJSIP_INV_STATE_CONNECTING}. */
  public static final int PJSIP_INV_STATE_CONNECTING = 4;

  /** The C enumerator {@code PJSIP_INV_STATE_CONFIRMED}. */
  public static final int PJSIP_INV_STATE_CONFIRMED = 5;

  /** The C enumerator {@code PJSIP_INV_STATE_DISCONNECTED}. */
  public static final int PJSIP_INV_STATE_DISCONNECTED = 6;

  /** Present in the binding; the class is never instantiated. */
  public pjsip_inv_state() {}
}
