package kvs.server.replication;

import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateMachine;
import kvs.server.state.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies write entries of the stream, as stream tasks: to the replica, then to the entry log, and
 * once the entry is durable there hands this server's own results to the {@link WritePublisher}
 * that waits for them. Notices when an origin's sequence skips numbers: messages were lost on the
 * way to us.
 */
public final class WritesApplier {
  private static final Logger log = LoggerFactory.getLogger(WritesApplier.class);
  private final Replica replica;
  private final WritePublisher publisher;
  private final EntryLog entryLog;
  private final ServingState serving;
  private final StreamCounts counts;
  private static final Runnable NOTHING = () -> {};

  public WritesApplier(
      Replica replica, WritePublisher publisher, EntryLog entryLog, ServingState serving) {
    this(replica, publisher, entryLog, serving, StreamCounts.NONE);
  }

  public WritesApplier(
      Replica replica,
      WritePublisher publisher,
      EntryLog entryLog,
      ServingState serving,
      StreamCounts counts) {
    this.counts = counts;
    this.replica = replica;
    this.publisher = publisher;
    this.entryLog = entryLog;
    this.serving = serving;
  }

  /** Applies {@code message}; answers why earlier messages must have been lost, if they were. */
  public Optional<String> apply(ReplicationMessage message) {
    OptionalLong last = replica.lastSequence(message.origin(), message.run());
    long expected = last.isPresent() ? last.getAsLong() + 1 : 1;
    Optional<String> gap =
        message.sequence() > expected
            ? Optional.of(
                "message #"
                    + message.sequence()
                    + " of "
                    + message.origin()
                    + " arrived, #"
                    + expected
                    + " never did")
            : Optional.empty();
    StateMachine.Applied applied = replica.apply(message);
    if (applied.duplicate()) {
      counts.message("writes", "duplicate");
      return gap;
    }
    counts.message("writes", "applied");
    counts.applied(message.operations().size());
    ReplicaIdentity self = publisher.identity();
    // While catching up our state may be about to be replaced: its answers are not the cluster's.
    // The writer is not answered (it times out with -1, "not confirmed").
    boolean answer =
        serving.caughtUp()
            && message.origin().equals(self.serverId())
            && message.run().equals(self.run());
    long position = replica.position();
    Runnable whenDurable =
        answer
            ? () -> publisher.onApplied(message.sequence(), applied.results(), position)
            : NOTHING;
    try {
      entryLog.append(message, whenDurable);
    } catch (UncheckedIOException e) {
      // Applied but not durable: do not acknowledge it; its writer times out with -1.
      log.error(
          "Entry {}#{} applied but not written to disk: {}",
          message.origin(),
          message.sequence(),
          e.getMessage());
    }
    return gap;
  }
}
