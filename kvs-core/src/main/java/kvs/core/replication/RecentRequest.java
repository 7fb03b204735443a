package kvs.core.replication;

import java.util.Objects;

/** A request id the state machine applied recently, with the answer it gave. */
public record RecentRequest(String requestId, int result) {
  public RecentRequest {
    Objects.requireNonNull(requestId, "requestId");
  }
}
