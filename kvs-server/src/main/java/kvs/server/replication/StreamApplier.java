package kvs.server.replication;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import kvs.core.replication.MalformedMessageException;
import kvs.core.replication.MessageCodec;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateMachine;
import kvs.server.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the replication stream, in order, and applies each entry to the replica; hands the
 * results of this server's own entries back to the {@link WritePublisher} that waits for them.
 * Whatever arrives, the server survives: unreadable messages are logged, counted and skipped.
 */
public final class StreamApplier implements Consumer<byte[]> {
  private static final Logger log = LoggerFactory.getLogger(StreamApplier.class);

  private final Replica replica;
  private final MessageCodec codec;
  private final WritePublisher publisher;
  private final AtomicLong skipped = new AtomicLong();

  public StreamApplier(Replica replica, MessageCodec codec, WritePublisher publisher) {
    this.replica = replica;
    this.codec = codec;
    this.publisher = publisher;
  }

  @Override
  public void accept(byte[] payload) {
    ReplicationMessage message;
    try {
      message = codec.decode(payload);
    } catch (MalformedMessageException e) {
      long count = skipped.incrementAndGet();
      log.warn(
          "Skipped a malformed replication message (origin {}, {} skipped so far): {}",
          e.origin().orElse("unknown"),
          count,
          e.getMessage());
      return;
    }
    StateMachine.Applied applied = replica.apply(message);
    if (applied.duplicate()) {
      log.debug("Ignored redelivered message {}#{}", message.origin(), message.sequence());
      return;
    }
    ReplicaIdentity self = publisher.identity();
    if (message.origin().equals(self.serverId()) && message.run().equals(self.run())) {
      publisher.onApplied(message.sequence(), applied.results());
    }
  }

  /** How many malformed messages were skipped. */
  public long skippedMessages() {
    return skipped.get();
  }
}
