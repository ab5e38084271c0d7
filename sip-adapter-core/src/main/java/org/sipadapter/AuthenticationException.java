package org.sipadapter;

/**
 * The server refused the credentials. The adapter does not retry on its own: fix the configuration
 * and connect again.
 */
public class AuthenticationException extends AdapterConnectionException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and, where known, what to do next
   */
  public AuthenticationException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what went wrong and, where known, what to do next
   * @param cause the underlying failure, may be null
   */
  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
