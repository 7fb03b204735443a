package kvs.core.replication;

import java.util.Objects;

/**
 * A server asks for the whole state. Its position in the stream is the cut: every server that
 * reaches it answers with its state as of that point, on {@code replyTopic}.
 *
 * @param requestId unique per request, to tell answers to different requests apart
 */
public record StateRequest(String origin, String run, String requestId, String replyTopic)
    implements StreamMessage {
  public StateRequest {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(replyTopic, "replyTopic");
  }
}
