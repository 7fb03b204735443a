package kvs.core;

import java.util.Objects;

/** One version of one key: what a read returns. */
public record Entry(String key, String value, int version) {
  public Entry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
