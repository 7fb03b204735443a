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

  KeyHistory() {}

  KeyHistory(KeyRecord record) {
    versions.putAll(record.versions());
    highestVersion = record.highestVersion();
  }

  KeyRecord toRecord(String key) {
    return new KeyRecord(key, highestVersion, versions);
  }

  NavigableMap<Integer, String> versions() {
    return versions;
  }

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

  /** Removes exactly {@code version}; the value it had, or null when it did not exist. */
  String remove(int version) {
    return versions.remove(version);
  }

  int liveVersions() {
    return versions.size();
  }

  int highestVersion() {
    return highestVersion;
  }
}
