package kvs.server.replication;

/**
 * What the stream's handlers report for metrics: each message received, by kind and outcome, and
 * how many writes each applied message carried. {@link #NONE} ignores them.
 */
public interface StreamCounts {
  StreamCounts NONE =
      new StreamCounts() {
        @Override
        public void message(String kind, String outcome) {}

        @Override
        public void applied(int operations) {}
      };

  /**
   * A message: {@code kind} writes, heartbeat, state-request, state-chunk, presence or unknown;
   * {@code outcome} applied, duplicate, accepted, malformed or rejected.
   */
  void message(String kind, String outcome);

  /** A writes message applied, carrying {@code operations} writes. */
  void applied(int operations);
}
