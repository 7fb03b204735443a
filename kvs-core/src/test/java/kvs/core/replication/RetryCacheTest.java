package kvs.core.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryCacheTest {
  private static final Duration WINDOW = Duration.ofSeconds(60);
  private static final long T0 = 1_700_000_000_000L;

  private final RetryCache cache = new RetryCache(WINDOW, 1_000);

  @Test
  void aRememberedIdAnswersItsFirstResultAndAnUnknownOneNothing() {
    cache.advance(T0);
    assertTrue(cache.remember("req-1", 7));
    assertEquals(OptionalInt.of(7), cache.answer("req-1"));
    assertEquals(OptionalInt.empty(), cache.answer("req-2"));
    assertFalse(cache.remember("req-1", 9), "the first answer stays");
    assertEquals(OptionalInt.of(7), cache.answer("req-1"));
    assertEquals(List.of(RecentRequest.of("req-1", 7, T0)), cache.entries());
  }

  @Test
  void anIdExpiresOnlyWhenStreamTimeIsMoreThanTheWindowPastIt() {
    cache.advance(T0);
    cache.remember("req-1", 1);
    cache.advance(T0 + WINDOW.toMillis());
    assertEquals(
        OptionalInt.of(1), cache.answer("req-1"), "exactly at the window's edge: still remembered");
    cache.advance(T0 + WINDOW.toMillis() + 1);
    assertEquals(OptionalInt.empty(), cache.answer("req-1"));
    assertEquals(0, cache.size());
  }

  @Test
  void streamTimeNeverGoesBackAndZeroDoesNotMoveIt() {
    cache.advance(T0);
    cache.advance(ReplicationMessage.NO_TIMESTAMP);
    assertEquals(T0, cache.streamTime());
    cache.advance(T0 - 5_000);
    assertEquals(T0, cache.streamTime());
    cache.remember("req-1", 1);
    assertEquals(
        T0,
        cache.entries().get(0).time(),
        "an entry takes the stream time, not an earlier message's");
  }

  @Test
  void withoutTimestampsNothingExpires() {
    for (int i = 0; i < 500; i++) {
      cache.remember("r" + i, i);
    }
    assertEquals(500, cache.size());
    assertEquals(0, cache.streamTime());
    assertEquals(OptionalInt.of(0), cache.answer("r0"));
  }

  @Test
  void entriesFromBeforeTheFirstTimestampGetAWholeWindowFromIt() {
    cache.remember("before", 1);
    cache.advance(T0);
    cache.remember("after", 2);
    assertEquals(
        List.of(RecentRequest.of("before", 1, T0), RecentRequest.of("after", 2, T0)),
        cache.entries());
    cache.advance(T0 + WINDOW.toMillis());
    assertEquals(OptionalInt.of(1), cache.answer("before"));
    cache.advance(T0 + WINDOW.toMillis() + 1);
    assertEquals(0, cache.size());
  }

  @Test
  void expiryIsFirstInFirstOutInApplicationOrder() {
    for (int i = 0; i < 10; i++) {
      cache.advance(T0 + i * 1_000L);
      cache.remember("r" + i, i);
    }
    cache.advance(T0 + 3_000 + WINDOW.toMillis() + 1);
    for (int i = 0; i < 10; i++) {
      assertEquals(
          i <= 3 ? OptionalInt.empty() : OptionalInt.of(i), cache.answer("r" + i), "r" + i);
    }
    List<RecentRequest> entries = cache.entries();
    assertEquals(6, entries.size());
    assertEquals(RecentRequest.of("r4", 4, T0 + 4_000), entries.get(0));
    assertEquals(RecentRequest.of("r9", 9, T0 + 9_000), entries.get(5));
  }

  @Test
  void beyondTheCapTheOldestGoEvenInsideTheWindow() {
    RetryCache small = new RetryCache(WINDOW, 3);
    small.advance(T0);
    for (int i = 0; i < 5; i++) {
      small.remember("r" + i, i);
    }
    assertEquals(3, small.size());
    assertEquals(OptionalInt.empty(), small.answer("r0"));
    assertEquals(OptionalInt.empty(), small.answer("r1"));
    assertEquals(OptionalInt.of(2), small.answer("r2"));
    assertEquals(OptionalInt.of(4), small.answer("r4"));
    assertEquals(
        List.of(
            RecentRequest.of("r2", 2, T0),
            RecentRequest.of("r3", 3, T0),
            RecentRequest.of("r4", 4, T0)),
        small.entries());
  }

  @Test
  void growsFarBeyondItsFirstArraysAndKeepsEveryEntryInOrder() {
    RetryCache big = new RetryCache(WINDOW, 4_000_000);
    big.advance(T0);
    // Some expired first, so that the ring wraps before it grows.
    for (int i = 0; i < 1_000; i++) {
      big.remember("early" + i, i);
    }
    big.advance(T0 + WINDOW.toMillis());
    for (int i = 0; i < 200_000; i++) {
      big.remember("r" + i, i);
      if (i == 10) {
        big.advance(T0 + WINDOW.toMillis() + 1); // the early ones go
      }
    }
    assertEquals(200_000, big.size());
    for (int i = 0; i < 200_000; i++) {
      assertEquals(OptionalInt.of(i), big.answer("r" + i));
    }
    assertEquals(OptionalInt.empty(), big.answer("early0"));
    List<RecentRequest> entries = big.entries();
    assertEquals(RecentRequest.of("r0", 0, T0 + WINDOW.toMillis()), entries.get(0));
    assertEquals(
        RecentRequest.of("r199999", 199_999, T0 + WINDOW.toMillis() + 1), entries.get(199_999));
  }

  /** The cache against a plain model: a LinkedHashMap in application order, pruned the same way. */
  @Test
  void agreesWithAReferenceModelUnderManyInsertsAndExpiries() {
    Random random = new Random(20240611L);
    int cap = 3_000;
    long windowMillis = 5_000;
    RetryCache subject = new RetryCache(Duration.ofMillis(windowMillis), cap);
    Map<String, long[]> model = new LinkedHashMap<>(); // id -> {result, time}
    long time = 0;
    for (int step = 0; step < 400_000; step++) {
      int choice = random.nextInt(100);
      if (choice < 3) {
        // Sometimes forward (by up to a window), sometimes back or a message without a timestamp.
        long next = random.nextInt(4) == 0 ? 0 : time + random.nextInt((int) windowMillis) - 500;
        subject.advance(next);
        if (next > time) {
          if (time == 0) {
            for (long[] entry : model.values()) {
              entry[1] = entry[1] == 0 ? next : entry[1];
            }
          }
          time = next;
          for (Iterator<long[]> it = model.values().iterator(); it.hasNext(); ) {
            if (time - it.next()[1] <= windowMillis) {
              break;
            }
            it.remove();
          }
        }
      } else {
        // A small id space, so that ids come back while remembered and after they are gone.
        String id = "req-" + random.nextInt(8_000);
        if (choice < 60) {
          int result = random.nextInt(1_000) - 1;
          boolean known = model.containsKey(id);
          assertEquals(!known, subject.remember(id, result), id);
          if (!known) {
            if (model.size() == cap) {
              Iterator<String> oldest = model.keySet().iterator();
              oldest.next();
              oldest.remove();
            }
            model.put(id, new long[] {result, time});
          }
        } else {
          long[] expected = model.get(id);
          assertEquals(
              expected == null ? OptionalInt.empty() : OptionalInt.of((int) expected[0]),
              subject.answer(id));
        }
      }
      assertEquals(model.size(), subject.size());
    }
    assertEquals(time, subject.streamTime());
    List<RecentRequest> expected = new ArrayList<>();
    model.forEach((id, entry) -> expected.add(RecentRequest.of(id, (int) entry[0], entry[1])));
    assertEquals(expected, subject.entries());
    for (int i = 0; i < 8_000; i++) {
      long[] entry = model.get("req-" + i);
      assertEquals(
          entry == null ? OptionalInt.empty() : OptionalInt.of((int) entry[0]),
          subject.answer("req-" + i));
    }
  }

  @Test
  void ofRestoresEntriesAndStreamTimeAndDropsWhatNoLongerFits() {
    cache.advance(T0);
    cache.remember("a", 1);
    cache.advance(T0 + 10_000);
    cache.remember("b", 2);
    cache.remember("c", 3);
    RetryCache copy = RetryCache.of(WINDOW, 1_000, cache.streamTime(), cache.entries());
    assertEquals(cache.entries(), copy.entries());
    assertEquals(cache.streamTime(), copy.streamTime());
    assertEquals(OptionalInt.of(1), copy.answer("a"));

    RetryCache narrower =
        RetryCache.of(Duration.ofSeconds(5), 1_000, cache.streamTime(), cache.entries());
    assertEquals(OptionalInt.empty(), narrower.answer("a"), "outside the narrower window");
    assertEquals(OptionalInt.of(2), narrower.answer("b"));
    RetryCache smaller = RetryCache.of(WINDOW, 2, cache.streamTime(), cache.entries());
    assertEquals(
        List.of(RecentRequest.of("b", 2, T0 + 10_000), RecentRequest.of("c", 3, T0 + 10_000)),
        smaller.entries());

    List<RecentRequest> twice =
        List.of(RecentRequest.of("a", 1, T0), RecentRequest.of("a", 5, T0 + 1));
    assertEquals(
        List.of(twice.get(0)),
        RetryCache.of(WINDOW, 10, T0, twice).entries(),
        "the first answer wins");
  }

  @Test
  void rejectsNonsenseParameters() {
    assertThrows(IllegalArgumentException.class, () -> new RetryCache(Duration.ofSeconds(-1), 10));
    assertThrows(IllegalArgumentException.class, () -> new RetryCache(WINDOW, 0));
    assertThrows(IllegalArgumentException.class, () -> RetryCache.of(WINDOW, 10, -1, List.of()));
  }

  // --- the fingerprint ---

  /**
   * MurmurHash3 x64 128 reference values, as its canonical 16 bytes (h1 then h2, little-endian).
   */
  @Test
  void fingerprintIsMurmur3x64x128() {
    assertEquals("00000000000000000000000000000000", canonical(""));
    assertEquals("029bbd41b3a7d8cb191dae486a901e5b", canonical("hello"));
    assertEquals("6778ad3f3f3f96b4522dca264174a23b", canonical("abc"));
    assertEquals(
        "6c1b07bc7bbc4be347939ac4a93c437a",
        canonical("The quick brown fox jumps over the lazy dog"));
    assertEquals(
        "9a2685ff70a98c653e5c8ea6eae3fe43",
        canonical("The quick brown fox jumps over the lazy cog"));
  }

  private static String canonical(String text) {
    RequestFingerprint f = RequestFingerprint.murmur3x64x128(text.getBytes(UTF_8));
    return String.format("%016x%016x", Long.reverseBytes(f.high()), Long.reverseBytes(f.low()));
  }

  @Test
  void fingerprintHexRoundTripsAndRejectsAnythingElse() {
    RequestFingerprint id = RequestFingerprint.of("req-\u00e7-\uD83D\uDE00");
    assertEquals(32, id.toHex().length());
    assertEquals(id, RequestFingerprint.parseHex(id.toHex()));
    assertEquals(id, RequestFingerprint.parseHex(id.toHex().toUpperCase(java.util.Locale.ROOT)));
    assertEquals(
        new RequestFingerprint(-1, 1),
        RequestFingerprint.parseHex("ffffffffffffffff0000000000000001"));
    for (String bad :
        List.of(
            "",
            "abc",
            "ffffffffffffffff000000000000000",
            "ffffffffffffffff00000000000000011",
            "gfffffffffffffff0000000000000001",
            "+fffffffffffffff0000000000000001",
            "ffffffffffffffff-000000000000001")) {
      assertThrows(IllegalArgumentException.class, () -> RequestFingerprint.parseHex(bad), bad);
    }
  }

  @Test
  void truncatingToAMarkAndReplayingAnothersEntriesGivesTheOthersCache() {
    RetryCache ours = new RetryCache(Duration.ofMillis(100), 1000);
    RetryCache theirs = new RetryCache(Duration.ofMillis(100), 1000);
    for (RetryCache cache : List.of(ours, theirs)) {
      cache.advance(1_000);
      cache.remember("shared-1", 1);
      cache.remember("shared-2", 2);
    }
    long mark = ours.added();
    assertEquals(ours.digest(), theirs.digest());
    ours.advance(1_150); // expires both shared ones
    ours.remember("ours-only", 7);
    theirs.advance(1_050);
    theirs.remember("theirs-1", 3);
    theirs.advance(1_200);
    theirs.remember("theirs-2", 4);

    ours.truncateTo(mark);
    ours.replay(theirs.addedSince(mark));
    ours.advance(theirs.streamTime());

    assertEquals(theirs.entries(), ours.entries());
    assertEquals(theirs.digest(), ours.digest());
    assertTrue(ours.answer("ours-only").isEmpty());
    assertEquals(4, ours.answer("theirs-2").getAsInt());
  }

  @Test
  void theDigestFollowsTheContentAndStreamTime() {
    RetryCache one = new RetryCache(Duration.ofSeconds(60), 1000);
    RetryCache other = new RetryCache(Duration.ofSeconds(60), 1000);
    one.remember("id", 1);
    other.remember("id", 2);
    assertFalse(one.digest() == other.digest(), "another answer");
    RetryCache later = new RetryCache(Duration.ofSeconds(60), 1000);
    later.remember("id", 1);
    later.advance(5);
    assertFalse(one.digest() == later.digest(), "another stream time");
  }
}
