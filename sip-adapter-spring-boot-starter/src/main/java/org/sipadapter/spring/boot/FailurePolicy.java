package org.sipadapter.spring.boot;

/** What the application does when an adapter cannot connect on start. */
public enum FailurePolicy {
  /** The application does not start; the exception names the adapter and the reason. */
  FAIL,
  /**
   * The application starts; the failure is logged as a warning and the adapter stays disconnected
   * (its health indicator reports DOWN) until the application calls {@code connect()}.
   */
  CONTINUE
}
