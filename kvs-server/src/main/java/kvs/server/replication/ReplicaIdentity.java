package kvs.server.replication;

import java.util.Objects;
import java.util.UUID;

/**
 * Who publishes: the stable server id and the id of this run of it. A restarted server starts its
 * sequence numbers over under a new run id, so its new messages are not taken for duplicates.
 */
public record ReplicaIdentity(String serverId, String run) {
  public ReplicaIdentity {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(run, "run");
  }

  /** An identity for a new run of {@code serverId}. */
  public static ReplicaIdentity newRun(String serverId) {
    return new ReplicaIdentity(serverId, UUID.randomUUID().toString());
  }
}
