package org.sipadapter;

/**
 * The link to the server could not be opened, was lost, or is not open. In-flight requests fail
 * with this when the link drops.
 */
public class AdapterConnectionException extends SipAdapterException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and, where known, what to do next
   */
  public AdapterConnectionException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what went wrong and, where known, what to do next
   * @param cause the underlying failure, may be null
   */
  public AdapterConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
