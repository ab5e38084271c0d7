package org.sipadapter;

/**
 * The call id is unknown to the adapter: never issued by it, or already forgotten after its
 * terminal state.
 */
public class CallNotFoundException extends CallException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and, where known, what to do next
   */
  public CallNotFoundException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what went wrong and, where known, what to do next
   * @param cause the underlying failure, may be null
   */
  public CallNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
