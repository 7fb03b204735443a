package kvs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A cursor answers the snapshot as of its opening, whatever changes between its pages. */
class SnapshotCursorTest {
  private final VersionedStore store = new VersionedStore();

  private static String key(int n) {
    return String.format("key%04d", n);
  }

  /** key0000..key0099; even keys have versions 1 and 2, odd keys only version 2 (1 removed). */
  private void fill() {
    for (int n = 0; n < 100; n++) {
      store.put(key(n), "first" + n);
      store.put(key(n), "second" + n);
      if (n % 2 == 1) {
        store.remove(key(n), 1);
      }
    }
  }

  /** Reads what is left of {@code cursor} in pages of {@code page}, changing nothing. */
  private static List<Entry> rest(SnapshotCursor cursor, int page) {
    List<Entry> entries = new ArrayList<>();
    while (!cursor.isDone()) {
      List<Entry> next = cursor.next(page);
      assertTrue(next.size() <= page);
      entries.addAll(next);
    }
    return entries;
  }

  @Test
  void anEmptyStoreGivesNothing() {
    try (SnapshotCursor cursor = store.openCursor(0)) {
      assertEquals(List.of(), cursor.next(10));
      assertTrue(cursor.isDone());
      assertEquals(List.of(), cursor.next(10));
    }
  }

  @Test
  void pagesTogetherAreTheSnapshotInKeyOrder() {
    fill();
    for (int version : new int[] {-3, 0, 1, 2, 5}) {
      for (int page : new int[] {1, 7, 100, 1000}) {
        try (SnapshotCursor cursor = store.openCursor(version)) {
          assertEquals(
              store.snapshot(version),
              rest(cursor, page),
              "version " + version + ", pages of " + page);
        }
      }
    }
  }

  @Test
  void aPageLooksAtNoMoreKeysThanItsSize() {
    fill();
    try (SnapshotCursor cursor = store.openCursor(1)) {
      // Only even keys have a version <= 1: ten keys looked at give five entries.
      assertEquals(5, cursor.next(10).size());
      assertFalse(cursor.isDone());
    }
  }

  @Test
  void changesBetweenPagesAreInvisible() {
    fill();
    List<Entry> newestAtOpen = store.snapshot(0);
    List<Entry> firstAtOpen = store.snapshot(1);
    try (SnapshotCursor newest = store.openCursor(0);
        SnapshotCursor first = store.openCursor(1)) {
      List<Entry> newestSeen = new ArrayList<>(newest.next(10)); // up to key0009
      List<Entry> firstSeen = new ArrayList<>(first.next(10));

      store.put(key(5), "behind"); // already passed
      store.put(key(20), "ahead"); // a new version ahead
      store.put(key(20), "ahead-again");
      assertEquals(2, store.remove(key(30), 2)); // one version ahead
      assertEquals(1, store.remove(key(40), 1)); // the version the "first" cursor wants
      assertEquals(0, store.remove(key(50), 0)); // every version ahead
      assertEquals(0, store.remove(key(60), 0)); // every version, then back
      store.put(key(60), "back");
      store.put("key0070-new", "created"); // a key created ahead
      store.put("key0080-new", "created");
      store.remove("key0080-new", 0); // created and emptied
      store.put("key0000-new", "created"); // a key created behind
      store.put("zzz-last", "created"); // after every key

      newestSeen.addAll(rest(newest, 10));
      firstSeen.addAll(rest(first, 3));
      assertEquals(newestAtOpen, newestSeen);
      assertEquals(firstAtOpen, firstSeen);
    }
  }

  @Test
  void changesAtThePageBoundaryKeyAreInvisibleToo() {
    fill();
    List<Entry> atOpen = store.snapshot(0);
    try (SnapshotCursor cursor = store.openCursor(0)) {
      List<Entry> seen = new ArrayList<>(cursor.next(10));
      assertEquals(key(9), seen.get(seen.size() - 1).key());
      store.put(key(9), "passed"); // the last key read
      store.put(key(10), "next"); // the first key of the next page
      store.put(key(9) + "a", "between"); // a new key between the two
      seen.addAll(rest(cursor, 10));
      assertEquals(atOpen, seen);
    }
  }

  @Test
  void cursorsOpenedAtDifferentTimesEachSeeTheirOwnMoment() {
    Random random = new Random(7);
    fill();
    List<SnapshotCursor> cursors = new ArrayList<>();
    List<List<Entry>> expected = new ArrayList<>();
    List<List<Entry>> seen = new ArrayList<>();
    for (int round = 0; round < 200; round++) {
      if (round % 40 == 0) {
        int version = random.nextInt(4) - 1;
        expected.add(store.snapshot(version));
        cursors.add(store.openCursor(version));
        seen.add(new ArrayList<>());
      }
      for (int i = 0; i < cursors.size(); i++) {
        seen.get(i).addAll(cursors.get(i).next(1 + random.nextInt(5)));
      }
      for (int change = 0; change < 5; change++) {
        String key = key(random.nextInt(120)) + (random.nextInt(4) == 0 ? "x" : "");
        switch (random.nextInt(3)) {
          case 0 -> store.put(key, "round" + round);
          case 1 -> store.remove(key, 1 + random.nextInt(4));
          default -> store.remove(key, 0);
        }
      }
    }
    for (int i = 0; i < cursors.size(); i++) {
      seen.get(i).addAll(rest(cursors.get(i), 4));
      assertEquals(expected.get(i), seen.get(i), "cursor " + i);
      cursors.get(i).close();
    }
    assertEquals(0, store.openCursorCount());
  }

  @Test
  void closingForgetsTheCursor() {
    fill();
    SnapshotCursor a = store.openCursor(0);
    SnapshotCursor b = store.openCursor(0);
    assertEquals(2, store.openCursorCount());
    a.next(10);
    a.close();
    assertEquals(1, store.openCursorCount());
    assertTrue(a.isDone(), "a closed cursor answers no more");
    assertEquals(List.of(), a.next(10));
    a.close();
    assertEquals(1, store.openCursorCount(), "closing twice is harmless");
    rest(b, 50);
    assertEquals(1, store.openCursorCount(), "a cursor read to its end stays open until closed");
    b.close();
    assertEquals(0, store.openCursorCount());
  }

  @Test
  void aPageHasAtLeastOneEntrySlot() {
    try (SnapshotCursor cursor = store.openCursor(0)) {
      assertThrows(IllegalArgumentException.class, () -> cursor.next(0));
    }
  }
}
