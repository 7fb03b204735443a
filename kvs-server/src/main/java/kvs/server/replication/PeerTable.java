package kvs.server.replication;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import kvs.core.replication.Heartbeat;

/** The peers this server has heard from, by their latest heartbeat. */
public final class PeerTable {
  /** A peer as of its latest heartbeat. */
  public record Peer(Heartbeat heartbeat, long heardAtNanos) {
    public Duration age() {
      return Duration.ofNanos(System.nanoTime() - heardAtNanos);
    }
  }

  private final Map<String, Peer> peers = new ConcurrentHashMap<>();

  public void record(Heartbeat heartbeat) {
    peers.put(heartbeat.origin(), new Peer(heartbeat, System.nanoTime()));
  }

  /** Every peer ever heard from, in no order. */
  public Iterable<Peer> all() {
    return peers.values();
  }

  /** Peers heard from within {@code window}, by id. */
  public List<Peer> heardWithin(Duration window) {
    return peers.values().stream()
        .filter(p -> p.age().compareTo(window) <= 0)
        .sorted(Comparator.comparing(p -> p.heartbeat().origin()))
        .toList();
  }
}
