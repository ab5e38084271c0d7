package org.sipadapter;

/**
 * The server sent something the adapter cannot understand, or answered a request with a
 * protocol-level error.
 */
public class ProtocolException extends SipAdapterException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and, where known, what to do next
   */
  public ProtocolException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what went wrong and, where known, what to do next
   * @param cause the underlying failure, may be null
   */
  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
