package kvs.bench;

/**
 * Keys and values of a fixed length made of a prefix and a zero-padded number, such as {@code
 * bench-0000000042} (16 characters). When the length leaves fewer than 4 digits after the prefix,
 * the prefix is dropped and the text is all digits; numbers beyond what the digits hold wrap
 * around.
 */
final class NumberedText {
  private static final int MIN_DIGITS = 4;
  private static final int MAX_DIGITS = 18;

  private final String prefix;
  private final int length;
  private final int digits;
  private final long capacity;

  NumberedText(String prefix, int length) {
    if (length < 1) {
      throw new IllegalArgumentException("length " + length);
    }
    boolean withPrefix = length - prefix.length() >= MIN_DIGITS;
    this.prefix = withPrefix ? prefix : "";
    this.length = length;
    this.digits = Math.min(length - this.prefix.length(), MAX_DIGITS);
    long c = 1;
    for (int i = 0; i < digits; i++) {
      c *= 10;
    }
    this.capacity = c;
  }

  /** How many distinct texts there are before the numbers wrap around. */
  long capacity() {
    return capacity;
  }

  /** The text for {@code number} (taken modulo {@link #capacity()}). */
  String text(long number) {
    char[] chars = new char[length];
    int p = 0;
    for (; p < prefix.length(); p++) {
      chars[p] = prefix.charAt(p);
    }
    int fill = length - digits; // left over after the prefix and MAX_DIGITS digits
    for (int i = 0; i < fill - prefix.length(); i++) {
      chars[p++] = '0';
    }
    long n = Math.floorMod(number, capacity);
    for (int i = length - 1; i >= p; i--) {
      chars[i] = (char) ('0' + n % 10);
      n /= 10;
    }
    return new String(chars);
  }
}
