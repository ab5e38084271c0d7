package org.sipadapter;

/** The state of an adapter's link to its server. */
public enum ConnectionState {
  /** Never connected, or disconnected on request. */
  DISCONNECTED,
  /** Opening the link and logging in. */
  CONNECTING,
  /** Logged in and receiving events. */
  CONNECTED,
  /** The link dropped; the adapter is reconnecting with backoff. */
  RECONNECTING,
  /** The link failed and the adapter gave up (bad credentials, reconnect attempts exhausted). */
  ERROR,
  /** Closed for good; the adapter cannot be used again. */
  CLOSED
}
