package kvs.core.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import kvs.core.Mix64;

/**
 * The request ids a {@link StateMachine} applied recently, with their answers, so that a retried
 * write answers the first result instead of writing again (Raft dissertation §6.3; Apache Ratis's
 * {@code RetryCache}; RIFL). Deterministic, and nothing in it reads a clock: time is <em>stream
 * time</em>, the highest {@link ReplicationMessage#timestamp()} applied so far ({@link #advance});
 * it never goes back, and messages without a timestamp do not move it. Every server applies the
 * same stream, so every server remembers and forgets the same ids at the same point. Not
 * thread-safe.
 *
 * <p>An id is remembered from its first application until stream time has moved more than the
 * window past that application; an id seen again after that is new (the documented limit: a client
 * retries for less than the window). Entries leave oldest first, in application order: when the
 * oldest has expired, or when a new entry would make more than {@code maxEntries} (the oldest goes,
 * even if still inside the window). A stream whose messages carry no timestamps keeps entries until
 * that cap pushes them out; when the first timestamp comes, the entries remembered before it count
 * as applied at that time (an upgrade from a version without timestamps keeps its remembered ids
 * for a whole window).
 *
 * <p>Compact: no object per entry. An id is kept as its 128-bit {@link RequestFingerprint}. A ring
 * of parallel arrays (fingerprint high and low, stream time, result) holds the entries in
 * application order; an open-addressing table (linear probing, backward-shift deletion) of int ring
 * positions, at most 3/4 full, finds an entry by fingerprint. Both grow by doubling as needed, the
 * ring never beyond {@code maxEntries}; neither shrinks. That is 28 bytes per ring slot and 4 per
 * table slot. Measured with {@code RetryCacheFootprint} (live heap, JDK 17, serial GC): 35.7 bytes
 * per entry with 1,000,000 entries, 42.9 with 3,000,000 (ring and table just grown); at the default
 * cap of 4,000,000 entries (ring exactly full, 8,388,608 table slots) 143.5 MB, 35.9 bytes per
 * entry, and never more. 60 s at 45,000 writes/s is 2,700,000 entries.
 */
public final class RetryCache {
  /** A table slot that holds no entry. */
  private static final int EMPTY = -1;

  private static final int INITIAL_CAPACITY = 16;

  private final long windowMillis;
  private final int maxEntries;
  private long streamTime;

  // The ring: entry i (0 the oldest) is at (head + i) % highs.length.
  private long[] highs;
  private long[] lows;
  private long[] times;
  private int[] results;
  private int head;
  private int size;

  // For repairs from a peer's recent history (see addedSince and truncateTo): how many entries
  // were ever added, how many the cap pushed out, and the sum of every kept entry's term.
  private long added;
  private long capEvictions;
  private long digest;

  // The table: each slot holds the ring position of one entry, or EMPTY. A power of two long.
  private int[] slots;

  /**
   * An empty cache at stream time 0.
   *
   * @param window how long past its first application (in stream time) an id is remembered
   * @param maxEntries the most entries kept; the oldest go beyond it
   */
  public RetryCache(Duration window, int maxEntries) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("the window must not be negative: " + window);
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1: " + maxEntries);
    }
    this.windowMillis = window.toMillis();
    this.maxEntries = maxEntries;
    int capacity = Math.min(INITIAL_CAPACITY, maxEntries);
    highs = new long[capacity];
    lows = new long[capacity];
    times = new long[capacity];
    results = new int[capacity];
    slots = emptySlots(INITIAL_CAPACITY * 2);
  }

  /**
   * A cache at {@code streamTime} holding {@code entries} (oldest first), as {@link #entries()}
   * gave them; what the window or the cap no longer allows is left out, and a fingerprint seen
   * twice keeps its first entry.
   */
  public static RetryCache of(
      Duration window, int maxEntries, long streamTime, List<RecentRequest> entries) {
    if (streamTime < 0) {
      throw new IllegalArgumentException("streamTime must be >= 0: " + streamTime);
    }
    RetryCache cache = new RetryCache(window, maxEntries);
    cache.streamTime = streamTime;
    for (RecentRequest entry : entries) {
      cache.add(entry.idHigh(), entry.idLow(), entry.result(), entry.time());
    }
    cache.expire();
    return cache;
  }

  /** How long past its first application an id is remembered. */
  public Duration window() {
    return Duration.ofMillis(windowMillis);
  }

  /** The most entries kept. */
  public int maxEntries() {
    return maxEntries;
  }

  /** Stream time, in ms since the epoch: the highest message timestamp applied; 0 before any. */
  public long streamTime() {
    return streamTime;
  }

  /** How many entries are kept. */
  public int size() {
    return size;
  }

  /** How many entries were ever added: the newest kept entry is the {@code added()}-th. */
  public long added() {
    return added;
  }

  /** How many entries the cap pushed out before their window ended. */
  public long capEvictions() {
    return capEvictions;
  }

  /**
   * A digest of the kept entries and stream time: equal content, equal digest, in O(1) (the sum of
   * a hash of every entry, as {@code VersionedStore}'s digest).
   */
  public long digest() {
    return digest ^ Long.rotateLeft(streamTime * 0x9E3779B97F4A7C15L, 29);
  }

  /** The kept entries added after the first {@code mark} ever added, oldest first. */
  public List<RecentRequest> addedSince(long mark) {
    int newer = (int) Math.min(size, Math.max(0, added - mark));
    List<RecentRequest> entries = new ArrayList<>(newer);
    for (int i = size - newer; i < size; i++) {
      int at = ringIndex(i);
      entries.add(new RecentRequest(highs[at], lows[at], results[at], times[at]));
    }
    return entries;
  }

  /**
   * Forgets the entries added after the first {@code mark} ever added, newest first, as if they had
   * never been: with {@link #replay}, how a server takes a peer's entries since a point they
   * shared. Entries that left meanwhile stay gone (expired ones would be gone on the peer too; the
   * caller makes sure the cap pushed none out).
   */
  public void truncateTo(long mark) {
    while (added > mark && size > 0) {
      int at = ringIndex(size - 1);
      deleteSlot(find(highs[at], lows[at]));
      digest -= term(at);
      size--;
      added--;
    }
    added = Math.min(added, mark);
  }

  /** Adds {@code entries} in order, each at its own time, as the server that added them did. */
  public void replay(List<RecentRequest> entries) {
    for (RecentRequest entry : entries) {
      advance(entry.time());
      add(entry.idHigh(), entry.idLow(), entry.result(), entry.time());
    }
  }

  /**
   * Moves stream time to {@code timestamp} when that is later (a message about to be applied
   * carries it) and forgets the entries that fall out of the window.
   */
  public void advance(long timestamp) {
    if (timestamp > streamTime) {
      if (streamTime == 0) {
        // The first known time: what was remembered before it (no timestamps yet, or a snapshot of
        // a version without them) is taken as applied now, so it gets a whole window, not none.
        for (int i = 0; i < size; i++) {
          int at = ringIndex(i);
          if (times[at] == 0) {
            digest -= term(at);
            times[at] = timestamp;
            digest += term(at);
          }
        }
      }
      streamTime = timestamp;
      expire();
    }
  }

  /** The first answer to {@code requestId}, while it is remembered. */
  public OptionalInt answer(String requestId) {
    return answer(RequestFingerprint.of(requestId));
  }

  /** The first answer to the request with fingerprint {@code id}, while it is remembered. */
  public OptionalInt answer(RequestFingerprint id) {
    int slot = find(id.high(), id.low());
    return slot == EMPTY ? OptionalInt.empty() : OptionalInt.of(results[slots[slot]]);
  }

  /**
   * Remembers that {@code requestId} was applied now (at stream time) with {@code result}.
   *
   * @return false, changing nothing, when it was remembered already
   */
  public boolean remember(String requestId, int result) {
    return remember(RequestFingerprint.of(requestId), result);
  }

  /** {@link #remember(String, int)} for a fingerprint already taken. */
  public boolean remember(RequestFingerprint id, int result) {
    return add(id.high(), id.low(), result, streamTime);
  }

  /** Every entry, oldest first. */
  public List<RecentRequest> entries() {
    List<RecentRequest> entries = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int at = ringIndex(i);
      entries.add(new RecentRequest(highs[at], lows[at], results[at], times[at]));
    }
    return entries;
  }

  private boolean add(long high, long low, int result, long time) {
    if (find(high, low) != EMPTY) {
      return false;
    }
    if (size == maxEntries) {
      removeOldest();
      capEvictions++;
    }
    if (size == highs.length) {
      growRing();
    }
    if ((size + 1) * 4L > slots.length * 3L) {
      growTable();
    }
    int at = ringIndex(size);
    highs[at] = high;
    lows[at] = low;
    times[at] = time;
    results[at] = result;
    size++;
    added++;
    digest += term(at);
    insertSlot(at);
    return true;
  }

  private long term(int at) {
    return Mix64.mix(
        highs[at] * 31 + lows[at] ^ Long.rotateLeft(times[at], 21) ^ ((long) results[at] << 7));
  }

  private void expire() {
    while (size > 0 && streamTime - times[head] > windowMillis) {
      removeOldest();
    }
  }

  private void removeOldest() {
    int mask = slots.length - 1;
    int slot = home(lows[head]);
    while (slots[slot] != head) {
      slot = (slot + 1) & mask;
    }
    deleteSlot(slot);
    digest -= term(head);
    head = (head + 1) % highs.length;
    size--;
  }

  // The table slot holding this fingerprint's entry, or EMPTY.
  private int find(long high, long low) {
    int mask = slots.length - 1;
    for (int slot = home(low); slots[slot] != EMPTY; slot = (slot + 1) & mask) {
      int at = slots[slot];
      if (lows[at] == low && highs[at] == high) {
        return slot;
      }
    }
    return EMPTY;
  }

  private void insertSlot(int ringPosition) {
    int mask = slots.length - 1;
    int slot = home(lows[ringPosition]);
    while (slots[slot] != EMPTY) {
      slot = (slot + 1) & mask;
    }
    slots[slot] = ringPosition;
  }

  // Backward-shift deletion: entries after the hole whose probe would have to cross it move back
  // into it, so that no probe sequence is ever broken and no tombstones build up.
  private void deleteSlot(int hole) {
    int mask = slots.length - 1;
    int next = hole;
    while (true) {
      next = (next + 1) & mask;
      if (slots[next] == EMPTY) {
        break;
      }
      int home = home(lows[slots[next]]);
      // The entry at next may stay when its home lies cyclically in (hole, next].
      boolean stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!stays) {
        slots[hole] = slots[next];
        hole = next;
      }
    }
    slots[hole] = EMPTY;
  }

  private int home(long low) {
    return (int) (low ^ (low >>> 32)) & (slots.length - 1);
  }

  private int ringIndex(int age) {
    return (int) (((long) head + age) % highs.length);
  }

  private void growRing() {
    int capacity = highs.length;
    int grown = (int) Math.min(maxEntries, capacity * 2L);
    long[] newHighs = new long[grown];
    long[] newLows = new long[grown];
    long[] newTimes = new long[grown];
    int[] newResults = new int[grown];
    for (int i = 0; i < size; i++) {
      int at = ringIndex(i);
      newHighs[i] = highs[at];
      newLows[i] = lows[at];
      newTimes[i] = times[at];
      newResults[i] = results[at];
    }
    // The entries keep their table slots; only their ring positions change.
    for (int slot = 0; slot < slots.length; slot++) {
      if (slots[slot] != EMPTY) {
        slots[slot] = (slots[slot] - head + capacity) % capacity;
      }
    }
    highs = newHighs;
    lows = newLows;
    times = newTimes;
    results = newResults;
    head = 0;
  }

  private void growTable() {
    slots = emptySlots(slots.length * 2);
    for (int i = 0; i < size; i++) {
      insertSlot(ringIndex(i));
    }
  }

  private static int[] emptySlots(int length) {
    int[] table = new int[length];
    Arrays.fill(table, EMPTY);
    return table;
  }
}
