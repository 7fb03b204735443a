package kvs.core;

/** The input rules of the contract, in one place. */
public final class InputRules {
  /** Keys and values shorter than this many Unicode code points are invalid. */
  public static final int MIN_LENGTH = 3;

  private InputRules() {}

  /** True when {@code text} may be used as a key or a value. */
  public static boolean isValid(String text) {
    // Counting code points, not chars: "ab😀" has three.
    return text != null && text.codePointCount(0, text.length()) >= MIN_LENGTH;
  }
}
