package kvs.server.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import kvs.core.Entry;
import kvs.core.SnapshotCursor;
import kvs.core.VersionedStore;
import kvs.core.replication.RecentHistory;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateChanges;
import kvs.core.replication.StateImage;
import kvs.core.replication.StateMachine;
import kvs.core.replication.StateRequest;

/**
 * This server's copy of the state: the state machine that the replication stream drives, shared
 * safely between the stream tasks that apply it (one at a time) and the threads that serve reads.
 * It keeps a {@link RecentHistory}: the digest at each recent position, so a peer's heartbeat can
 * be checked against it, and what a repair from (or for) a peer needs.
 */
public final class Replica {
  /** Recent positions remembered: for heartbeat checks, and how far back a repair can reach. */
  static final int POSITIONS_KEPT = 8192;

  /** The keys of at most this many recent operations are remembered (a few MB), for repairs. */
  static final int KEYS_KEPT = 200_000;

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final RecentHistory history =
      new RecentHistory(POSITIONS_KEPT, KEYS_KEPT); // guarded by lock
  private StateMachine machine; // guarded by lock
  private final ChangeHistory changes;
  private final PriorityQueue<Waiter> waiters =
      new PriorityQueue<>(Comparator.comparingLong(Waiter::position)); // guarded by itself

  private record Waiter(long position, CompletableFuture<Void> reached) {}

  public Replica() {
    this(new StateMachine(new VersionedStore()));
  }

  public Replica(StateMachine initial) {
    this(initial, ChangeHistory.DEFAULT_MAX_BYTES);
  }

  /** A replica in the state {@code initial}, keeping {@code changeHistoryBytes} of changes. */
  public Replica(StateMachine initial, long changeHistoryBytes) {
    changes = new ChangeHistory(changeHistoryBytes, initial.position());
    install(initial);
  }

  /** Applies one stream entry; see {@link StateMachine#apply}. */
  public StateMachine.Applied apply(ReplicationMessage message) {
    lock.writeLock().lock();
    try {
      StateMachine.Applied applied = machine.apply(message);
      if (!applied.duplicate()) {
        history.record(machine.mark(), machine.store().digest(), message);
        changes.append(machine.position(), applied.changes());
      }
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
      history.restartAt(machine.mark(), machine.store().digest());
      changes.restartAt(machine.position());
    } finally {
      lock.writeLock().unlock();
      releaseWaiters();
    }
  }

  /**
   * What changed since the newest of a peer's {@code points} where we were in the same state, as a
   * partial image; empty when we share none that we still know enough of. See {@link
   * StateMachine#changesSince}.
   */
  public Optional<StateChanges> changesSince(List<StateRequest.Point> points) {
    lock.readLock().lock();
    try {
      return history
          .sharedPoint(points)
          .flatMap(shared -> machine.changesSince(shared.mark(), shared.keysWritten()));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Points of our recent past, for a peer to send only what changed since one of them. */
  public List<StateRequest.Point> recentPoints() {
    lock.readLock().lock();
    try {
      return history.points();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** True when we still know our state at {@code base} well enough to {@link #repair} from it. */
  public boolean canRepairFrom(long base) {
    lock.readLock().lock();
    try {
      return history
          .markAt(base)
          .filter(mark -> mark.capEvictions() == machine.mark().capEvictions())
          .isPresent();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Takes a peer's changes since a point of our past; see {@link StateMachine#repair}.
   *
   * @throws IllegalArgumentException when they cannot be taken; nothing changed
   * @throws IllegalStateException when the repaired state is not the peer's: it is then broken and
   *     must be replaced whole
   */
  public void repair(StateChanges changes) {
    lock.writeLock().lock();
    try {
      StateMachine.Mark mark =
          history
              .markAt(changes.base())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "position " + changes.base() + " is no longer remembered"));
      machine.repair(mark, changes); // changes nothing when it throws IllegalArgumentException
      history.restartAt(machine.mark(), machine.store().digest());
      this.changes.restartAt(machine.position());
    } catch (IllegalStateException broken) {
      history.restartAt(machine.mark(), machine.store().digest());
      this.changes.restartAt(machine.position());
      throw broken;
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
  public CompletableFuture<Void> awaitPosition(long target) {
    if (position() >= target) {
      return CompletableFuture.completedFuture(null);
    }
    Waiter waiter = new Waiter(target, new CompletableFuture<>());
    synchronized (waiters) {
      waiters.add(waiter);
    }
    // A waiter given up on (timed out) leaves the queue.
    waiter
        .reached()
        .whenComplete(
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
    List<Waiter> ready = new ArrayList<>();
    synchronized (waiters) {
      while (!waiters.isEmpty() && waiters.peek().position() <= now) {
        ready.add(waiters.poll());
      }
    }
    ready.forEach(w -> w.reached().complete(null));
  }

  /** The changes of the recent stream entries, for watchers. */
  public ChangeHistory changes() {
    return changes;
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
   * #closeSnapshot}. (A state installed meanwhile does not disturb it: it goes on reading the state
   * it was opened on.)
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

  /**
   * The digest this replica had at {@code position}, when that position is recent enough to be
   * remembered.
   */
  public OptionalLong digestAt(long position) {
    lock.readLock().lock();
    try {
      return history.storeDigestAt(position);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** See {@link StateMachine#earlierAnswer}. */
  public OptionalInt earlierAnswer(String requestId) {
    lock.readLock().lock();
    try {
      return machine.earlierAnswer(requestId);
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
}
