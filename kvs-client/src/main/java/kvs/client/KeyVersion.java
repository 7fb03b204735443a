package kvs.client;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A key and, optionally, a version: one item of {@link KvsClient#getAll(Iterable)} and {@link
 * KvsClient#removeAll(Iterable)}.
 *
 * <p>Without a version, nothing is sent in the request's version field; the server then reads the
 * newest version, or removes all versions. A version of 0 or less means the same to the server, but
 * is sent.
 *
 * @param key the key, never {@code null}
 * @param version the version to send, or empty to send none
 */
public record KeyVersion(String key, OptionalInt version) {

  /** Checks that key and version are present. */
  public KeyVersion {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(version, "version");
  }

  /**
   * Returns a key without a version: the newest version for a read, all versions for a removal.
   *
   * @param key the key
   * @return the key, with no version to send
   */
  public static KeyVersion of(String key) {
    return new KeyVersion(key, OptionalInt.empty());
  }

  /**
   * Returns a key with a version that is sent as given.
   *
   * @param key the key
   * @param version the version; 0 or less means the newest version for a read, all versions for a
   *     removal
   * @return the key with its version
   */
  public static KeyVersion of(String key, int version) {
    return new KeyVersion(key, OptionalInt.of(version));
  }
}
