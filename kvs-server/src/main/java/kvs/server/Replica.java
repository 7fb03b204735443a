package kvs.server;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import kvs.core.Entry;
import kvs.core.SnapshotCursor;
import kvs.core.VersionedStore;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateImage;
import kvs.core.replication.StateMachine;

/**
 * This server's copy of the state: the state machine that the replication stream drives, shared
 * safely between the stream tasks that apply it (one at a time) and the threads that serve reads. It
 * remembers the digest at each recent position, so a peer's heartbeat can be checked against it.
 */
public final class Replica {
  private static final int DIGESTS_KEPT = 8192;

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final long[] digestAt = new long[DIGESTS_KEPT]; // guarded by lock
  private final long[] positionAt = new long[DIGESTS_KEPT]; // guarded by lock
  private StateMachine machine; // guarded by lock
  private final java.util.PriorityQueue<Waiter> waiters =
      new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(Waiter::position)); // guarded by itself

  private record Waiter(long position, java.util.concurrent.CompletableFuture<Void> reached) {}

  public Replica() {
    this(new StateMachine(new VersionedStore()));
  }

  public Replica(StateMachine initial) {
    install(initial);
  }

  /** Applies one stream entry; see {@link StateMachine#apply}. */
  public StateMachine.Applied apply(ReplicationMessage message) {
    lock.writeLock().lock();
    try {
      StateMachine.Applied applied = machine.apply(message);
      remember();
      return applied;
    } finally {
      lock.writeLock().unlock();
      releaseWaiters();
    }
  }

  /** Replaces the whole state (after a state transfer or recovery from disk). */
  public void install(StateMachine state) {
    lock.writeLock().lock();
    try {
      machine = state;
      java.util.Arrays.fill(positionAt, -1);
      remember();
    } finally {
      lock.writeLock().unlock();
      releaseWaiters();
    }
  }

  /**
   * A state machine in the state {@code image} describes, configured as this replica's (its retry
   * window), to {@link #install}; throws IllegalArgumentException when the image is inconsistent.
   */
  public StateMachine restore(StateImage image) {
    lock.readLock().lock();
    try {
      return machine.restoredFrom(image);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Completes when this replica has applied {@code target} entries (at once if it has). */
  public java.util.concurrent.CompletableFuture<Void> awaitPosition(long target) {
    if (position() >= target) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
    Waiter waiter = new Waiter(target, new java.util.concurrent.CompletableFuture<>());
    synchronized (waiters) {
      waiters.add(waiter);
    }
    // A waiter given up on (timed out) leaves the queue.
    waiter.reached().whenComplete(
        (ok, error) -> {
          if (error != null) {
            synchronized (waiters) {
              waiters.remove(waiter);
            }
          }
        });
    releaseWaiters(); // the position may have moved while we registered
    return waiter.reached();
  }

  private void releaseWaiters() {
    long now = position();
    List<Waiter> ready = new java.util.ArrayList<>();
    synchronized (waiters) {
      while (!waiters.isEmpty() && waiters.peek().position() <= now) {
        ready.add(waiters.poll());
      }
    }
    ready.forEach(w -> w.reached().complete(null));
  }

  /** See {@link VersionedStore#get}. */
  public Optional<Entry> get(String key, int version) {
    lock.readLock().lock();
    try {
      return machine.store().get(key, version);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A snapshot cursor on this replica's state, and the stream position of that state. */
  public record OpenSnapshot(SnapshotCursor cursor, long position) {}

  /**
   * Opens a cursor on {@link VersionedStore#snapshot snapshot(version)} as of now, to read with
   * {@link #readSnapshot} while this replica goes on applying the stream; close it with {@link
   * #closeSnapshot}. (A state installed meanwhile does not disturb it: it goes on reading the
   * state it was opened on.)
   */
  public OpenSnapshot openSnapshot(int version) {
    lock.writeLock().lock();
    try {
      return new OpenSnapshot(machine.store().openCursor(version), machine.position());
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The next page of an open snapshot; see {@link SnapshotCursor#next}. */
  public List<Entry> readSnapshot(SnapshotCursor cursor, int max) {
    lock.readLock().lock();
    try {
      return cursor.next(max);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Closes a cursor from {@link #openSnapshot}; closing twice is harmless. */
  public void closeSnapshot(SnapshotCursor cursor) {
    lock.writeLock().lock();
    try {
      cursor.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** How many snapshot cursors are open on the current state. */
  public int openSnapshots() {
    lock.readLock().lock();
    try {
      return machine.store().openCursorCount();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A copy of the whole state. */
  public StateImage image() {
    lock.readLock().lock();
    try {
      return machine.image();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Stream entries applied so far. */
  public long position() {
    lock.readLock().lock();
    try {
      return machine.position();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The content digest now. */
  public long digest() {
    lock.readLock().lock();
    try {
      return machine.store().digest();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The digest this replica had at {@code position}, when that position is recent enough to be remembered. */
  public OptionalLong digestAt(long position) {
    lock.readLock().lock();
    try {
      int slot = (int) (position % DIGESTS_KEPT);
      return positionAt[slot] == position ? OptionalLong.of(digestAt[slot]) : OptionalLong.empty();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** See {@link StateMachine#lastSequence}. */
  public OptionalLong lastSequence(String origin, String run) {
    lock.readLock().lock();
    try {
      return machine.lastSequence(origin, run);
    } finally {
      lock.readLock().unlock();
    }
  }

  public int keyCount() {
    lock.readLock().lock();
    try {
      return machine.store().keyCount();
    } finally {
      lock.readLock().unlock();
    }
  }

  public long versionCount() {
    lock.readLock().lock();
    try {
      return machine.store().versionCount();
    } finally {
      lock.readLock().unlock();
    }
  }

  // Called with the write lock held.
  private void remember() {
    long position = machine.position();
    int slot = (int) (position % DIGESTS_KEPT);
    positionAt[slot] = position;
    digestAt[slot] = machine.store().digest();
  }
}
