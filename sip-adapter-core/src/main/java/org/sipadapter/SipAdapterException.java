package org.sipadapter;

/**
 * Base of every exception the SDK throws. Unchecked: callers catch the subtype they can act on.
 *
 * <p>Messages never contain a password, secret or token.
 */
public class SipAdapterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message a user can act on.
   *
   * @param message what went wrong and, where known, what to do next
   */
  public SipAdapterException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying cause.
   *
   * @param message what went wrong and, where known, what to do next
   * @param cause the underlying failure, may be null
   */
  public SipAdapterException(String message, Throwable cause) {
    super(message, cause);
  }
}
