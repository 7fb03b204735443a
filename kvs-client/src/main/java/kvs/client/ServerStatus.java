package kvs.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a KVS server reports about its replication state, from {@link KvsClient#status()}.
 *
 * <p>Servers with equal content have equal {@link #digest() digests}; two servers that have applied
 * the same number of replication stream entries ({@link #position() position}) should have the same
 * digest.
 *
 * @param serverId the server's id ({@code --id} of the server, for example {@code vm-9000})
 * @param port the port the server says it serves KVS on
 * @param brokerConnected whether the server is connected to the replication broker
 * @param caughtUp whether the server has caught up with its peers; while it has not, its KVS calls
 *     fail with {@link KvsException.Code#CATCHING_UP} and its position and digest mean little
 * @param position how many replication stream entries the server has applied
 * @param keys keys with at least one live version
 * @param versions live versions over all keys
 * @param digest 16 hexadecimal digits summarizing the content
 * @param peers the peers the server heard from recently, in the order it reported them
 * @param skippedMessages malformed replication messages the server skipped
 * @param resyncs how many times the server re-synchronized its state from a peer
 * @param repairs how many of those re-synchronizations took only a peer's changes since a point
 *     they shared, not a whole state
 * @param rejectedMessages replication messages the server refused: unsigned, badly signed or
 *     replayed ones when it has a cluster key, signed ones when it has none
 */
public record ServerStatus(
    String serverId,
    int port,
    boolean brokerConnected,
    boolean caughtUp,
    long position,
    long keys,
    long versions,
    String digest,
    List<PeerInfo> peers,
    long skippedMessages,
    long resyncs,
    long repairs,
    long rejectedMessages) {

  /** Checks that the strings are present and copies {@code peers}. */
  public ServerStatus {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(digest, "digest");
    peers = List.copyOf(peers);
  }

  /**
   * Returns whether the server is ready to serve consistent answers: caught up and connected to the
   * broker.
   *
   * @return {@code caughtUp() && brokerConnected()}
   */
  public boolean healthy() {
    return caughtUp && brokerConnected;
  }

  /**
   * A peer as a server last heard of it, through the peer's heartbeats.
   *
   * @param serverId the peer's id
   * @param port the port the peer serves KVS on
   * @param position how many replication stream entries the peer had applied
   * @param digest the peer's digest at that position
   * @param caughtUp whether the peer had caught up
   * @param lastHeard how long before the status was taken the server last heard from the peer
   */
  public record PeerInfo(
      String serverId,
      int port,
      long position,
      String digest,
      boolean caughtUp,
      Duration lastHeard) {

    /** Checks that every field is present. */
    public PeerInfo {
      Objects.requireNonNull(serverId, "serverId");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(lastHeard, "lastHeard");
    }
  }
}
