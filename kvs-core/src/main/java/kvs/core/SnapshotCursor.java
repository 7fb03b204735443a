package kvs.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * A {@link VersionedStore#snapshot} read page by page, in key order, that answers the state as of
 * the moment it was opened even while the store goes on changing between pages. Opened with {@link
 * VersionedStore#openCursor}; must be closed.
 *
 * <p>Copy-on-write per key, only while open: before the store changes a key this cursor has not
 * reached yet, it hands the cursor that key's answer as of now (an entry, or none) unless the
 * cursor already holds one for it; the first such answer is the one as of opening. A key created
 * after opening is saved as "none" that way. So the memory a cursor takes is proportional to the
 * keys changed while it is open, not to the store.
 *
 * <p>Threading is the store's: {@link #next} is a read (it changes only this cursor), closing is a
 * change.
 */
public final class SnapshotCursor implements AutoCloseable {
  private final VersionedStore store;
  private final NavigableMap<String, KeyHistory> histories;
  private final int version;
  // Answers as of opening for keys ahead of the cursor that changed since; empty for "none".
  private final Map<String, Optional<Entry>> saved = new HashMap<>();
  private String lastKey; // the last key looked at; null before the first
  private boolean done;

  SnapshotCursor(VersionedStore store, NavigableMap<String, KeyHistory> histories, int version) {
    this.store = store;
    this.histories = histories;
    this.version = version;
  }

  /**
   * The next entries in key order: at most {@code max}, from looking at at most {@code max} keys (a
   * page may be empty, or short, when keys have no version {@code <= version}). An empty page with
   * {@link #isDone} true is the end.
   */
  public List<Entry> next(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1");
    }
    List<Entry> page = new ArrayList<>(Math.min(max, 1024));
    if (done) {
      return page;
    }
    NavigableMap<String, KeyHistory> ahead =
        lastKey == null ? histories : histories.tailMap(lastKey, false);
    int looked = 0;
    for (Map.Entry<String, KeyHistory> key : ahead.entrySet()) {
      if (looked == max) {
        return page;
      }
      looked++;
      lastKey = key.getKey();
      Optional<Entry> before = saved.remove(lastKey);
      Entry entry = before != null ? before.orElse(null) : key.getValue().find(lastKey, version);
      if (entry != null) {
        page.add(entry);
      }
    }
    // Keys never leave the store (a key without versions stays, with its highest version), so
    // every saved answer was met on the way.
    done = true;
    return page;
  }

  /** True once {@link #next} has answered every key, or this cursor was closed. */
  public boolean isDone() {
    return done;
  }

  /**
   * Stops this cursor: the store no longer saves answers for it, and {@link #next} answers no more.
   * Closing twice is harmless.
   */
  @Override
  public void close() {
    store.closed(this);
    saved.clear();
    done = true;
  }

  /** Called by the store just before it changes {@code key} (whose history is null when new). */
  void beforeChange(String key, KeyHistory history) {
    if (done || (lastKey != null && key.compareTo(lastKey) <= 0) || saved.containsKey(key)) {
      return; // already passed, or already saved as of opening
    }
    saved.put(key, Optional.ofNullable(history == null ? null : history.find(key, version)));
  }
}
