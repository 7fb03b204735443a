package kvs.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateImage;
import kvs.server.durability.DurableState;
import kvs.server.replication.EntryLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry log of a server with {@code --data-dir}: every applied entry goes to the write-ahead
 * log, and its client is answered once it is as durable as {@code --fsync} promises; every {@code
 * snapshotEvery} entries the log is compacted into a snapshot of the whole state.
 */
final class DiskLog implements EntryLog {
  private static final Logger log = LoggerFactory.getLogger(DiskLog.class);

  private final DurableState disk;
  private final Supplier<StateImage> state;
  private final long snapshotEvery;

  DiskLog(DurableState disk, Supplier<StateImage> state, long snapshotEvery) {
    this.disk = disk;
    this.state = state;
    this.snapshotEvery = snapshotEvery;
  }

  @Override
  public void append(ReplicationMessage entry, Runnable whenDurable) {
    try {
      disk.append(entry, whenDurable);
    } catch (IOException e) {
      // The entry is applied but not in the log: a hole later entries must not be logged after.
      // A snapshot of the state (which holds it) closes the hole; if even that fails, say so.
      log.error("Cannot append to the log ({}); writing a snapshot instead", e.getMessage());
      compact();
      whenDurable.run(); // in the snapshot
      return;
    }
    if (disk.entriesSinceSnapshot() >= snapshotEvery) {
      compact();
    }
  }

  private void compact() {
    StateImage image = state.get();
    try {
      disk.writeSnapshot(image);
      log.info("Compacted the log into a snapshot at position {}", image.position());
    } catch (IOException e) {
      // The entry is applied but not durable: its writer is not answered (it times out with -1).
      throw new UncheckedIOException("cannot write a snapshot: " + e.getMessage(), e);
    }
  }

  @Override
  public void replaceWith(Supplier<StateImage> image) {
    try {
      disk.writeSnapshot(image.get());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a snapshot: " + e.getMessage(), e);
    }
  }
}
