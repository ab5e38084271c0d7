package org.pjsip.pjsua2;

/**
 * The C enum {@code pjsip_transport_type_e} as the SWIG binding generates it: a class of {@code
 * int} constants (compare with {@code ==}), not a Java enum. Values as in the pjsua2 2.17 binding.
 */
public final class pjsip_transport_type_e {
  /** The C enumerator {@code PJSIP_TRANSPORT_UNSPECIFIED}. */
  public static final int PJSIP_TRANSPORT_UNSPECIFIED = 0;

  /** The C enumerator {@code PJSIP_TRANSPORT_UDP}. */
  public static final int PJSIP_TRANSPORT_UDP = 1;

  /** The C enumerator {@code PJSIP_TRANSPORT_TCP}. */
  public static final int PJSIP_TRANSPORT_TCP = 2;

  /** The C enumerator {@code PJSIP_TRANSPORT_TLS}. */
  public static final int PJSIP_TRANSPORT_TLS = 3;

  /** The C enumerator {@code PJSIP_TRANSPORT_DTLS}. */
  public static final int PJSIP_TRANSPORT_DTLS = 4;

  /** The C enumerator {@code PJSIP_TRANSPORT_SCTP}. */
  public static final int PJSIP_TRANSPORT_SCTP = 5;

  /** The C enumerator {@code PJSIP_TRANSPORT_LOOP}. */
  public static final int PJSIP_TRANSPORT_LOOP = 6;

  /** The C enumerator {@code PJSIP_TRANSPORT_LOOP_DGRAM}. */
  public static final int PJSIP_TRANSPORT_LOOP_DGRAM = 7;

  /** The C enumerator {@code PJSIP_TRANSPORT_START_OTHER}. */
  public static final int PJSIP_TRANSPORT_START_OTHER = 8;

  /** The C enumerator {@code PJSIP_TRANSPORT_IPV6}. */
  public static final int PJSIP_TRANSPORT_IPV6 = 128;

  /** The C enumerator {@code PJSIP_TRANSPORT_UDP6}. */
  public static final int PJSIP_TRANSPORT_UDP6 = 129;

  /** The C enumerator {@code PJSIP_TRANSPORT_TCP6}. */
  public static final int PJSIP_TRANSPORT_TCP6 = 130;

  /** The C enumerator {@code PJSIP_TRANSPORT_TLS6}. */
  public static final int PJSIP_TRANSPORT_TLS6 = 131;

  /** The C enumerator {@code PJSIP_TRANSPORT_DTLS6}. */
  public static final int PJSIP_TRANSPORT_DTLS6 = 132;

  /** Present in the binding; the class is never instantiated. */
  public pjsip_transport_type_e() {}
}
