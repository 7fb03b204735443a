package kvs.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Sizes on the command lines: a whole number of bytes with an optional binary unit, {@code 4096},
 * {@code 512B}, {@code 4KiB} (or {@code 4K}, {@code 4KB}), {@code 1MiB} ({@code 1M}, {@code 1MB}),
 * in any case; 1 KiB is 1024 bytes. At least 1 byte, at most 2 GiB - 1.
 */
public final class ByteSizes implements ITypeConverter<Integer> {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(b|k|kb|kib|m|mb|mib)?");

  @Override
  public Integer convert(String text) {
    return parse(text);
  }

  /**
   * Reads {@code text} by the grammar above.
   *
   * @throws TypeConversionException when it is not such a size, with what to write instead
   */
  public static int parse(String text) {
    Matcher size = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!size.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a size; use for example 4096, 64KiB or 1MiB");
    }
    String unit = size.group(2) == null ? "b" : size.group(2);
    long multiplier = unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1;
    long bytes = Long.parseLong(size.group(1)) * multiplier;
    if (bytes < 1 || bytes > Integer.MAX_VALUE) {
      throw new TypeConversionException("'" + text + "' is not a size from 1 byte to 2 GiB - 1");
    }
    return (int) bytes;
  }
}
