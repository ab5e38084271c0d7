package org.sipadapter.freeswitch.esl;

/** Thrown when an event body cannot be read (for example a JSON event that is not an object). */
public final class EslFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was wrong, without secrets
   * @param cause the parser's error, may be null
   */
  public EslFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
