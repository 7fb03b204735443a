package kvs.client;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The asynchronous form of a {@link KvsClient}, from {@link KvsClient#async()}: the same operations
 * with the same meaning, returning futures.
 *
 * <p>A future fails with a {@link KvsException} where the blocking method would throw one.
 * Cancelling a future cancels its call (a write may still have been applied). Futures complete, and
 * result consumers run, on gRPC's threads: keep that work short, or continue on an executor of your
 * own with the {@code ...Async(..., executor)} methods of {@link CompletableFuture}.
 */
public interface AsyncKvsClient {

  /**
   * Stores a new version of a key, as {@link KvsClient#put(String, String)} does.
   *
   * @param key the key
   * @param value the value
   * @return the version the server gave the value; fails with {@link KvsException.Code#REJECTED}
   *     when the server refused the key or value
   */
  CompletableFuture<Integer> put(String key, String value);

  /**
   * Reads the newest version of a key, as {@link KvsClient#get(String)} does.
   *
   * @param key the key
   * @return the newest entry, or empty when the key has none
   */
  CompletableFuture<Optional<Entry>> get(String key);

  /**
   * Reads a key as it was at a version, as {@link KvsClient#get(String, int)} does.
   *
   * @param key the key
   * @param version the version, sent as given; 0 or less reads the newest version
   * @return the entry, or empty when the key has none at or below {@code version}
   */
  CompletableFuture<Optional<Entry>> get(String key, int version);

  /**
   * Removes all versions of a key, as {@link KvsClient#remove(String)} does.
   *
   * @param key the key
   * @return true when versions were removed, false when the key had none
   */
  CompletableFuture<Boolean> remove(String key);

  /**
   * Removes one version of a key, or all of them, as {@link KvsClient#remove(String, int)} does.
   *
   * @param key the key
   * @param version the version to remove; 0 or less removes all versions
   * @return true when something was removed, false when there was nothing to remove
   */
  CompletableFuture<Boolean> remove(String key, int version);

  /**
   * Stores several values in one stream, as {@link KvsClient#putAll(Iterable)} does, handing each
   * result to {@code results} in order, one at a time, as it arrives. The server is sent more only
   * as {@code results} keeps up. An exception thrown by {@code results} cancels the call and fails
   * the future with that exception.
   *
   * @param items the keys and values; iterated once, on a gRPC thread
   * @param results receives one result per item, in order
   * @return completes when every result was handed over
   */
  CompletableFuture<Void> putAll(Iterable<KeyValue> items, Consumer<? super PutResult> results);

  /**
   * Reads several keys in one stream, as {@link KvsClient#getAll(Iterable)} does, handing results
   * over as {@link #putAll(Iterable, Consumer)} does.
   *
   * @param items the keys, each with an optional version; iterated once, on a gRPC thread
   * @param results receives one result per item, in order
   * @return completes when every result was handed over
   */
  CompletableFuture<Void> getAll(Iterable<KeyVersion> items, Consumer<? super GetResult> results);

  /**
   * Removes several keys or versions in one stream, as {@link KvsClient#removeAll(Iterable)} does,
   * handing results over as {@link #putAll(Iterable, Consumer)} does.
   *
   * @param items the keys, each with an optional version; iterated once, on a gRPC thread
   * @param results receives one result per item, in order
   * @return completes when every result was handed over
   */
  CompletableFuture<Void> removeAll(
      Iterable<KeyVersion> items, Consumer<? super RemoveResult> results);

  /**
   * Reads every key as it was at a version, as {@link KvsClient#snapshot(int)} does, handing the
   * entries to {@code entries} in key order as they arrive.
   *
   * @param version the version; 0 or less reads the newest version of every key
   * @param entries receives each entry; never called for an empty snapshot
   * @return completes when every entry was handed over
   */
  CompletableFuture<Void> snapshot(int version, Consumer<? super Entry> entries);

  /**
   * Asks a server for its replication state, as {@link KvsClient#status()} does.
   *
   * @return what the server reported
   */
  CompletableFuture<ServerStatus> status();

  /**
   * Returns a view of this client whose calls have another deadline, as {@link
   * KvsClient#withDeadline(Duration)} does.
   *
   * @param deadline how long each call of the view may take, positive
   * @return the view
   */
  AsyncKvsClient withDeadline(Duration deadline);
}
