package kvs.client;

import java.util.Objects;

/**
 * A key and the value to store under it, one item of {@link KvsClient#putAll(Iterable)}.
 *
 * @param key the key, never {@code null}
 * @param value the value, never {@code null}
 */
public record KeyValue(String key, String value) {

  /** Checks that key and value are present. */
  public KeyValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  /**
   * Returns a key-value pair.
   *
   * @param key the key
   * @param value the value
   * @return the pair
   */
  public static KeyValue of(String key, String value) {
    return new KeyValue(key, value);
  }
}
