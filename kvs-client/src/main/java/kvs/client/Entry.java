package kvs.client;

import java.util.Objects;

/**
 * One version of a key: its value and the version number the store gave it.
 *
 * @param key the key, never {@code null}
 * @param value the value stored under {@code key} at {@code version}, never {@code null}
 * @param version the version, at least 1
 */
public record Entry(String key, String value, int version) {

  /** Checks that key and value are present. */
  public Entry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
