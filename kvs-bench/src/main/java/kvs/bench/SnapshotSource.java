package kvs.bench;

import io.grpc.Status;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshot(0) streams, round robin over the targets. A stream with fewer tuples than the keys
 * loaded before the run is an error (every loaded key must come back); the fewest and most tuples
 * of a stream are kept for the report.
 */
final class SnapshotSource implements RequestSource {
  private final KvsDriver driver;
  private final int targets;
  private final long expected;
  private final AtomicLong fewest = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong most = new AtomicLong(-1);

  /**
   * @param expected the keys loaded before the run
   */
  SnapshotSource(KvsDriver driver, int targets, long expected) {
    this.driver = driver;
    this.targets = targets;
    this.expected = expected;
  }

  @Override
  public void issue(long seq, Completion done) {
    driver.snapshot(
        (int) (seq % targets),
        new KvsDriver.SnapshotAnswer() {
          @Override
          public void received(long entries) {
            fewest.accumulateAndGet(entries, Math::min);
            most.accumulateAndGet(entries, Math::max);
            done.complete(
                entries >= expected
                    ? Outcome.ok(entries)
                    : Outcome.failed(
                        "MISSING_ENTRIES",
                        "Snapshot(0) sent "
                            + entries
                            + " tuples; "
                            + expected
                            + " keys were loaded"));
          }

          @Override
          public void failed(Status status) {
            done.complete(Outcome.of(status));
          }
        });
  }

  /** The fewest tuples one stream had, or -1 before any. */
  long fewest() {
    long value = fewest.get();
    return value == Long.MAX_VALUE ? -1 : value;
  }

  /** The most tuples one stream had, or -1 before any. */
  long most() {
    return most.get();
  }
}
