package kvs.client;

import java.util.Objects;
import java.util.Optional;

/**
 * One change a watch reports, at the stream position of the entry that made it. Every server
 * reports the same changes at the same positions.
 *
 * @param position the stream position of the entry that made the change; several changes of one
 *     entry share it
 * @param key the key changed
 * @param version the version written or removed; 0 for {@link Kind#REMOVE_ALL}
 * @param value the value of a {@link Kind#PUT}, unless the watch omits values; empty for removes
 * @param kind what happened
 */
public record ChangeEvent(
    long position, String key, int version, Optional<String> value, Kind kind) {

  /** What a change did to its key. */
  public enum Kind {
    /** A new version was written. */
    PUT,
    /** Exactly {@code version} was removed. */
    REMOVE_VERSION,
    /** Every version was removed. */
    REMOVE_ALL
  }

  /** Checks that nothing is {@code null}. */
  public ChangeEvent {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(kind, "kind");
  }
}
