package kvs.server;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import kvs.core.Entry;
import kvs.core.VersionedStore;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateMachine;

/**
 * This server's copy of the state: the state machine that the replication stream drives, shared
 * safely between the one thread that applies the stream and the threads that serve reads.
 */
public final class Replica {
  private final StateMachine machine = new StateMachine(new VersionedStore());
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  /** Applies one stream entry; see {@link StateMachine#apply}. */
  public StateMachine.Applied apply(ReplicationMessage message) {
    lock.writeLock().lock();
    try {
      return machine.apply(message);
    } finally {
      lock.writeLock().unlock();
    }
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

  /** See {@link VersionedStore#snapshot}. */
  public List<Entry> snapshot(int version) {
    lock.readLock().lock();
    try {
      return machine.store().snapshot(version);
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
}
