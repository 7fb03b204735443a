package kvs.bench;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses durations: a number with an optional unit {@code ms}, {@code s} (the default) or {@code
 * m}, such as {@code 500ms}, {@code 10s}, {@code 2m}; or ISO-8601 such as {@code PT10S}. Zero is
 * allowed (for --warmup); the options that need more check it.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m)?");

  @Override
  public Duration convert(String value) {
    Duration duration = parse(value.trim());
    if (duration.isNegative()) {
      throw new TypeConversionException("'" + value + "' is a negative duration");
    }
    return duration;
  }

  private static Duration parse(String value) {
    Matcher simple = SIMPLE.matcher(value);
    if (simple.matches()) {
      long amount = Long.parseLong(simple.group(1));
      String unit = simple.group(2) == null ? "s" : simple.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount);
      };
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("'" + value + "' is not a duration; use for example 500ms, 10s or 1m");
    }
  }
}
