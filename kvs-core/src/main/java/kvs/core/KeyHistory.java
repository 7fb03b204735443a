package kvs.core;

import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * The live versions of one key, plus the highest version it ever had. The highest version outlives
 * removals so that a removed version number is never handed out again.
 *
 * <p>Sized for millions of keys: most keys have one live version, so that version and its value sit
 * in this object's own fields, and a {@link VersionList} exists only while a key has two or more.
 * Values are kept packed (see {@link #pack}).
 */
final class KeyHistory {
  private int highestVersion;
  // The live versions: null when there is none; a VersionList when there are two or more;
  // otherwise the packed value of the only one, whose number is onlyVersion.
  private Object live;
  private int onlyVersion;

  KeyHistory() {}

  KeyHistory(KeyRecord record) {
    record.versions().forEach((version, value) -> add(version, pack(value)));
    highestVersion = record.highestVersion();
  }

  KeyRecord toRecord(String key) {
    TreeMap<Integer, String> versions = new TreeMap<>();
    forEach(versions::put);
    return new KeyRecord(key, highestVersion, versions);
  }

  /** Adds {@code value} as the next version; -1 when the version space is exhausted. */
  int append(String value) {
    if (highestVersion == Integer.MAX_VALUE) {
      return -1;
    }
    highestVersion++;
    add(highestVersion, pack(value));
    return highestVersion;
  }

  /**
   * The entry with the greatest version {@code <= atMost}, or the newest when {@code atMost <= 0};
   * null when there is none.
   */
  Entry find(String key, int atMost) {
    if (live instanceof VersionList list) {
      int index = atMost <= 0 ? list.size() - 1 : list.floorIndex(atMost);
      return index < 0 ? null : new Entry(key, unpack(list.valueAt(index)), list.versionAt(index));
    }
    if (live == null || (atMost > 0 && onlyVersion > atMost)) {
      return null;
    }
    return new Entry(key, unpack(live), onlyVersion);
  }

  /** Removes exactly {@code version}; the value it had, or null when it did not exist. */
  String remove(int version) {
    if (live instanceof VersionList list) {
      int index = list.indexOf(version);
      if (index < 0) {
        return null;
      }
      String value = unpack(list.removeAt(index));
      if (list.size() == 1) {
        onlyVersion = list.versionAt(0);
        live = list.valueAt(0);
      }
      return value;
    }
    if (live == null || version != onlyVersion) {
      return null;
    }
    String value = unpack(live);
    live = null;
    onlyVersion = 0;
    return value;
  }

  /** Removes every live version, telling {@code removed} about each, oldest first. */
  void removeAll(VersionConsumer removed) {
    forEach(removed);
    live = null;
    onlyVersion = 0;
  }

  /** Every live version with its value, oldest first. */
  void forEach(VersionConsumer action) {
    if (live instanceof VersionList list) {
      for (int i = 0; i < list.size(); i++) {
        action.accept(list.versionAt(i), unpack(list.valueAt(i)));
      }
    } else if (live != null) {
      action.accept(onlyVersion, unpack(live));
    }
  }

  int liveVersions() {
    if (live instanceof VersionList list) {
      return list.size();
    }
    return live == null ? 0 : 1;
  }

  int highestVersion() {
    return highestVersion;
  }

  private void add(int version, Object packed) {
    if (live == null) {
      onlyVersion = version;
      live = packed;
    } else if (live instanceof VersionList list) {
      list.append(version, packed);
    } else {
      VersionList list = new VersionList();
      list.append(onlyVersion, live);
      list.append(version, packed);
      live = list;
      onlyVersion = 0;
    }
  }

  /**
   * A value as stored: its chars as bytes when every char fits in one (ASCII and Latin-1 text, the
   * common case), which saves the String object (24 bytes); otherwise the String itself. Both give
   * back exactly the value they were made from, whatever it holds.
   */
  private static Object pack(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) > 0xFF) {
        return value;
      }
    }
    return value.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String unpack(Object packed) {
    return packed instanceof byte[] bytes
        ? new String(bytes, StandardCharsets.ISO_8859_1)
        : (String) packed;
  }

  /** Receives one live version. */
  @FunctionalInterface
  interface VersionConsumer {
    void accept(int version, String value);
  }
}
