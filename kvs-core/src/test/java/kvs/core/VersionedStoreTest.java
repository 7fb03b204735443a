package kvs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
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
}
