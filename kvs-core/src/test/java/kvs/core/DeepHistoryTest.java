package kvs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Histories of many versions, and the moves between one live version, several, and none. */
class DeepHistoryTest {
  private static final String KEY = "chave1";
  private static final int DEPTH = 100_000;

  private final VersionedStore store = new VersionedStore();

  @Test
  void aHundredThousandVersionsOfOneKeyWithRemovalsInTheMiddle() {
    for (int v = 1; v <= DEPTH; v++) {
      assertEquals(v, store.put(KEY, "valor" + v));
    }
    TreeMap<Integer, String> expected = new TreeMap<>();
    for (int v = 1; v <= DEPTH; v++) {
      if (v % 3 == 0 || (v > 40_000 && v <= 60_000)) {
        assertEquals(v, store.remove(KEY, v));
      } else {
        expected.put(v, "valor" + v);
      }
    }
    assertEquals(-1, store.remove(KEY, 3), "already removed");
    assertEquals(expected.size(), store.versionCount());

    // Every boundary: each version, removed or live, and the ones around the ends.
    for (int v = 0; v <= DEPTH + 1; v++) {
      Map.Entry<Integer, String> floor = v == 0 ? expected.lastEntry() : expected.floorEntry(v);
      assertEquals(
          Optional.of(new Entry(KEY, floor.getValue(), floor.getKey())),
          store.get(KEY, v),
          "at " + v);
    }
    assertEquals(new Entry(KEY, "valor40000", 40_000), store.get(KEY, 59_999).orElseThrow());
    assertEquals(Optional.of(new Entry(KEY, "valor100000", DEPTH)), store.get(KEY, -1));
    assertEquals(List.of(new KeyRecord(KEY, DEPTH, expected)), store.records());
    assertEquals(VersionedStore.of(store.records()).digest(), store.digest());
  }

  @Test
  void removingEveryVersionOfADeepHistoryKeepsTheNeverReuseRule() {
    for (int v = 1; v <= DEPTH; v++) {
      store.put(KEY, "valor" + v);
    }
    long digestOfTombstone = tombstone(DEPTH).digest();
    assertEquals(0, store.remove(KEY, 0));
    assertEquals(0, store.versionCount());
    assertEquals(0, store.keyCount());
    assertEquals(Optional.empty(), store.get(KEY, 0));
    assertEquals(digestOfTombstone, store.digest());
    assertEquals(DEPTH + 1, store.put(KEY, "again"));
  }

  @Test
  void removingOneByOneFromTheTopAndTheBottomDownToNothing() {
    for (int v = 1; v <= 1000; v++) {
      store.put(KEY, "valor" + v);
    }
    for (int low = 1, high = 1000; low <= high; low++, high--) {
      assertEquals(high, store.remove(KEY, high));
      if (low < high) {
        assertEquals(low, store.remove(KEY, low));
      }
      int left = Math.max(0, high - low - 1);
      assertEquals(left, store.versionCount());
      if (left > 0) {
        assertEquals(
            new Entry(KEY, "valor" + (high - 1), high - 1), store.get(KEY, 0).orElseThrow());
        assertEquals(
            new Entry(KEY, "valor" + (low + 1), low + 1), store.get(KEY, low + 1).orElseThrow());
        assertEquals(Optional.empty(), store.get(KEY, low));
      }
    }
    assertEquals(Optional.empty(), store.get(KEY, 0));
    assertEquals(tombstone(1000).digest(), store.digest());
    assertEquals(1001, store.put(KEY, "again"));
  }

  @Test
  void fromOneVersionToSeveralAndBack() {
    store.put(KEY, "valor1");
    store.put(KEY, "valor2");
    store.put(KEY, "valor3");
    assertEquals(2, store.remove(KEY, 2));
    assertEquals(3, store.remove(KEY, 3)); // one left: 1
    assertEquals(Optional.of(new Entry(KEY, "valor1", 1)), store.get(KEY, 5));
    assertEquals(4, store.put(KEY, "valor4"));
    assertEquals(1, store.remove(KEY, 1)); // one left: 4
    assertEquals(Optional.empty(), store.get(KEY, 3));
    assertEquals(Optional.of(new Entry(KEY, "valor4", 4)), store.get(KEY, 4));
    assertEquals(-1, store.remove(KEY, 1));
    assertEquals(4, store.remove(KEY, 4)); // none left
    assertEquals(Optional.empty(), store.get(KEY, 0));
    assertEquals(-1, store.remove(KEY, 0));
    assertEquals(5, store.put(KEY, "valor5"));
    assertEquals(
        List.of(new KeyRecord(KEY, 5, new TreeMap<>(Map.of(5, "valor5")))), store.records());
  }

  @Test
  void valuesComeBackExactlyWhateverTheyHold() {
    List<String> values =
        List.of(
            "valor",
            "ol\u00e1 \u00e7\u00e3o \u00ff",
            "\u4e2d\u6587\u5b57",
            "a\uD83D\uDE00b",
            "\uD800lone",
            "nul\u0000x");
    for (String value : values) {
      int version = store.put(KEY, value);
      assertEquals(value, store.get(KEY, version).orElseThrow().value());
    }
    VersionedStore copy = VersionedStore.of(store.records());
    assertEquals(store.digest(), copy.digest());
    for (int v = 1; v <= values.size(); v++) {
      assertEquals(v, store.remove(KEY, v));
    }
    assertEquals(
        tombstone(values.size()).digest(),
        store.digest(),
        "each removal took back what its put added");
  }

  /** Random operations on a few keys against a plain sorted map per key, the obvious model. */
  @Test
  void randomOperationsAgreeWithAPlainModel() {
    Random random = new Random(42);
    Map<String, TreeMap<Integer, String>> model = new TreeMap<>();
    Map<String, Integer> highest = new TreeMap<>();
    for (int step = 0; step < 50_000; step++) {
      String key = "key" + random.nextInt(5);
      TreeMap<Integer, String> versions = model.computeIfAbsent(key, k -> new TreeMap<>());
      int top = highest.getOrDefault(key, 0);
      int choice = random.nextInt(10);
      if (choice < 6) {
        String value = "val" + step;
        assertEquals(top + 1, store.put(key, value));
        versions.put(top + 1, value);
        highest.put(key, top + 1);
      } else if (choice < 9) {
        int version = 1 + random.nextInt(top + 1);
        assertEquals(versions.remove(version) != null ? version : -1, store.remove(key, version));
      } else {
        assertEquals(versions.isEmpty() ? -1 : 0, store.remove(key, 0));
        versions.clear();
      }
      int at = random.nextInt(top + 3) - 1;
      Map.Entry<Integer, String> floor = at <= 0 ? versions.lastEntry() : versions.floorEntry(at);
      assertEquals(
          Optional.ofNullable(floor).map(e -> new Entry(key, e.getValue(), e.getKey())),
          store.get(key, at),
          "step " + step);
    }
    assertEquals(model.values().stream().mapToLong(Map::size).sum(), store.versionCount());
    assertEquals(model.values().stream().filter(v -> !v.isEmpty()).count(), store.keyCount());
    assertEquals(VersionedStore.of(store.records()).digest(), store.digest());
  }

  @Test
  void aVersionListKeepsItsOrderRule() {
    VersionList list = new VersionList();
    list.append(5, "five");
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> list.append(5, "again"));
    assertEquals(-1, list.floorIndex(4));
    assertEquals(0, list.floorIndex(Integer.MAX_VALUE));
    assertEquals(-1, list.indexOf(4));
    assertNull(new KeyHistory().find(KEY, 0));
  }

  /** A store whose only key had versions 1..highest, all removed. */
  private static VersionedStore tombstone(int highest) {
    return VersionedStore.of(List.of(new KeyRecord(KEY, highest, new TreeMap<>())));
  }
}
