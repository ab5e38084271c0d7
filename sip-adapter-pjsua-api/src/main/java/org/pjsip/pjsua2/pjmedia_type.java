package org.pjsip.pjsua2;

/**
 * The C enum {@code pjmedia_type} as the SWIG binding generates it: a class of {@code int}
 * constants (compare with {@code ==}), not a Java enum. Values as in the pjsua2 2.17 binding.
 */
public final class pjmedia_type {
  /** The C enumerator {@code PJMEDIA_TYPE_NONE}. */
  public static final int PJMEDIA_TYPE_NONE = 0;

  /** The C enumerator {@code PJMEDIA_TYPE_AUDIO}. */
  public static final int PJMEDIA_TYPE_AUDIO = 1;

  /** The C enumerator {@code PJMEDIA_TYPE_VIDEO}. */
  public static final int PJMEDIA_TYPE_VIDEO = 2;

  /** The C enumerator {@code PJMEDIA_TYPE_TEXT}. */
  public static final int PJMEDIA_TYPE_TEXT = 3;

  /** The C enumerator {@code PJMEDIA_TYPE_APPLICATION}. */
  public static final int PJMEDIA_TYPE_APPLICATION = 4;

  /** The C enumerator {@code PJMEDIA_TYPE_UNKNOWN}. */
  public static final int PJMEDIA_TYPE_UNKNOWN = 5;

  /** Present in the binding; the class is never instantiated. */
  public pjmedia_type() {}
}
