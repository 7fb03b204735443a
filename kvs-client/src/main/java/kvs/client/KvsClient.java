package kvs.client;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A client of a cluster of KVS servers: a replicated, multi-version key-value store where every
 * write of a key creates a new version of it.
 *
 * <p>Keys and values are strings of at least three Unicode code points; the server rejects others.
 * Expected outcomes (a key not found, nothing to remove, a rejected item of a batch) are return
 * values; failures are thrown as the one {@link KvsException}, whose {@link KvsException#code()}
 * says what went wrong and whose message carries the server's reason when it sent one.
 *
 * <p><b>Calls.</b> The methods here block; {@link #async()} has the same operations returning
 * {@link java.util.concurrent.CompletableFuture}s. Every call has a deadline: the builder's {@link
 * KvsClientBuilder#deadline(Duration) default}, or the one of a {@link #withDeadline(Duration)}
 * view. The batches ({@link #putAll}, {@link #getAll}, {@link #removeAll}) and {@link #snapshot}
 * stream: requests are taken from the {@code Iterable} only as fast as the server accepts them, and
 * results arrive only as fast as the caller consumes them, so neither side is ever held in memory.
 *
 * <p><b>Several servers.</b> A client built with {@link KvsClientBuilder#targets(String)} spreads
 * its calls over the servers (round robin) and moves away from a server that is down, catching up
 * with its peers, or behind this client's writes. A call that fails that way ({@code UNAVAILABLE})
 * is sent again, to another server when there is one, by gRPC's retry policy within the call's
 * deadline. Writes are retried too: each write call carries a request id (the same on every
 * attempt), and a server answers a repeated id with the original result instead of applying the
 * write again, so a retry never creates a second version.
 *
 * <p><b>Read your writes.</b> The client remembers the replication {@link #position()} at which its
 * writes were applied and asks every read to be served at that position or later, so a read on any
 * server sees this client's earlier writes. Another client can be given the position with {@link
 * #advancePosition(long)}.
 *
 * <p>An instance is thread-safe. Close it to release the connections it opened.
 *
 * <pre>{@code
 * try (KvsClient kvs = KvsClient.builder().targets("localhost:9000,localhost:9001").build()) {
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
   * Stores several values in one stream, in order, and returns their results as the server answers.
   *
   * <p>The call starts at once. {@code items} is iterated on a gRPC thread, one item at a time and
   * only as fast as the server takes them; results are fetched as the returned stream is consumed.
   * Consume the stream to the end or close it (try-with-resources): closing it early cancels the
   * call, and items already sent may have been stored. An empty {@code items} makes no call.
   *
   * @param items the keys and values; iterated once
   * @return one result per item, in the same order
   * @throws KvsException from this method or from the stream's operations, when the call failed;
   *     the results consumed before are valid
   */
  Stream<PutResult> putAll(Iterable<KeyValue> items);

  /**
   * Reads several keys in one stream, each as {@link #get(String)} or {@link #get(String, int)}
   * would, depending on whether its version is present. Streams as {@link #putAll(Iterable)} does.
   *
   * @param items the keys, each with an optional version; iterated once
   * @return one result per item, in the same order
   * @throws KvsException from this method or from the stream's operations, when the call failed
   */
  Stream<GetResult> getAll(Iterable<KeyVersion> items);

  /**
   * Removes several keys or versions in one stream, in order. An item without a version, or with a
   * version of 0 or less, removes all versions of its key. Streams as {@link #putAll(Iterable)}
   * does.
   *
   * @param items the keys, each with an optional version; iterated once
   * @return one result per item, in the same order
   * @throws KvsException from this method or from the stream's operations, when the call failed;
   *     items already sent may have been removed
   */
  Stream<RemoveResult> removeAll(Iterable<KeyVersion> items);

  /**
   * Reads every key as it was at a version: for each key, the entry with the greatest version not
   * above {@code version}. Entries are fetched from the server as the stream is consumed; consume
   * it to the end or close it.
   *
   * @param version the version; 0 or less reads the newest version of every key
   * @return the entries in key order; empty when no key has a version at or below {@code version}
   * @throws KvsException from this method or from the stream's operations, when the call failed
   */
  Stream<Entry> snapshot(int version);

  /**
   * Follows the changes of the keys starting with {@code prefix}, in stream order, from {@code
   * fromPosition} on: every change made by the stream entries after that position, then each new
   * one as it is applied (the {@code kvs.watch.v1.Watch} call). A server or connection that fails
   * is left for another server of the targets, from the last position reported: no change is lost
   * or repeated. The watch ends only when closed or for a reason {@link WatchListener#onError}
   * names. The client's deadline does not apply.
   *
   * @param prefix the keys to watch; empty for every key
   * @param fromPosition the position already seen: 0 for everything the servers still hold
   * @param listener what receives the changes, on a gRPC thread
   * @return the running watch
   * @throws IllegalArgumentException when {@code fromPosition} is negative
   */
  Watch watch(String prefix, long fromPosition, WatchListener listener);

  /**
   * Asks a server for its replication state (the {@code kvs.admin.KvsAdmin/Status} call); with
   * several targets, whichever server the call goes to. A server answers it while it is catching up
   * too.
   *
   * @return what the server reported
   * @throws KvsException when the call failed; {@link KvsException.Code#SERVER_ERROR} from a server
   *     without that call
   */
  ServerStatus status();

  /**
   * Returns the replication position this client's reads ask for: the greatest position at which a
   * server reported applying one of this client's writes, or given to {@link
   * #advancePosition(long)}; 0 before either. With {@link KvsClientBuilder#readYourWrites(boolean)
   * read-your-writes} on, every read is served by a server that has applied at least this position.
   *
   * @return the position, 0 or more
   */
  long position();

  /**
   * Raises {@link #position()} to {@code position} if it is lower, so that later reads see
   * everything a server had applied at that position: for example the position of another client's
   * write, to read it here. Has no effect on reads when read-your-writes is off.
   *
   * @param position a position reported by {@link #position()} of this or another client
   * @throws IllegalArgumentException when {@code position} is negative
   */
  void advancePosition(long position);

  /**
   * Returns a view of this client whose calls have another deadline. The view shares this client's
   * connections and position; closing it does nothing.
   *
   * @param deadline how long each call of the view may take, positive
   * @return the view
   * @throws IllegalArgumentException when {@code deadline} is not positive
   */
  KvsClient withDeadline(Duration deadline);

  /**
   * Returns the asynchronous form of this client: the same operations, same deadline, same
   * connections and position.
   *
   * @return the asynchronous view
   */
  AsyncKvsClient async();

  /**
   * Releases the connections this client opened, if it opened them; a channel given to {@link
   * KvsClientBuilder#channel(io.grpc.Channel)} stays open. Calls still running may fail.
   */
  @Override
  void close();
}
