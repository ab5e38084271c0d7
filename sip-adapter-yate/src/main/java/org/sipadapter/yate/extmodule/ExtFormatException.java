package org.sipadapter.yate.extmodule;

/** A line that does not follow the extmodule syntax (bad escape, missing field). */
public final class ExtFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, without the line's bytes
   */
  public ExtFormatException(String message) {
    super(message);
  }
}
