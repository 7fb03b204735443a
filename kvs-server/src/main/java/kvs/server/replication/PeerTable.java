package kvs.server.replication;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import kvs.core.replication.Heartbeat;

/** The peers this server has heard from, by their latest heartbeat. Any thread. */
public final class PeerTable {
  /** A peer as of its latest heartbeat, heard {@code age} ago (when it was looked up). */
  public record Peer(Heartbeat heartbeat, Duration age) {}

  private record Heard(Heartbeat heartbeat, long atNanos) {}

  private final Ticker ticker;
  private final Map<String, Heard> peers = new ConcurrentHashMap<>();

  public PeerTable(Ticker ticker) {
    this.ticker = ticker;
  }

  public PeerTable() {
    this(Ticker.SYSTEM);
  }

  public void record(Heartbeat heartbeat) {
    peers.put(heartbeat.origin(), new Heard(heartbeat, ticker.nanos()));
  }

  /** Every peer ever heard from, in no order. */
  public List<Peer> all() {
    long now = ticker.nanos();
    return peers.values().stream()
        .map(h -> new Peer(h.heartbeat(), Duration.ofNanos(now - h.atNanos())))
        .toList();
  }

  /** Peers heard from within {@code window}, by id. */
  public List<Peer> heardWithin(Duration window) {
    return all().stream()
        .filter(p -> p.age().compareTo(window) <= 0)
        .sorted(Comparator.comparing(p -> p.heartbeat().origin()))
        .toList();
  }
}
