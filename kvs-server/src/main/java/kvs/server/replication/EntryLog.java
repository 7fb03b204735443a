package kvs.server.replication;

import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateImage;

/** Where applied stream entries are recorded for recovery (a write-ahead log), if anywhere. */
public interface EntryLog {
  /** Records an entry just applied; returns only when it is as durable as the policy promises. */
  void append(ReplicationMessage entry);

  /** The whole state was replaced (by a state transfer): record it instead of the past. */
  void replaceWith(StateImage image);

  /** For servers without a data directory. */
  EntryLog NONE =
      new EntryLog() {
        @Override
        public void append(ReplicationMessage entry) {}

        @Override
        public void replaceWith(StateImage image) {}
      };
}
