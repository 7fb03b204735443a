package kvs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VersionedStoreTest {
  private final VersionedStore store = new VersionedStore();

  @Test
  void firstInsertGetsVersionOneAndEachFurtherTheNext() {
    assertEquals(1, store.put("chave1", "valor1"));
    assertEquals(2, store.put("chave1", "valor2"));
    assertEquals(3, store.put("chave1", "valor3"));
    assertEquals(1, store.put("chave2", "valor1"), "versions are per key");
  }

  @Test
  void keysAndValuesShorterThanThreeCodePointsAreRejectedAndChangeNothing() {
    assertEquals(-1, store.put("ab", "valor1"));
    assertEquals(-1, store.put("chave1", "ab"));
    assertEquals(-1, store.put("", "valor1"));
    assertEquals(-1, store.put(null, "valor1"));
    assertEquals(Optional.empty(), store.get("ab", 0));
    assertEquals(-1, store.remove("ab", 0));
    assertEquals(List.of(), store.snapshot(0));
    assertEquals(0, store.keyCount());
    assertEquals(1, store.put("chave1", "valor1"), "a rejected insert consumed no version");
  }

  @Test
  void lengthCountsCodePointsNotChars() {
    // Two emoji are four chars but only two code points.
    assertEquals(-1, store.put("\uD83D\uDE00\uD83D\uDE00", "valor"));
    assertEquals(1, store.put("a\uD83D\uDE00b", "x\uD83D\uDE00y"));
    assertEquals("x\uD83D\uDE00y", store.get("a\uD83D\uDE00b", 0).orElseThrow().value());
  }

  @Test
  void getWithoutVersionAnswersTheNewest() {
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    assertEquals(Optional.of(new Entry("chave1", "valor2", 2)), store.get("chave1", 0));
    assertEquals(Optional.of(new Entry("chave1", "valor2", 2)), store.get("chave1", -1));
  }

  @Test
  void getWithVersionAnswersTheGreatestVersionAtMostIt() {
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    store.put("chave1", "valor3");
    store.remove("chave1", 2);
    assertEquals(Optional.of(new Entry("chave1", "valor1", 1)), store.get("chave1", 1));
    assertEquals(Optional.of(new Entry("chave1", "valor1", 1)), store.get("chave1", 2));
    assertEquals(Optional.of(new Entry("chave1", "valor3", 3)), store.get("chave1", 1000));
  }

  @Test
  void getAnswersEmptyWhenNothingQualifies() {
    assertEquals(Optional.empty(), store.get("nokey", 0));
    store.put("chave1", "valor1");
    store.remove("chave1", 1);
    store.put("chave1", "valor2");
    assertEquals(Optional.empty(), store.get("chave1", 1), "no version that low");
  }

  @Test
  void removeOfOneVersionAnswersItOrMinusOne() {
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    assertEquals(1, store.remove("chave1", 1));
    assertEquals(-1, store.remove("chave1", 1), "already removed");
    assertEquals(-1, store.remove("chave1", 1000), "never existed");
    assertEquals(-1, store.remove("nokey", 1), "no such key");
    assertEquals(Optional.of(new Entry("chave1", "valor2", 2)), store.get("chave1", 0));
  }

  @Test
  void removeOfAllVersionsAnswersZeroOrMinusOneWhenNoneLeft() {
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    assertEquals(0, store.remove("chave1", 0));
    assertEquals(-1, store.remove("chave1", 0), "no versions left");
    assertEquals(-1, store.remove("chave1", -5), "negative means all too");
    assertEquals(-1, store.remove("nokey", 0));
    assertEquals(Optional.empty(), store.get("chave1", 0));
  }

  @Test
  void removedVersionNumbersAreNeverReused() {
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    store.remove("chave1", 0);
    assertEquals(3, store.put("chave1", "valor3"), "after removing all: highest ever + 1");
    store.remove("chave1", 3);
    assertEquals(4, store.put("chave1", "valor4"), "after removing the newest: still + 1");
  }

  @Test
  void snapshotAnswersEachKeyAtTheVersionInKeyOrder() {
    store.put("chave99", "valor111");
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    store.put("chave-aaa", "valor-aaa");
    store.put("chave99", "valor222");
    store.put("chave99", "valor333");
    assertEquals(
        List.of(
            new Entry("chave-aaa", "valor-aaa", 1),
            new Entry("chave1", "valor2", 2),
            new Entry("chave99", "valor333", 3)),
        store.snapshot(0));
    assertEquals(
        List.of(
            new Entry("chave-aaa", "valor-aaa", 1),
            new Entry("chave1", "valor2", 2),
            new Entry("chave99", "valor222", 2)),
        store.snapshot(2));
  }

  @Test
  void keyOrderIsJavaStringOrder() {
    // UTF-16 order, not code point order: U+1F600 (surrogates D83D DE00) sorts before U+FF21.
    store.put("\uFF21bc", "valor1");
    store.put("\uD83D\uDE00xy", "valor1");
    store.put("Zeta", "valor1");
    store.put("alfa", "valor1");
    List<String> expected = List.of("Zeta", "alfa", "\uD83D\uDE00xy", "\uFF21bc");
    assertEquals(expected, store.snapshot(0).stream().map(Entry::key).toList());
    assertEquals(expected, store.records().stream().map(KeyRecord::key).toList());
  }

  @Test
  void snapshotLeavesOutKeysWithoutSuchVersion() {
    store.put("chave1", "valor1");
    store.remove("chave1", 1);
    store.put("chave1", "valor2");
    store.put("chave2", "valor1");
    store.remove("chave2", 0);
    assertEquals(List.of(), store.snapshot(1));
    assertEquals(List.of(new Entry("chave1", "valor2", 2)), store.snapshot(0));
  }

  @Test
  void countsFollowInsertsAndRemoves() {
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    store.put("chave2", "valor1");
    assertEquals(2, store.keyCount());
    assertEquals(3, store.versionCount());
    store.remove("chave1", 1);
    assertEquals(2, store.versionCount());
    store.remove("chave2", 0);
    assertEquals(1, store.keyCount());
    assertEquals(1, store.versionCount());
  }

  @Test
  void inputRulesAcceptThreeCodePoints() {
    assertTrue(InputRules.isValid("abc"));
    assertFalse(InputRules.isValid("ab"));
    assertFalse(InputRules.isValid(null));
  }

  // --- digest, records() and of() ---

  private static KeyRecord record(String key, int highest, Object... versionValuePairs) {
    TreeMap<Integer, String> versions = new TreeMap<>();
    for (int i = 0; i < versionValuePairs.length; i += 2) {
      versions.put((Integer) versionValuePairs[i], (String) versionValuePairs[i + 1]);
    }
    return new KeyRecord(key, highest, versions);
  }

  /** A store with live keys, a key with a gap, and a tombstone. */
  private static VersionedStore mixedStore() {
    VersionedStore s = new VersionedStore();
    s.put("chave1", "valor1");
    s.put("chave1", "valor2");
    s.put("chave1", "valor3");
    s.remove("chave1", 2);
    s.put("chave2", "valor1");
    s.put("chave2", "valor2");
    s.remove("chave2", 0);
    s.put("chave3", "valor\u00e7\uD83D\uDE00");
    return s;
  }

  @Test
  void emptyStoreHasDigestZero() {
    assertEquals(0L, store.digest());
    assertEquals(0L, VersionedStore.of(List.of()).digest());
  }

  @Test
  void digestDoesNotDependOnInsertOrder() {
    VersionedStore ab = new VersionedStore();
    ab.put("chave-a", "valor-a");
    ab.put("chave-b", "valor-b");
    VersionedStore ba = new VersionedStore();
    ba.put("chave-b", "valor-b");
    ba.put("chave-a", "valor-a");
    assertEquals(ab.digest(), ba.digest());
  }

  @Test
  void digestIsEqualForTheSameContentReachedByDifferentPaths() {
    // Both end with only version 2 = "valor2" live and highest version 2.
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    store.remove("chave1", 1);
    VersionedStore other = new VersionedStore();
    other.put("chave1", "something-else");
    other.put("chave1", "valor2");
    other.remove("chave1", 1);
    other.put("chave9", "valor9");
    other.remove("chave9", 0);
    store.put("chave9", "first");
    store.remove("chave9", 1);
    assertEquals(store.snapshot(0), other.snapshot(0));
    assertEquals(store.digest(), other.digest());
  }

  @Test
  void theHighestVersionIsPartOfTheDigest() {
    VersionedStore neverInserted = new VersionedStore();
    store.put("chave1", "valor1");
    store.remove("chave1", 0);
    assertEquals(neverInserted.snapshot(0), store.snapshot(0));
    assertNotEquals(neverInserted.digest(), store.digest(), "a tombstone is state");

    // Same live version, different highest version.
    VersionedStore one = new VersionedStore();
    one.put("chave1", "valor1");
    VersionedStore oneOfTwo = new VersionedStore();
    oneOfTwo.put("chave1", "valor1");
    oneOfTwo.put("chave1", "valor2");
    oneOfTwo.remove("chave1", 2);
    assertEquals(one.snapshot(0), oneOfTwo.snapshot(0));
    assertNotEquals(one.digest(), oneOfTwo.digest());
  }

  @Test
  void digestTellsValuesVersionsAndKeysApart() {
    VersionedStore a = new VersionedStore();
    a.put("chave1", "valor1");
    VersionedStore b = new VersionedStore();
    b.put("chave1", "valor2");
    VersionedStore c = new VersionedStore();
    c.put("chave2", "valor1");
    assertNotEquals(a.digest(), b.digest());
    assertNotEquals(a.digest(), c.digest());
    // The same two values swapped between two keys.
    VersionedStore d = new VersionedStore();
    d.put("chave1", "valor1");
    d.put("chave2", "valor2");
    VersionedStore e = new VersionedStore();
    e.put("chave1", "valor2");
    e.put("chave2", "valor1");
    assertNotEquals(d.digest(), e.digest());
  }

  @Test
  void digestValuesStayTheSameAcrossBuilds() {
    // Servers of different builds compare digests in heartbeats: the value is part of the
    // contract between them, not only its equality. Computed with the first implementation.
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    store.put("chave1", "valor3");
    store.remove("chave1", 2);
    store.put("chave2", "valor1");
    store.remove("chave2", 0);
    store.put("chave3", "ol\u00e1 \u4e2d\uD83D\uDE00");
    assertEquals(0x23a592baacda755aL, store.digest());
  }

  @Test
  void digestChangesOnEverySuccessfulChangeAndOnlyThen() {
    Set<Long> seen = new HashSet<>();
    seen.add(store.digest());
    assertEquals(1, store.put("chave1", "valor1"));
    assertTrue(seen.add(store.digest()));
    assertEquals(2, store.put("chave1", "valor1"));
    assertTrue(seen.add(store.digest()), "same value again is a new version");
    assertEquals(1, store.put("chave2", "valor1"));
    assertTrue(seen.add(store.digest()));
    assertEquals(1, store.remove("chave1", 1));
    assertTrue(seen.add(store.digest()));
    assertEquals(0, store.remove("chave1", 0));
    assertTrue(seen.add(store.digest()));
    assertEquals(3, store.put("chave1", "valor1"));
    assertTrue(seen.add(store.digest()));

    long before = store.digest();
    assertEquals(-1, store.put("ab", "valor1"));
    assertEquals(-1, store.put("chave1", "ab"));
    assertEquals(-1, store.remove("chave1", 1));
    assertEquals(-1, store.remove("nokey", 0));
    assertEquals(-1, store.remove("chave2", 7));
    assertEquals(before, store.digest(), "failed requests change nothing");
  }

  @Test
  void recordsListEveryKeyInKeyOrderWithTombstones() {
    assertEquals(
        List.of(
            record("chave1", 3, 1, "valor1", 3, "valor3"),
            record("chave2", 2),
            record("chave3", 1, 1, "valor\u00e7\uD83D\uDE00")),
        mixedStore().records());
  }

  @Test
  void recordsAreCopies() {
    store.put("chave1", "valor1");
    store.put("chave2", "valor1");
    List<KeyRecord> taken = store.records();
    List<KeyRecord> expected =
        List.of(record("chave1", 1, 1, "valor1"), record("chave2", 1, 1, "valor1"));
    store.put("chave1", "valor2");
    store.remove("chave2", 0);
    store.put("chave3", "valor3");
    assertEquals(expected, taken);
    assertThrows(
        UnsupportedOperationException.class, () -> taken.get(0).versions().put(9, "valor9"));
  }

  @Test
  void ofRecordsRestoresTheWholeState() {
    VersionedStore original = mixedStore();
    VersionedStore restored = VersionedStore.of(original.records());
    assertEquals(original.digest(), restored.digest());
    assertEquals(original.records(), restored.records());
    assertEquals(original.snapshot(0), restored.snapshot(0));
    assertEquals(original.snapshot(2), restored.snapshot(2));
    assertEquals(original.keyCount(), restored.keyCount());
    assertEquals(original.versionCount(), restored.versionCount());
    assertEquals(2, restored.keyCount());
    assertEquals(3, restored.versionCount());
  }

  @Test
  void ofRecordsKeepsTheNeverReuseRule() {
    VersionedStore original = mixedStore();
    VersionedStore restored = VersionedStore.of(original.records());
    // chave2 had all its versions removed: the next version is still highest + 1.
    assertEquals(3, restored.put("chave2", "valor3"));
    assertEquals(3, original.put("chave2", "valor3"));
    // chave1's newest (3) is live, version 2 was removed.
    assertEquals(-1, restored.remove("chave1", 2));
    assertEquals(4, restored.put("chave1", "valor4"));
    assertEquals(4, original.put("chave1", "valor4"));
    assertEquals(1, restored.put("chave4", "valor1"));
    assertEquals(1, original.put("chave4", "valor1"));
    assertEquals(0, restored.remove("chave3", 0));
    assertEquals(0, original.remove("chave3", 0));
    assertEquals(original.digest(), restored.digest());
    assertEquals(original.records(), restored.records());
    assertEquals(original.keyCount(), restored.keyCount());
    assertEquals(original.versionCount(), restored.versionCount());
  }

  @Test
  void ofRecordsGivesTheSameDigestAsBuildingByOperations() {
    VersionedStore built = new VersionedStore();
    built.put("chave1", "valor1");
    built.put("chave1", "valor2");
    built.remove("chave1", 1);
    built.put("chave2", "valor1");
    built.remove("chave2", 0);
    VersionedStore fromRecords =
        VersionedStore.of(List.of(record("chave1", 2, 2, "valor2"), record("chave2", 1)));
    assertEquals(built.digest(), fromRecords.digest());
  }

  @Test
  void ofRejectsAKeyTwice() {
    List<KeyRecord> twice = List.of(record("chave1", 1, 1, "valor1"), record("chave1", 2));
    assertThrows(IllegalArgumentException.class, () -> VersionedStore.of(twice));
  }

  @Test
  void keyRecordRejectsAVersionAboveTheHighest() {
    assertThrows(IllegalArgumentException.class, () -> record("chave1", 1, 2, "valor2"));
  }

  @Test
  void putFailsWhenTheVersionSpaceIsExhausted() {
    VersionedStore full =
        VersionedStore.of(List.of(record("chave1", Integer.MAX_VALUE, 5, "valor5")));
    long digest = full.digest();
    assertEquals(-1, full.put("chave1", "valor6"));
    assertEquals(digest, full.digest());
    assertEquals(1, full.keyCount());
    assertEquals(1, full.versionCount());
    assertEquals(0, full.remove("chave1", 0));
    assertEquals(-1, full.put("chave1", "valor6"), "removing does not free version numbers");
    assertEquals(0, full.keyCount());
  }

  @Test
  void countsAreExactAfterMixedOperations() {
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    store.put("chave2", "valor1");
    store.put("chave3", "valor1");
    store.remove("chave1", 1);
    store.remove("chave1", 2); // chave1 now has no live version
    assertEquals(2, store.keyCount());
    assertEquals(2, store.versionCount());
    store.remove("chave1", 0); // fails: nothing left
    store.remove("chave2", 5); // fails: no such version
    store.put("xx", "valor1"); // fails: key too short
    assertEquals(2, store.keyCount());
    assertEquals(2, store.versionCount());
    store.put("chave1", "valor3"); // the key comes back
    store.put("chave2", "valor2");
    assertEquals(3, store.keyCount());
    assertEquals(4, store.versionCount());
    store.remove("chave2", 0);
    store.remove("chave3", 0);
    assertEquals(1, store.keyCount());
    assertEquals(1, store.versionCount());
  }

  @Test
  void replaceMakesARecordTheWholeTruthAboutItsKey() {
    store.put("chave1", "valor1");
    store.put("chave1", "valor2");
    store.put("chave2", "valor1");
    SnapshotCursor cursor = store.openCursor(0);
    TreeMap<Integer, String> versions = new TreeMap<>();
    versions.put(5, "valor5");
    KeyRecord replacement = new KeyRecord("chave1", 6, versions);

    store.replace(replacement);
    store.replace(new KeyRecord("chave3", 2, new TreeMap<>())); // a key only ever removed

    VersionedStore expected =
        VersionedStore.of(
            List.of(
                replacement,
                store.record("chave2").orElseThrow(),
                new KeyRecord("chave3", 2, new TreeMap<>())));
    assertEquals(expected.digest(), store.digest());
    assertEquals(expected.records(), store.records());
    assertEquals(2, store.keyCount());
    assertEquals(2, store.versionCount());
    assertEquals(
        7, store.put("chave1", "valor7"), "numbering goes on from the record's highest version");
    assertEquals(3, store.put("chave3", "valor3"));
    assertEquals(
        "valor2", cursor.next(10).get(0).value(), "an open snapshot still sees the old content");
  }
}
