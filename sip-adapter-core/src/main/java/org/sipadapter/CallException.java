package org.sipadapter;

/** A call operation was refused by the server or is not possible in the call's current state. */
public class CallException extends SipAdapterException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and, where known, what to do next
   */
  public CallException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what went wrong and, where known, what to do next
   * @param cause the underlying failure, may be null
   */
  public CallException(String message, Throwable cause) {
    super(message, cause);
  }
}
