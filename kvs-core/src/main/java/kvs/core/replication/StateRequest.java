package kvs.core.replication;

import java.util.List;
import java.util.Objects;

/**
 * A server asks for the state. Its position in the stream is the cut: every server that reaches it
 * answers with its state as of that point, on {@code replyTopic}: whole, or only what changed since
 * one of the points in {@code since} when its own state was the same there and it still knows what
 * changed after.
 *
 * @param requestId unique per request, to tell answers to different requests apart
 * @param since points of the requester's recent past (newest first), each a position and the state
 *     digest it had there ({@link StateMachine#stateDigest}); empty to ask for the whole state
 */
public record StateRequest(
    String origin, String run, String requestId, String replyTopic, List<Point> since)
    implements StreamMessage {
  /** The most points a request carries. */
  public static final int MAX_POINTS = 100;

  /** A position and the requester's state digest at it. */
  public record Point(long position, long stateDigest) {}

  public StateRequest {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(replyTopic, "replyTopic");
    since = List.copyOf(since);
    if (since.size() > MAX_POINTS) {
      throw new IllegalArgumentException("more than " + MAX_POINTS + " points");
    }
  }

  /** A request for the whole state. */
  public StateRequest(String origin, String run, String requestId, String replyTopic) {
    this(origin, run, requestId, replyTopic, List.of());
  }
}
