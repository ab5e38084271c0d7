package org.sipadapter.config;

import java.time.Duration;
import java.util.Locale;

/** Parses the short durations used in YAML: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
public final class Durations {
  private Durations() {}

  /**
   * Parses a duration. A bare number is taken as milliseconds; ISO-8601 ({@code PT5S}) works too.
   *
   * @param text the text, such as {@code 200ms} or {@code 30s}
   * @return the duration, zero or positive
   * @throws IllegalArgumentException if the text is not a duration
   */
  public static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("pt") || s.startsWith("p")) {
        return checkNotNegative(text, Duration.parse(s.toUpperCase(Locale.ROOT)));
      }
      int i = 0;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (i == 0) {
        throw new IllegalArgumentException(bad(text));
      }
      double amount = Double.parseDouble(s.substring(0, i));
      String unit = s.substring(i).trim();
      double millis;
      switch (unit) {
        case "":
        case "ms":
          millis = amount;
          break;
        case "s":
          millis = amount * 1000;
          break;
        case "m":
        case "min":
          millis = amount * 60_000;
          break;
        case "h":
          millis = amount * 3_600_000;
          break;
        default:
          throw new IllegalArgumentException(bad(text));
      }
      return Duration.ofNanos(Math.round(millis * 1_000_000));
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException
          && e.getMessage() != null
          && e.getMessage().startsWith("not a duration")) {
        throw e;
      }
      throw new IllegalArgumentException(bad(text), e);
    }
  }

  private static Duration checkNotNegative(String text, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(bad(text));
    }
    return d;
  }

  private static String bad(String text) {
    return "not a duration: '" + text + "' (use e.g. 200ms, 5s, 2m)";
  }
}
