package kvs.server.replication;

import java.util.function.Supplier;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateImage;

/** Where applied stream entries are recorded for recovery (a write-ahead log), if anywhere. */
public interface EntryLog {
  /**
   * Records an entry just applied, without waiting for the disk; runs {@code whenDurable} (on any
   * thread, in append order) once the entry is as durable as the policy promises, or never, when it
   * cannot be made durable.
   */
  void append(ReplicationMessage entry, Runnable whenDurable);

  /**
   * The state was replaced (by a state transfer or a repair): record it, taken from {@code image}
   * (called only if needed: a copy of a large state is costly), instead of the past.
   */
  void replaceWith(Supplier<StateImage> image);

  /** For servers without a data directory. */
  EntryLog NONE =
      new EntryLog() {
        @Override
        public void append(ReplicationMessage entry, Runnable whenDurable) {
          whenDurable.run();
        }

        @Override
        public void replaceWith(Supplier<StateImage> image) {}
      };
}
