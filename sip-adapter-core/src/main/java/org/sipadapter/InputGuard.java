package org.sipadapter;

/**
 * The one place that checks user strings before they reach a wire format. CR, LF and NUL are
 * refused everywhere (they end lines and frames in every protocol); each adapter adds its
 * protocol's own separators.
 *
 * <p>Refused input raises {@link IllegalArgumentException} naming the field and the character, so
 * the caller can fix it; nothing is sent.
 */
public final class InputGuard {
  /** Characters no wire protocol accepts inside a value: CR, LF and NUL. */
  public static final String LINE_BREAKERS = "\r\n\0";

  private InputGuard() {}

  /**
   * Checks a value for CR, LF and NUL.
   *
   * @param field the user-facing name of the value, such as {@code to}
   * @param value the value
   * @return the value, unchanged
   * @throws IllegalArgumentException if the value is null or holds a forbidden character
   */
  public static String check(String field, String value) {
    return check(field, value, "");
  }

  /**
   * Checks a value for CR, LF, NUL and the given protocol separators.
   *
   * @param field the user-facing name of the value
   * @param value the value
   * @param extraForbidden more characters the protocol reserves, such as {@code ",{}'"} for
   *     FreeSWITCH originate variables
   * @return the value, unchanged
   * @throws IllegalArgumentException if the value is null or holds a forbidden character
   */
  public static String check(String field, String value, String extraForbidden) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (LINE_BREAKERS.indexOf(c) >= 0 || extraForbidden.indexOf(c) >= 0 || isOtherControl(c)) {
        throw new IllegalArgumentException(
            field + " contains " + describe(c) + " at index " + i + ", which the protocol forbids");
      }
    }
    return value;
  }

  /**
   * Checks a value and that it is not blank.
   *
   * @param field the user-facing name of the value
   * @param value the value
   * @param extraForbidden more characters the protocol reserves
   * @return the value, unchanged
   * @throws IllegalArgumentException if the value is blank or holds a forbidden character
   */
  public static String checkNotBlank(String field, String value, String extraForbidden) {
    check(field, value, extraForbidden);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return value;
  }

  private static boolean isOtherControl(char c) {
    return c < 0x20 && c != '\t' || c == 0x7f;
  }

  private static String describe(char c) {
    switch (c) {
      case '\r':
        return "a carriage return (CR)";
      case '\n':
        return "a line feed (LF)";
      case '\0':
        return "a NUL character";
      default:
        if (c < 0x20 || c == 0x7f) {
          return String.format("the control character U+%04X", (int) c);
        }
        return "'" + c + "'";
    }
  }
}
