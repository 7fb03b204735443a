package kvs.core.replication;

import java.util.List;
import java.util.Objects;

/**
 * One entry of the replication stream: a batch of operations published by one server and applied,
 * in order, by every server.
 *
 * @param origin the id of the publishing server
 * @param run identifies one run (process start) of the origin, so that its sequence can restart
 * @param sequence per (origin, run), starting at 1 and increasing by one per message
 * @param operations applied in order; never empty
 * @param timestamp the origin's wall clock when it published, in ms since the epoch; 0 when
 *     unknown. The state machine reads time only from here (see {@link RetryCache}), so every
 *     server sees the same time.
 */
public record ReplicationMessage(
    String origin, String run, long sequence, List<Operation> operations, long timestamp)
    implements StreamMessage {

  /** The message format this code writes and reads. */
  public static final int FORMAT = 1;

  /** The timestamp of a message whose publishing time is unknown. */
  public static final long NO_TIMESTAMP = 0;

  public ReplicationMessage {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(run, "run");
    operations = List.copyOf(operations);
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1: " + sequence);
    }
    if (operations.isEmpty()) {
      throw new IllegalArgumentException("a message carries at least one operation");
    }
    if (timestamp < 0) {
      throw new IllegalArgumentException("timestamp must be >= 0: " + timestamp);
    }
  }

  /** A message without a timestamp ({@link #NO_TIMESTAMP}). */
  public ReplicationMessage(String origin, String run, long sequence, List<Operation> operations) {
    this(origin, run, sequence, operations, NO_TIMESTAMP);
  }
}
