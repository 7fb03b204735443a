package kvs.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The multi-version map (key -> version -> value) with the contract's rules. Pure and
 * deterministic: the same calls in the same order give the same state and the same answers on
 * every server. Not thread-safe; the caller serializes access.
 *
 * <p>Answers follow the wire: a version ({@code >= 1}), {@code 0} for "all versions removed",
 * {@code -1} for an invalid or impossible request.
 */
public final class VersionedStore {
  /** The answer for invalid or impossible requests. */
  public static final int FAILED = -1;

  /** The answer of a remove of every version. */
  public static final int REMOVED_ALL = 0;

  // Entries stay after all their versions are removed: they keep the highest version ever used.
  private final Map<String, KeyHistory> histories = new HashMap<>();
  private long liveVersions;

  /** Adds a new version of {@code key}; answers that version, or -1 on invalid input. */
  public int put(String key, String value) {
    if (!InputRules.isValid(key) || !InputRules.isValid(value)) {
      return FAILED;
    }
    int version = histories.computeIfAbsent(key, k -> new KeyHistory()).append(value);
    if (version != FAILED) {
      liveVersions++;
    }
    return version;
  }

  /**
   * Removes exactly {@code version} of {@code key} when {@code version > 0} (answers it, or -1
   * when absent); otherwise removes every version (answers 0, or -1 when there was none).
   */
  public int remove(String key, int version) {
    KeyHistory history = InputRules.isValid(key) ? histories.get(key) : null;
    if (history == null) {
      return FAILED;
    }
    if (version > 0) {
      if (!history.remove(version)) {
        return FAILED;
      }
      liveVersions--;
      return version;
    }
    int removed = history.liveVersions();
    if (!history.removeAll()) {
      return FAILED;
    }
    liveVersions -= removed;
    return REMOVED_ALL;
  }

  /**
   * The value of {@code key} with the greatest version {@code <= version}, or the newest when
   * {@code version <= 0}; empty when there is none or the key is invalid.
   */
  public Optional<Entry> get(String key, int version) {
    KeyHistory history = InputRules.isValid(key) ? histories.get(key) : null;
    if (history == null) {
      return Optional.empty();
    }
    return history.find(version).map(e -> new Entry(key, e.getValue(), e.getKey()));
  }

  /**
   * For every key, the value with the greatest version {@code <= version} (the newest when
   * {@code version <= 0}), in key order; keys without such a version are left out.
   */
  public List<Entry> snapshot(int version) {
    List<Entry> entries = new ArrayList<>();
    histories.forEach(
        (key, history) ->
            history
                .find(version)
                .ifPresent(e -> entries.add(new Entry(key, e.getValue(), e.getKey()))));
    entries.sort(Comparator.comparing(Entry::key));
    return entries;
  }

  /** Number of keys that have at least one live version. */
  public int keyCount() {
    int count = 0;
    for (KeyHistory history : histories.values()) {
      if (history.liveVersions() > 0) {
        count++;
      }
    }
    return count;
  }

  /** Number of live versions over all keys. */
  public long versionCount() {
    return liveVersions;
  }
}
