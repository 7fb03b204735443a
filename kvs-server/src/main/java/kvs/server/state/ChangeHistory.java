package kvs.server.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import kvs.core.replication.Change;

/**
 * The changes of the most recent stream entries, for watchers to read from any position it still
 * holds. Bounded by the heap its changes take: the oldest entries go first. Every entry after
 * {@link #oldest()} up to {@link #newest()} is held (entries that changed nothing take no room).
 *
 * <p>The stream appends, in order, one entry at a time; readers read concurrently. Readers are told
 * of every append and restart through the listener they {@link #subscribe}.
 */
public final class ChangeHistory {
  /** What the server holds when no size is given: enough for minutes of a busy cluster. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  /** The changes one stream entry made. */
  public record Entry(long position, List<Change> changes) {}

  /**
   * What a read found: entries in order, and the position the reader has reached with them (the
   * newest held when it read everything, the last entry's when it stopped for size).
   */
  public record Page(List<Entry> entries, long position) {}

  /** The changes after a position are no longer held. */
  public static final class TrimmedException extends Exception {
    private final long oldest;
    private final boolean restarted;

    TrimmedException(long after, long oldest, boolean restarted) {
      super(
          "the changes after position "
              + after
              + " are no longer held; the oldest position held is "
              + oldest);
      this.oldest = oldest;
      this.restarted = restarted;
    }

    /** The oldest position one can still read after. */
    public long oldest() {
      return oldest;
    }

    /** True when the history restarted there (the state was replaced), not trimmed for size. */
    public boolean restarted() {
      return restarted;
    }
  }

  private final long maxBytes;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** An entry with the heap it takes. */
  private record Held(Entry entry, long bytes) {}

  // A ring of entries, oldest at head. Guarded by this.
  private Held[] ring = new Held[64];
  private int head;
  private int size;
  private long bytes;
  private long oldest;
  private long newest;
  private boolean oldestByRestart = true;

  public ChangeHistory(long maxBytes, long position) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("a change history needs room, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.oldest = position;
    this.newest = position;
  }

  /** Records what the entry at {@code position} (the next one) changed. */
  public void append(long position, List<Change> changes) {
    synchronized (this) {
      if (position <= newest) {
        throw new IllegalArgumentException("entry " + position + " after " + newest);
      }
      if (position != newest + 1) {
        // Not the next entry: what came between is unknown, so nothing before is complete.
        clear(position);
      } else if (!changes.isEmpty()) {
        long entryBytes = 48;
        for (Change change : changes) {
          entryBytes += change.heapBytes();
        }
        add(new Entry(position, changes), entryBytes);
      }
      newest = position;
      trim();
    }
    listeners.forEach(Runnable::run);
  }

  /**
   * Forgets every change: the state at {@code position} came from elsewhere (a state transfer, a
   * repair, the disk), so the changes that led to it are unknown here.
   */
  public void restartAt(long position) {
    synchronized (this) {
      clear(position);
    }
    listeners.forEach(Runnable::run);
  }

  /**
   * The entries after {@code after}, at most about {@code maxBytes} of them (at least one entry
   * when there is one); an empty page at {@code after} when nothing newer is held yet.
   *
   * @throws TrimmedException when the changes right after {@code after} are no longer held
   */
  public synchronized Page read(long after, long maxBytes) throws TrimmedException {
    checkHeld(after);
    if (after >= newest) {
      return new Page(List.of(), after);
    }
    List<Entry> entries = new ArrayList<>();
    long taken = 0;
    for (int i = firstAfter(after); i < size; i++) {
      Held held = ring[index(i)];
      if (!entries.isEmpty() && taken + held.bytes() > maxBytes) {
        return new Page(entries, entries.get(entries.size() - 1).position());
      }
      entries.add(held.entry());
      taken += held.bytes();
    }
    return new Page(entries, newest);
  }

  /**
   * Checks that the changes after {@code after} are still held.
   *
   * @throws TrimmedException when they are not
   */
  public synchronized void checkHeld(long after) throws TrimmedException {
    if (after < oldest) {
      throw new TrimmedException(after, oldest, oldestByRestart);
    }
  }

  /** The oldest position one can read after. */
  public synchronized long oldest() {
    return oldest;
  }

  /** The newest position: the last entry appended (or restarted at). */
  public synchronized long newest() {
    return newest;
  }

  /** The heap the held changes take, roughly. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Runs {@code listener} after every append and restart; the returned handle removes it. */
  public Runnable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void clear(long position) {
    Arrays.fill(ring, null);
    head = 0;
    size = 0;
    bytes = 0;
    oldest = position;
    newest = position;
    oldestByRestart = true;
  }

  private void add(Entry entry, long entryBytes) {
    if (size == ring.length) {
      Held[] bigger = new Held[ring.length * 2];
      for (int i = 0; i < size; i++) {
        bigger[i] = ring[index(i)];
      }
      ring = bigger;
      head = 0;
    }
    ring[index(size)] = new Held(entry, entryBytes);
    size++;
    bytes += entryBytes;
  }

  private void trim() {
    while (bytes > maxBytes && size > 0) {
      Held gone = ring[head];
      bytes -= gone.bytes();
      ring[head] = null;
      head = (head + 1) % ring.length;
      size--;
      oldest = gone.entry().position();
      oldestByRestart = false;
    }
  }

  /** The ring index of the {@code i}-th oldest entry. */
  private int index(int i) {
    return (head + i) % ring.length;
  }

  /** The offset of the first entry whose position is greater than {@code after}. */
  private int firstAfter(long after) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (ring[index(mid)].entry().position() <= after) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
