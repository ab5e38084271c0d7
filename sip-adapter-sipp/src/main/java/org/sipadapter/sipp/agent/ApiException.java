package org.sipadapter.sipp.agent;

/** A request the agent refuses; carries the HTTP status and a message for the client. */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /**
   * Creates the exception.
   *
   * @param status the HTTP status, such as 400 or 404
   * @param message what is wrong and how to fix it; never contains a secret
   */
  public ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
