package kvs.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one duration grammar of every KVS command line: a number, whole or decimal, with a unit
 * {@code ms}, {@code s} (the default), {@code m} or {@code h}, such as {@code 500ms}, {@code 5},
 * {@code 1.5s} or {@code 2m}; or ISO-8601, such as {@code PT10S}. Units and ISO-8601 in any case.
 */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?)(ms|s|m|h)?");

  private Durations() {}

  /**
   * Reads {@code text} by the grammar above.
   *
   * @throws TypeConversionException when it is not a duration, with what to write instead
   */
  public static Duration parse(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    Matcher simple = SIMPLE.matcher(value);
    if (simple.matches()) {
      double amount = Double.parseDouble(simple.group(1));
      String unit = simple.group(2) == null ? "s" : simple.group(2);
      double nanosPerUnit =
          switch (unit) {
            case "ms" -> 1e6;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> 1e9;
          };
      return Duration.ofNanos(Math.round(amount * nanosPerUnit));
    }
    try {
      return Duration.parse(value.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration; use for example 500ms, 1.5s, 2m or PT10S");
    }
  }

  /** A duration that must be more than zero (timeouts, deadlines, intervals). */
  public static final class Positive implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
      Duration duration = parse(text);
      if (duration.isNegative() || duration.isZero()) {
        throw new TypeConversionException("'" + text + "' is not a positive duration");
      }
      return duration;
    }
  }

  /** A duration that may be zero (a warm-up that may be skipped), not negative. */
  public static final class NonNegative implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
      Duration duration = parse(text);
      if (duration.isNegative()) {
        throw new TypeConversionException("'" + text + "' is a negative duration");
      }
      return duration;
    }
  }
}
