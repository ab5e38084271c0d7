package org.pjsip.pjsua2;

/**
 * The C enum {@code pjsip_status_code} as the SWIG binding generates it: a class of {@code int}
 * constants (compare with {@code ==}), not a Java enum. Values as in the pjsua2 2.17 binding.
 */
public final class pjsip_status_code {
  /** The C enumerator {@code PJSIP_SC_NULL}. */
  public static final int PJSIP_SC_NULL = 0;

  /** The C enumerator {@code PJSIP_SC_TRYING}. */
  public static final int PJSIP_SC_TRYING = 100;

  /** The C enumerator {@code PJSIP_SC_RINGING}. */
  public static final int PJSIP_SC_RINGING = 180;

  /** The C enumerator {@code PJSIP_SC_CALL_BEING_FORWARDED}. */
  public static final int PJSIP_SC_CALL_BEING_FORWARDED = 181;

  /** The C enumerator {@code PJSIP_SC_QUEUED}. */
  public static final int PJSIP_SC_QUEUED = 182;

  /** The C enumerator {@code PJSIP_SC_PROGRESS}. */
  public static final int PJSIP_SC_PROGRESS = 183;

  /** The C enumerator {@code PJSIP_SC_EARLY_DIALOG_TERMINATED}. */
  public static final int PJSIP_SC_EARLY_DIALOG_TERMINATED = 199;

  /** The C enumerator {@code PJSIP_SC_OK}. */
  public static final int PJSIP_SC_OK = 200;

  /** The C enumerator {@code PJSIP_SC_ACCEPTED}. */
  public static final int PJSIP_SC_ACCEPTED = 202;

  /** The C enumerator {@code PJSIP_SC_NO_NOTIFICATION}. */
  public static final int PJSIP_SC_NO_NOTIFICATION = 204;

  /** The C enumerator {@code PJSIP_SC_MULTIPLE_CHOICES}. */
  public static final int PJSIP_SC_MULTIPLE_CHOICES = 300;

  /** The C enumerator {@code PJSIP_SC_MOVED_PERMANENTLY}. */
  public static final int PJSIP_SC_MOVED_PERMANENTLY = 301;

  /** The C enumerator {@code PJSIP_SC_MOVED_TEMPORARILY}. */
  public static final int PJSIP_SC_MOVED_TEMPORARILY = 302;

  /** The C enumerator {@code PJSIP_SC_USE_PROXY}. */
  public static final int PJSIP_SC_USE_PROXY = 305;

  /** The C enumerator {@code PJSIP_SC_ALTERNATIVE_SERVICE}. */
  public static final int PJSIP_SC_ALTERNATIVE_SERVICE = 380;

  /** The C enumerator {@code PJSIP_SC_BAD_REQUEST}. */
  public static final int PJSIP_SC_BAD_REQUEST = 400;

  /** The C enumerator {@code PJSIP_SC_UNAUTHORIZED}. */
  public static final int PJSIP_SC_UNAUTHORIZED = 401;

  /** The C enumerator {@code PJSIP_SC_PAYMENT_REQUIRED}. */
  public static final int PJSIP_SC_PAYMENT_REQUIRED = 402;

  /** The C enumerator {@code PJSIP_SC_FORBIDDEN}. */
  public static final int PJSIP_SC_FORBIDDEN = 403;

  /** The C enumerator {@code PJSIP_SC_NOT_FOUND}. */
  public static final int PJSIP_SC_NOT_FOUND = 404;

  /** The C enumerator {@code PJSIP_SC_METHOD_NOT_ALLOWED}. */
  public static final int PJSIP_SC_METHOD_NOT_ALLOWED = 405;

  /** The C enumerator {@code PJSIP_SC_NOT_ACCEPTABLE}. */
  public static final int PJSIP_SC_NOT_ACCEPTABLE = 406;

  /** The C enumerator {@code PJSIP_SC_PROXY_AUTHENTICATION_REQUIRED}. */
  public static final int PJSIP_SC_PROXY_AUTHENTICATION_REQUIRED = 407;

  /** The C enumerator {@code PJSIP_SC_REQUEST_TIMEOUT}. */
  public static final int PJSIP_SC_REQUEST_TIMEOUT = 408;

  /** The C enumerator {@code PJSIP_SC_CONFLICT}. */
  public static final int PJSIP_SC_CONFLICT = 409;

  /** The C enumerator {@code PJSIP_SC_GONE}. */
  public static final int PJSIP_SC_GONE = 410;

  /** The C enumerator {@code PJSIP_SC_LENGTH_REQUIRED}. */
  public static final int PJSIP_SC_LENGTH_REQUIRED = 411;

  /** The C enumerator {@code PJSIP_SC_CONDITIONAL_REQUEST_FAILED}. */
  public static final int PJSIP_SC_CONDITIONAL_REQUEST_FAILED = 412;

  /** The C enumerator {@code PJSIP_SC_REQUEST_ENTITY_TOO_LARGE}. */
  public static final int PJSIP_SC_REQUEST_ENTITY_TOO_LARGE = 413;

  /** The C enumerator {@code PJSIP_SC_REQUEST_URI_TOO_LONG}. */
  public static final int PJSIP_SC_REQUEST_URI_TOO_LONG = 414;

  /** The C enumerator {@code PJSIP_SC_UNSUPPORTED_MEDIA_TYPE}. */
  public static final int PJSIP_SC_UNSUPPORTED_MEDIA_TYPE = 415;

  /** The C enumerator {@code PJSIP_SC_UNSUPPORTED_URI_SCHEME}. */
  public static final int PJSIP_SC_UNSUPPORTED_URI_SCHEME = 416;

  /** The C enumerator {@code PJSIP_SC_UNKNOWN_RESOURCE_PRIORITY}. */
  public static final int PJSIP_SC_UNKNOWN_RESOURCE_PRIORITY = 417;

  /** The C enumerator {@code PJSIP_SC_BAD_EXTENSION}. */
  public static final int PJSIP_SC_BAD_EXTENSION = 420;

  /** The C enumerator {@code PJSIP_SC_EXTENSION_REQUIRED}. */
  public static final int PJSIP_SC_EXTENSION_REQUIRED = 421;

  /** The C enumerator {@code PJSIP_SC_SESSION_TIMER_TOO_SMALL}. */
  public static final int PJSIP_SC_SESSION_TIMER_TOO_SMALL = 422;

  /** The C enumerator {@code PJSIP_SC_INTERVAL_TOO_BRIEF}. */
  public static final int PJSIP_SC_INTERVAL_TOO_BRIEF = 423;

  /** The C enumerator {@code PJSIP_SC_BAD_LOCATION_INFORMATION}. */
  public static final int PJSIP_SC_BAD_LOCATION_INFORMATION = 424;

  /** The C enumerator {@code PJSIP_SC_USE_IDENTITY_HEADER}. */
  public static final int PJSIP_SC_USE_IDENTITY_HEADER = 428;

  /** The C enumerator {@code PJSIP_SC_PROVIDE_REFERRER_HEADER}. */
  public static final int PJSIP_SC_PROVIDE_REFERRER_HEADER = 429;

  /** The C enumerator {@code PJSIP_SC_FLOW_FAILED}. */
  public static final int PJSIP_SC_FLOW_FAILED = 430;

  /** The C enumerator {@code PJSIP_SC_ANONIMITY_DISALLOWED}. */
  public static final int PJSIP_SC_ANONIMITY_DISALLOWED = 433;

  /** The C enumerator {@code PJSIP_SC_BAD_IDENTITY_INFO}. */
  public static final int PJSIP_SC_BAD_IDENTITY_INFO = 436;

  /** The C enumerator {@code PJSIP_SC_UNSUPPORTED_CERTIFICATE}. */
  public static final int PJSIP_SC_UNSUPPORTED_CERTIFICATE = 437;

  /** The C enumerator {@code PJSIP_SC_INVALID_IDENTITY_HEADER}. */
  public static final int PJSIP_SC_INVALID_IDENTITY_HEADER = 438;

  /** The C enumerator {@code PJSIP_SC_FIRST_HOP_LACKS_OUTBOUND_SUPPORT}. */
  public static final int PJSIP_SC_FIRST_HOP_LACKS_OUTBOUND_SUPPORT = 439;

  /** The C enumerator {@code PJSIP_SC_MAX_BREADTH_EXCEEDED}. */
  public static final int PJSIP_SC_MAX_BREADTH_EXCEEDED = 440;

  /** The C enumerator {@code PJSIP_SC_BAD_INFO_PACKAGE}. */
  public static final int PJSIP_SC_BAD_INFO_PACKAGE = 469;

  /** The C enumerator {@code PJSIP_SC_CONSENT_NEEDED}. */
  public static final int PJSIP_SC_CONSENT_NEEDED = 470;

  /** The C enumerator {@code PJSIP_SC_TEMPORARILY_UNAVAILABLE}. */
  public static final int PJSIP_SC_TEMPORARILY_UNAVAILABLE = 480;

  /** The C enumerator {@code PJSIP_SC_CALL_TSX_DOES_NOT_EXIST}. */
  public static final int PJSIP_SC_CALL_TSX_DOES_NOT_EXIST = 481;

  /** The C enumerator {@code PJSIP_SC_LOOP_DETECTED}. */
  public static final int PJSIP_SC_LOOP_DETECTED = 482;

  /** The C enumerator {@code PJSIP_SC_TOO_MANY_HOPS}. */
  public static final int PJSIP_SC_TOO_MANY_HOPS = 483;

  /** The C enumerator {@code PJSIP_SC_ADDRESS_INCOMPLETE}. */
  public static final int PJSIP_SC_ADDRESS_INCOMPLETE = 484;

  /** The C enumerator {@code PJSIP_AC_AMBIGUOUS}. */
  public static final int PJSIP_AC_AMBIGUOUS = 485;

  /** The C enumerator {@code PJSIP_SC_BUSY_HERE}. */
  public static final int PJSIP_SC_BUSY_HERE = 486;

  /** The C enumerator {@code PJSIP_SC_REQUEST_TERMINATED}. */
  public static final int PJSIP_SC_REQUEST_TERMINATED = 487;

  /** The C enumerator {@code PJSIP_SC_NOT_ACCEPTABLE_HERE}. */
  public static final int PJSIP_SC_NOT_ACCEPTABLE_HERE = 488;

  /** The C enumerator {@code PJSIP_SC_BAD_EVENT}. */
  public static final int PJSIP_SC_BAD_EVENT = 489;

  /** The C enumerator {@code PJSIP_SC_REQUEST_UPDATED}. */
  public static final int PJSIP_SC_REQUEST_UPDATED = 490;

  /** The C enumerator {@code PJSIP_SC_REQUEST_PENDING}. */
  public static final int PJSIP_SC_REQUEST_PENDING = 491;

  /** The C enumerator {@code PJSIP_SC_UNDECIPHERABLE}. */
  public static final int PJSIP_SC_UNDECIPHERABLE = 493;

  /** The C enumerator {@code PJSIP_SC_SECURITY_AGREEMENT_NEEDED}. */
  public static final int PJSIP_SC_SECURITY_AGREEMENT_NEEDED = 494;

  /** The C enumerator {@code PJSIP_SC_INTERNAL_SERVER_ERROR}. */
  public static final int PJSIP_SC_INTERNAL_SERVER_ERROR = 500;

  /** The C enumerator {@code PJSIP_SC_NOT_IMPLEMENTED}. */
  public static final int PJSIP_SC_NOT_IMPLEMENTED = 501;

  /** The C enumerator {@code PJSIP_SC_BAD_GATEWAY}. */
  public static final int PJSIP_SC_BAD_GATEWAY = 502;

  /** The C enumerator {@code PJSIP_SC_SERVICE_UNAVAILABLE}. */
  public static final int PJSIP_SC_SERVICE_UNAVAILABLE = 503;

  /** The C enumerator {@code PJSIP_SC_SERVER_TIMEOUT}. */
  public static final int PJSIP_SC_SERVER_TIMEOUT = 504;

  /** The C enumerator {@code PJSIP_SC_VERSION_NOT_SUPPORTED}. */
  public static final int PJSIP_SC_VERSION_NOT_SUPPORTED = 505;

  /** The C enumerator {@code PJSIP_SC_MESSAGE_TOO_LARGE}. */
  public static final int PJSIP_SC_MESSAGE_TOO_LARGE = 513;

  /** The C enumerator {@code PJSIP_SC_PUSH_NOTIFICATION_SERVICE_NOT_SUPPORTED}. */
  public static final int PJSIP_SC_PUSH_NOTIFICATION_SERVICE_NOT_SUPPORTED = 555;

  /** The C enumerator {@code PJSIP_SC_PRECONDITION_FAILURE}. */
  public static final int PJSIP_SC_PRECONDITION_FAILURE = 580;

  /** The C enumerator {@code PJSIP_SC_BUSY_EVERYWHERE}. */
  public static final int PJSIP_SC_BUSY_EVERYWHERE = 600;

  /** The C enumerator {@code PJSIP_SC_DECLINE}. */
  public static final int PJSIP_SC_DECLINE = 603;

  /** The C enumerator {@code PJSIP_SC_DOES_NOT_EXIST_ANYWHERE}. */
  public static final int PJSIP_SC_DOES_NOT_EXIST_ANYWHERE = 604;

  /** The C enumerator {@code PJSIP_SC_NOT_ACCEPTABLE_ANYWHERE}. */
  public static final int PJSIP_SC_NOT_ACCEPTABLE_ANYWHERE = 606;

  /** The C enumerator {@code PJSIP_SC_UNWANTED}. */
  public static final int PJSIP_SC_UNWANTED = 607;

  /** The C enumerator {@code PJSIP_SC_REJECTED}. */
  public static final int PJSIP_SC_REJECTED = 608;

  /** The C enumerator {@code PJSIP_SC_TSX_TIMEOUT}. */
  public static final int PJSIP_SC_TSX_TIMEOUT = 408;

  /** The C enumerator {@code PJSIP_SC_TSX_TRANSPORT_ERROR}. */
  public static final int PJSIP_SC_TSX_TRANSPORT_ERROR = 503;

  /** The C enumerator {@code PJSIP_SC__force_32bit}. */
  public static final int PJSIP_SC__force_32bit = 2147483647;

  /** Present in the binding; the class is never instantiated. */
  public pjsip_status_code() {}
}
