package org.sipadapter;

import java.util.Objects;
import java.util.function.BiConsumer;
import org.sipadapter.spi.WireField;

/**
 * The checks of every user value before anything is sent: null and blank where a value is required,
 * CR, LF, NUL and other control characters everywhere, then the driver's protocol rules ({@link
 * org.sipadapter.spi.AdapterDriver#checkWire}). Core runs the first two itself, so no driver can
 * forget them. Each refusal is an {@link IllegalArgumentException} naming the field.
 */
final class WireChecks {
  private static final String DTMF_DIGITS = "0123456789*#ABCDabcd";

  private final BiConsumer<WireField, String> protocol;

  /**
   * @param protocol the driver's rules, run after core's
   */
  WireChecks(BiConsumer<WireField, String> protocol) {
    this.protocol = protocol;
  }

  /** A value that may be empty. */
  void check(WireField field, String value) {
    Objects.requireNonNull(value, field.toString());
    onWire(field, value);
  }

  /**
   * The rules of what goes onto the wire alone, for a driver's own operations: a null value is
   * refused with an {@link IllegalArgumentException} like a forbidden character.
   */
  void onWire(WireField field, String value) {
    InputGuard.check(field.toString(), value);
    protocol.accept(field, value);
  }

  /** A value that must not be blank. */
  void required(WireField field, String value) {
    Objects.requireNonNull(value, field.toString());
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    check(field, value);
  }

  /** Everything {@code makeCall} sends: the parties and every option. */
  void call(String from, String to, CallOptions options) {
    Objects.requireNonNull(options, "options");
    required(WireField.FROM, from);
    required(WireField.TO, to);
    options.callerIdName().ifPresent(v -> check(WireField.CALLER_ID_NAME, v));
    options.callerIdNumber().ifPresent(v -> required(WireField.CALLER_ID_NUMBER, v));
    options
        .variables()
        .forEach(
            (k, v) -> {
              required(WireField.VARIABLE_NAME, k);
              check(WireField.variable(k), v);
            });
    options
        .headers()
        .forEach(
            (k, v) -> {
              headerName(k);
              check(WireField.header(k), v);
            });
  }

  /** A SIP header's name: printable ASCII without spaces or ':'. */
  void headerName(String name) {
    required(WireField.HEADER_NAME, name);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c == ':' || c > '~') {
        throw new IllegalArgumentException(
            "header name '" + name + "' may not contain spaces, ':' or non-ASCII characters");
      }
    }
  }

  /** DTMF digits: one or more of {@code 0-9 * # A-D}. */
  static void dtmf(String digits) {
    Objects.requireNonNull(digits, "digits");
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("digits must not be empty");
    }
    for (int i = 0; i < digits.length(); i++) {
      if (DTMF_DIGITS.indexOf(digits.charAt(i)) < 0) {
        throw new IllegalArgumentException(
            "digits may hold only 0-9, *, # and A-D; found '" + digits.charAt(i) + "'");
      }
    }
  }
}
