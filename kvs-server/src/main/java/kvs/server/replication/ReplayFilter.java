package kvs.server.replication;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import kvs.core.replication.Heartbeat;
import kvs.core.replication.ReplicationMessage;
import kvs.core.replication.StateRequest;
import kvs.core.replication.StreamMessage;
import kvs.server.state.Replica;

/**
 * Tells a replayed stream message from a new one: a correctly signed message that was sent before
 * (someone who can publish on the broker re-publishing one they recorded). A writes entry is
 * replayed when its origin, run and sequence were already applied (the state machine ignores it
 * anyway); a heartbeat when it reports less than its run already did, or comes from a run that a
 * newer one of its origin replaced; a state request when its id was seen. The broker's own
 * redeliveries after a reconnect look the same, and are as harmless.
 *
 * <p>Stream tasks only (one at a time).
 */
public final class ReplayFilter {
  /** How many state request ids are remembered. */
  static final int REQUEST_IDS = 4096;

  private final Replica replica;
  private final Map<String, Latest> heartbeats = new HashMap<>();
  private final Map<String, Set<String>> replacedRuns = new HashMap<>();
  private final Map<String, Boolean> requestIds =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REQUEST_IDS;
        }
      };

  private record Latest(String run, long position) {}

  public ReplayFilter(Replica replica) {
    this.replica = replica;
  }

  /** Why {@code message} is a replay, or empty when it is new; remembers it. */
  public Optional<String> replayed(StreamMessage message) {
    if (message instanceof ReplicationMessage entry) {
      OptionalLong last = replica.lastSequence(entry.origin(), entry.run());
      return last.isPresent() && entry.sequence() <= last.getAsLong()
          ? Optional.of("replayed: writes entry #" + entry.sequence() + " was applied before")
          : Optional.empty();
    }
    if (message instanceof Heartbeat heartbeat) {
      return replayedHeartbeat(heartbeat);
    }
    if (message instanceof StateRequest request) {
      return requestIds.put(request.requestId(), Boolean.TRUE) != null
          ? Optional.of("replayed: state request " + request.requestId() + " was seen before")
          : Optional.empty();
    }
    return Optional.empty();
  }

  private Optional<String> replayedHeartbeat(Heartbeat heartbeat) {
    String origin = heartbeat.origin();
    Set<String> replaced = replacedRuns.computeIfAbsent(origin, o -> new HashSet<>());
    if (replaced.contains(heartbeat.run())) {
      return Optional.of("replayed: a heartbeat of run " + heartbeat.run() + ", which has ended");
    }
    Latest latest = heartbeats.get(origin);
    if (latest != null && latest.run().equals(heartbeat.run())) {
      if (heartbeat.position() < latest.position()) {
        return Optional.of(
            "replayed: a heartbeat at position "
                + heartbeat.position()
                + " after one at "
                + latest.position());
      }
    } else if (latest != null) {
      replaced.add(latest.run()); // a new run of that server: it restarted
    }
    heartbeats.put(origin, new Latest(heartbeat.run(), heartbeat.position()));
    return Optional.empty();
  }
}
