package kvs.core.replication;

import java.util.Objects;

/**
 * What one applied operation changed in the store, for watchers: a new version, a removed version,
 * or every version removed. An operation that changed nothing (it failed, or was a retry answered
 * from its first result) has no change.
 *
 * @param version the version written or removed; 0 when every version was removed
 * @param value the value written by a {@link Kind#PUT}; null for removes
 */
public record Change(Kind kind, String key, int version, String value) {
  public enum Kind {
    PUT,
    REMOVE_VERSION,
    REMOVE_ALL
  }

  public Change {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    if ((kind == Kind.PUT) != (value != null)) {
      throw new IllegalArgumentException("a put has a value, a remove none");
    }
  }

  /** A rough count of the heap bytes this change holds, for bounding a history of changes. */
  public long heapBytes() {
    return 64 + 2L * key.length() + (value == null ? 0 : 2L * value.length() + 40);
  }
}
