package org.sipadapter.cli;

import java.time.Duration;
import org.sipadapter.config.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations as the YAML config writes them: {@code 500ms}, {@code 10s}, {@code 2m}. */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      Duration d = Durations.parse(value);
      if (d.isZero()) {
        throw new TypeConversionException("'" + value + "' must be longer than zero");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration (examples: 500ms, 10s, 2m)");
    }
  }
}
