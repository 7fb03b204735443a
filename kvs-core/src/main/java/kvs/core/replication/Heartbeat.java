package kvs.core.replication;

import java.util.Objects;

/**
 * A server says where it is, periodically: peers compare it with their own state to find messages
 * they missed or a state that went astray.
 *
 * @param port the server's gRPC port; 0 when it has none (in-process)
 * @param position stream entries it had applied when it published this
 * @param digest its content digest at that position
 * @param lastOwnSequence the last of its own write messages (this run) it has applied; any server
 *     that has not applied that one by the time it reads this heartbeat lost a message
 * @param caughtUp false while it is itself catching up (its position and digest mean little then)
 */
public record Heartbeat(
    String origin,
    String run,
    int port,
    long position,
    long digest,
    long lastOwnSequence,
    boolean caughtUp)
    implements StreamMessage {
  public Heartbeat {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(run, "run");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535 (0: none): " + port);
    }
  }
}
