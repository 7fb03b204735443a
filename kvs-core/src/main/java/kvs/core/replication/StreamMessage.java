package kvs.core.replication;

/**
 * A message of the replication stream (the one ordered topic every server shares). Only writes
 * change state; state requests and heartbeats ride the same stream because their position in it is
 * what gives them meaning.
 */
public sealed interface StreamMessage permits ReplicationMessage, StateRequest, Heartbeat {
  /** The id of the server that published it. */
  String origin();

  /** The publishing server's run (process start). */
  String run();
}
