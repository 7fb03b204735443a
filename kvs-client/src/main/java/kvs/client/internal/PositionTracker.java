package kvs.client.internal;

import java.util.concurrent.atomic.AtomicLong;

/** The greatest replication position a client has seen from its writes or been given. */
final class PositionTracker {

  private final AtomicLong position = new AtomicLong();

  long get() {
    return position.get();
  }

  void advance(long seen) {
    position.accumulateAndGet(seen, Math::max);
  }
}
