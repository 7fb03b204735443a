package kvs.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The multi-version map (key -> version -> value) with the contract's rules. Pure and
 * deterministic: the same calls in the same order give the same state and the same answers on every
 * server.
 *
 * <p>Answers follow the wire: a version ({@code >= 1}), {@code 0} for "all versions removed",
 * {@code -1} for an invalid or impossible request.
 *
 * <p>Not thread-safe; the caller serializes access. Reads ({@link #get}, {@link #snapshot}, {@link
 * #records}, the counts, {@link SnapshotCursor#next}) may run together; changes ({@link #put},
 * {@link #remove}, {@link #openCursor}, {@link SnapshotCursor#close}) need the store to themselves.
 */
public final class VersionedStore {
  /** The answer for invalid or impossible requests. */
  public static final int FAILED = -1;

  /** The answer of a remove of every version. */
  public static final int REMOVED_ALL = 0;

  // Sorted, so that snapshots and records come out in key order without a sort. Entries stay
  // after all their versions are removed: they keep the highest version ever used.
  private final NavigableMap<String, KeyHistory> histories = new TreeMap<>();
  private final List<SnapshotCursor> cursors = new ArrayList<>();
  private long liveVersions;
  private int liveKeys;
  private long digest;

  public VersionedStore() {}

  /** A store holding exactly {@code records}. */
  public static VersionedStore of(Iterable<KeyRecord> records) {
    VersionedStore store = new VersionedStore();
    for (KeyRecord record : records) {
      if (store.histories.put(record.key(), new KeyHistory(record)) != null) {
        throw new IllegalArgumentException("key twice: " + record.key());
      }
      store.digest += StateDigest.ofHighest(record.key(), record.highestVersion());
      record
          .versions()
          .forEach((v, value) -> store.digest += StateDigest.ofVersion(record.key(), v, value));
      store.liveVersions += record.versions().size();
      store.liveKeys += record.versions().isEmpty() ? 0 : 1;
    }
    return store;
  }

  /** Adds a new version of {@code key}; answers that version, or -1 on invalid input. */
  public int put(String key, String value) {
    if (!InputRules.isValid(key) || !InputRules.isValid(value)) {
      return FAILED;
    }
    if (!cursors.isEmpty()) {
      beforeChange(key, histories.get(key));
    }
    KeyHistory history = histories.computeIfAbsent(key, k -> new KeyHistory()); // one tree walk
    int before = history.highestVersion();
    boolean wasLive = history.liveVersions() > 0;
    int version = history.append(value);
    if (version == FAILED) {
      return FAILED;
    }
    digest += StateDigest.ofHighest(key, version) - StateDigest.ofHighest(key, before);
    digest += StateDigest.ofVersion(key, version, value);
    liveVersions++;
    liveKeys += wasLive ? 0 : 1;
    return version;
  }

  /**
   * Removes exactly {@code version} of {@code key} when {@code version > 0} (answers it, or -1 when
   * absent); otherwise removes every version (answers 0, or -1 when there was none).
   */
  public int remove(String key, int version) {
    KeyHistory history = InputRules.isValid(key) ? histories.get(key) : null;
    if (history == null || history.liveVersions() == 0) {
      return FAILED;
    }
    beforeChange(key, history);
    if (version > 0) {
      String value = history.remove(version);
      if (value == null) {
        return FAILED;
      }
      forget(key, version, value);
    } else {
      history.removeAll((v, value) -> forget(key, v, value));
    }
    liveKeys -= history.liveVersions() == 0 ? 1 : 0;
    return version > 0 ? version : REMOVED_ALL;
  }

  private void forget(String key, int version, String value) {
    digest -= StateDigest.ofVersion(key, version, value);
    liveVersions--;
  }

  /**
   * The value of {@code key} with the greatest version {@code <= version}, or the newest when
   * {@code version <= 0}; empty when there is none or the key is invalid.
   */
  public Optional<Entry> get(String key, int version) {
    KeyHistory history = InputRules.isValid(key) ? histories.get(key) : null;
    return history == null ? Optional.empty() : Optional.ofNullable(history.find(key, version));
  }

  /**
   * For every key, the value with the greatest version {@code <= version} (the newest when {@code
   * version <= 0}), in key order; keys without such a version are left out. All at once: for a
   * large store, read it through {@link #openCursor} instead.
   */
  public List<Entry> snapshot(int version) {
    List<Entry> entries = new ArrayList<>();
    histories.forEach(
        (key, history) -> {
          Entry entry = history.find(key, version);
          if (entry != null) {
            entries.add(entry);
          }
        });
    return entries;
  }

  /**
   * Opens a cursor that reads {@link #snapshot snapshot(version)} as of now, page by page, while
   * this store may go on changing. It costs the store a little on every change until it is closed.
   */
  public SnapshotCursor openCursor(int version) {
    SnapshotCursor cursor = new SnapshotCursor(this, histories, version);
    cursors.add(cursor);
    return cursor;
  }

  /** How many cursors are open (not yet closed). */
  public int openCursorCount() {
    return cursors.size();
  }

  void closed(SnapshotCursor cursor) {
    cursors.remove(cursor);
  }

  // Copy-on-write for open cursors: each one saves the key's answer before it changes.
  private void beforeChange(String key, KeyHistory history) {
    for (int i = 0; i < cursors.size(); i++) {
      cursors.get(i).beforeChange(key, history);
    }
  }

  /**
   * The full record of {@code key} (a tombstone when all its versions are gone); empty when never
   * written.
   */
  public Optional<KeyRecord> record(String key) {
    KeyHistory history = histories.get(key);
    return history == null ? Optional.empty() : Optional.of(history.toRecord(key));
  }

  /** The digest this store would have after {@link #replace replacing} each of {@code records}. */
  public long digestReplacing(Iterable<KeyRecord> records) {
    long after = digest;
    Set<String> seen = new HashSet<>();
    for (KeyRecord record : records) {
      String key = record.key();
      if (!seen.add(key)) {
        throw new IllegalArgumentException("key twice: " + key);
      }
      KeyHistory before = histories.get(key);
      if (before != null) {
        after -= StateDigest.ofHighest(key, before.highestVersion());
        long[] removed = {0};
        before.forEach((v, value) -> removed[0] += StateDigest.ofVersion(key, v, value));
        after -= removed[0];
      }
      after += StateDigest.ofHighest(key, record.highestVersion());
      for (var version : record.versions().entrySet()) {
        after += StateDigest.ofVersion(key, version.getKey(), version.getValue());
      }
    }
    return after;
  }

  /**
   * Makes {@code record} the whole truth about its key, whatever the key held before: how a repair
   * from a peer's recent history brings in the keys that changed since a common point.
   */
  public void replace(KeyRecord record) {
    String key = record.key();
    KeyHistory before = histories.get(key);
    beforeChange(key, before);
    if (before != null) {
      digest -= StateDigest.ofHighest(key, before.highestVersion());
      before.forEach((v, value) -> forget(key, v, value));
      liveKeys -= before.liveVersions() > 0 ? 1 : 0;
    }
    KeyHistory after = new KeyHistory(record);
    histories.put(key, after);
    digest += StateDigest.ofHighest(key, record.highestVersion());
    record.versions().forEach((v, value) -> digest += StateDigest.ofVersion(key, v, value));
    liveVersions += record.versions().size();
    liveKeys += record.versions().isEmpty() ? 0 : 1;
  }

  /** Every key's full record (tombstones included), in key order: a copy, safe to keep. */
  public List<KeyRecord> records() {
    List<KeyRecord> records = new ArrayList<>(histories.size());
    histories.forEach((key, history) -> records.add(history.toRecord(key)));
    return records;
  }

  /** Number of keys that have at least one live version. */
  public int keyCount() {
    return liveKeys;
  }

  /** Number of live versions over all keys. */
  public long versionCount() {
    return liveVersions;
  }

  /** The digest of the content (see {@link StateDigest}): equal content, equal digest. */
  public long digest() {
    return digest;
  }
}
