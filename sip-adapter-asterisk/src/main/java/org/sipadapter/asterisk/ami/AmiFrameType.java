package org.sipadapter.asterisk.ami;

/** What an {@link AmiFrame} is, decided by its first header. */
public enum AmiFrameType {
  /** The {@code Asterisk Call Manager/x.y.z} line a server sends once, before any packet. */
  BANNER,
  /** A reply to an action: the first header is {@code Response}. */
  RESPONSE,
  /** An event: the first header is {@code Event}. */
  EVENT,
  /** A request: the first header is {@code Action} (what a client sends). */
  ACTION,
  /** Any other packet; kept so that nothing the server says is silently lost. */
  UNKNOWN
}
