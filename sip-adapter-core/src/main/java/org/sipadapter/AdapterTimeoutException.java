package org.sipadapter;

/**
 * The server did not answer within the configured timeout (timeouts.request or the operation's own
 * timeout).
 */
public class AdapterTimeoutException extends SipAdapterException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and, where known, what to do next
   */
  public AdapterTimeoutException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what went wrong and, where known, what to do next
   * @param cause the underlying failure, may be null
   */
  public AdapterTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
