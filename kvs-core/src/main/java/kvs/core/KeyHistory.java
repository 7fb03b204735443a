package kvs.core;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The live versions of one key, plus the highest version it ever had. The highest version
 * outlives removals so that a removed version number is never handed out again.
 */
final class KeyHistory {
  private final NavigableMap<Integer, String> versions = new TreeMap<>();
  private int highestVersion;

  /** Adds {@code value} as the next version; -1 when the version space is exhausted. */
  int append(String value) {
    if (highestVersion == Integer.MAX_VALUE) {
      return -1;
    }
    highestVersion++;
    versions.put(highestVersion, value);
    return highestVersion;
  }

  /** The value with the greatest version {@code <= atMost}, or the newest when {@code atMost <= 0}. */
  Optional<Map.Entry<Integer, String>> find(int atMost) {
    return Optional.ofNullable(atMost <= 0 ? versions.lastEntry() : versions.floorEntry(atMost));
  }

  /** Removes exactly {@code version}; true when it existed. */
  boolean remove(int version) {
    return versions.remove(version) != null;
  }

  /** Removes every version; true when there was at least one. */
  boolean removeAll() {
    boolean hadAny = !versions.isEmpty();
    versions.clear();
    return hadAny;
  }

  int liveVersions() {
    return versions.size();
  }

  int highestVersion() {
    return highestVersion;
  }
}
