package kvs.server.replication;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntSupplier;
import kvs.core.replication.Heartbeat;
import kvs.core.replication.MessageCodec;
import kvs.server.state.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes where this server is (position, digest, last own message applied) and checks the same
 * from peers: a peer that applied a message we never saw, or whose digest at a position differs
 * from ours at that position, means our state is not the cluster's.
 */
public final class Heartbeats {
  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

  private final ReplicaIdentity identity;
  private final IntSupplier port;
  private final Replica replica;
  private final CatchUp catchUp;
  private final ReplicationTransport transport;
  private final MessageCodec codec;
  private final PeerTable peers;
  private long lastPublishedPosition; // stream tasks only

  public Heartbeats(
      ReplicaIdentity identity,
      IntSupplier port,
      Replica replica,
      CatchUp catchUp,
      ReplicationTransport transport,
      MessageCodec codec,
      PeerTable peers) {
    this.identity = identity;
    this.port = port;
    this.replica = replica;
    this.catchUp = catchUp;
    this.transport = transport;
    this.codec = codec;
    this.peers = peers;
  }

  /**
   * Besides the timer, a heartbeat every this many applied entries: under load, peers learn our
   * position within this stride, which {@link FlowControl} needs (a timer alone would report it
   * thousands of entries late).
   */
  static final long PROGRESS_STRIDE = 100;

  /**
   * Publishes a heartbeat when we applied {@link #PROGRESS_STRIDE} entries since the last. A stream
   * task.
   */
  public void publishIfProgressed() {
    if (replica.position() - lastPublishedPosition >= PROGRESS_STRIDE) {
      publish();
    }
  }

  /** Publishes one heartbeat, when connected. A stream task. */
  public void publish() {
    if (!transport.isConnected()) {
      return;
    }
    lastPublishedPosition = replica.position();
    Heartbeat heartbeat =
        new Heartbeat(
            identity.serverId(),
            identity.run(),
            Math.max(0, port.getAsInt()), // in-process servers have no port (-1)
            replica.position(),
            replica.digest(),
            replica.lastSequence(identity.serverId(), identity.run()).orElse(0),
            catchUp.caughtUp());
    transport
        .publish(codec.encode(heartbeat))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                log.debug("Heartbeat not published: {}", error.toString());
              }
            });
  }

  /**
   * Records a peer's heartbeat; answers why our state cannot be right, when it shows that. As a
   * stream task, in stream order: every message the peer applied before publishing this has reached
   * us before it.
   */
  public Optional<String> check(Heartbeat heartbeat) {
    if (heartbeat.origin().equals(identity.serverId()) && heartbeat.run().equals(identity.run())) {
      return Optional.empty();
    }
    peers.record(heartbeat);
    if (!heartbeat.caughtUp() || !catchUp.caughtUp()) {
      return Optional.empty();
    }
    // Every entry the peer had applied when it sent this came before it in the stream: if we hold
    // fewer, we lack some (lost on the way, or the peer's state holds entries we never had).
    if (heartbeat.position() > replica.position()) {
      return Optional.of(
          heartbeat.origin()
              + " was at position "
              + heartbeat.position()
              + " when it sent its heartbeat, we are at "
              + replica.position());
    }
    long ours = replica.lastSequence(heartbeat.origin(), heartbeat.run()).orElse(0);
    if (heartbeat.lastOwnSequence() > ours) {
      return Optional.of(
          heartbeat.origin()
              + " applied its message #"
              + heartbeat.lastOwnSequence()
              + ", we only got to #"
              + ours);
    }
    OptionalLong digest = replica.digestAt(heartbeat.position());
    if (digest.isPresent() && digest.getAsLong() != heartbeat.digest()) {
      return Optional.of(
          String.format(
              "our state differs from %s's at position %d (digest %016x, theirs %016x)",
              heartbeat.origin(), heartbeat.position(), digest.getAsLong(), heartbeat.digest()));
    }
    return Optional.empty();
  }
}
