package kvs.core;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything the store knows of one key: its live versions and the highest version it ever had. The
 * unit of state transfer and of snapshot files.
 */
public record KeyRecord(String key, int highestVersion, NavigableMap<Integer, String> versions) {
  public KeyRecord {
    Objects.requireNonNull(key, "key");
    versions = Collections.unmodifiableNavigableMap(new TreeMap<>(versions));
    if (!versions.isEmpty() && versions.lastKey() > highestVersion) {
      throw new IllegalArgumentException(
          "version " + versions.lastKey() + " above highest " + highestVersion);
    }
  }
}
