package kvs.client;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A client of a KVS server: a multi-version key-value store where every write of a key creates a
 * new version of it.
 *
 * <p>Keys and values are strings of at least three Unicode code points; the server rejects others.
 * Every call is blocking, has the deadline given to the {@link KvsClientBuilder builder}, and is
 * made once: a write that may have reached the server is never sent again, so a failed call leaves
 * it to the caller to find out whether it took effect. Failures are thrown as {@link KvsException};
 * expected outcomes (a key not found, nothing to remove) are return values.
 *
 * <p>An instance is thread-safe. Close it to release the connection it opened.
 *
 * <pre>{@code
 * try (KvsClient kvs = KvsClient.builder().target("127.0.0.1", 9000).build()) {
 *   int version = kvs.put("chave1", "valor1");
 *   Optional<Entry> entry = kvs.get("chave1");
 * }
 * }</pre>
 */
public interface KvsClient extends AutoCloseable {

  /**
   * Returns a builder for a client.
   *
   * @return a new builder
   */
  static KvsClientBuilder builder() {
    return new KvsClientBuilder();
  }

  /**
   * Stores a new version of a key.
   *
   * @param key the key
   * @param value the value
   * @return the version the server gave the value, at least 1
   * @throws KvsException with {@link KvsException.Code#REJECTED} when the server refused the key or
   *     value, or another code when the call failed
   */
  int put(String key, String value);

  /**
   * Reads the newest version of a key. No version is sent to the server.
   *
   * @param key the key
   * @return the newest entry, or empty when the key has none
   * @throws KvsException when the call failed
   */
  Optional<Entry> get(String key);

  /**
   * Reads a key as it was at a version: the entry with the greatest version not above {@code
   * version}.
   *
   * @param key the key
   * @param version the version, sent as given; 0 or less reads the newest version
   * @return the entry, or empty when the key has none at or below {@code version}
   * @throws KvsException when the call failed
   */
  Optional<Entry> get(String key, int version);

  /**
   * Removes all versions of a key. No version is sent to the server.
   *
   * @param key the key
   * @return true when versions were removed, false when the key had none
   * @throws KvsException when the call failed
   */
  boolean remove(String key);

  /**
   * Removes one version of a key or, when {@code version} is 0 or less, all of them.
   *
   * @param key the key
   * @param version the version to remove, sent as given; 0 or less removes all versions
   * @return true when something was removed, false when there was nothing to remove
   * @throws KvsException when the call failed
   */
  boolean remove(String key, int version);

  /**
   * Stores several values in one stream, in order.
   *
   * @param items the keys and values
   * @return for each item, in the same order, the version the server gave it, or empty when the
   *     server rejected that item
   * @throws KvsException when the call failed; some items may have been stored
   */
  List<OptionalInt> putAll(List<KeyValue> items);

  /**
   * Reads several keys in one stream, each as {@link #get(String)} or {@link #get(String, int)}
   * would, depending on whether its version is present.
   *
   * @param items the keys, each with an optional version
   * @return for each item, in the same order, its entry or empty when not found
   * @throws KvsException when the call failed
   */
  List<Optional<Entry>> getAll(List<KeyVersion> items);

  /**
   * Removes several keys or versions in one stream, in order. An item without a version, or with a
   * version of 0 or less, removes all versions of its key.
   *
   * @param items the keys, each with an optional version
   * @return for each item, in the same order, what the server reported removed: the version
   *     removed, 0 when all versions of the key were removed, or empty when nothing was removed
   * @throws KvsException when the call failed; some items may have been removed
   */
  List<OptionalInt> removeAll(List<KeyVersion> items);

  /**
   * Reads every key as it was at a version: for each key, the entry with the greatest version not
   * above {@code version}.
   *
   * @param version the version; 0 or less reads the newest version of every key
   * @return the entries in key order; empty when no key has a version at or below {@code version}
   * @throws KvsException when the call failed
   */
  List<Entry> snapshot(int version);

  /**
   * Asks the server for its replication state (the {@code kvs.admin.KvsAdmin/Status} call). A
   * server answers it while it is catching up too.
   *
   * @return what the server reported
   * @throws KvsException when the call failed; {@link KvsException.Code#SERVER_ERROR} from a server
   *     without that call
   */
  ServerStatus status();

  /**
   * Releases the connection this client opened, if it opened one; a channel given to {@link
   * KvsClientBuilder#channel(io.grpc.Channel)} stays open. Calls already running may fail.
   */
  @Override
  void close();
}
