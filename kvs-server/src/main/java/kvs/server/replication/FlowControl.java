package kvs.server.replication;

import java.time.Duration;
import kvs.server.state.Replica;

/**
 * End-to-end backpressure: this server publishes its next message only while no live peer is too
 * far behind it. Each server stays paced by its own message's return, which alone would let the
 * cluster outrun its slowest member until the broker drops that member's messages (stock Mosquitto
 * queues at most 1,000 per subscriber). Peers report their position in heartbeats, which a server
 * sends every {@link Heartbeats#PROGRESS_STRIDE} entries it applies as well as on its timer, so the
 * bound holds within that stride.
 */
public final class FlowControl {
  /** How many stream entries a live peer may trail ours before we hold our next message. */
  static final long MAX_LAG = 500;

  /** A peer silent for this long is left out: a hung peer must not stop the cluster. */
  static final Duration SILENT = Duration.ofSeconds(2);

  private final String self;
  private final Replica replica;
  private final PeerTable peers;
  private final Membership membership;

  public FlowControl(String self, Replica replica, PeerTable peers, Membership membership) {
    this.self = self;
    this.replica = replica;
    this.peers = peers;
    this.membership = membership;
  }

  /**
   * True when every live, caught-up peer that spoke recently is within {@link #MAX_LAG} entries of
   * us. Peers that catch up are left out: they take the stream into a buffer, whatever its pace.
   */
  public boolean mayPublish() {
    long ours = replica.position();
    for (PeerTable.Peer peer : peers.all()) {
      String id = peer.heartbeat().origin();
      if (id.equals(self) || !peer.heartbeat().caughtUp() || !membership.isLive(id)) {
        continue;
      }
      if (ours - peer.heartbeat().position() > MAX_LAG && peer.age().compareTo(SILENT) < 0) {
        return false;
      }
    }
    return true;
  }
}
