package kvs.bench;

/**
 * Issues request number {@code seq} (0, 1, 2, ... within one phase of a run) without blocking, and
 * reports its end to {@code done}, which may be called on the calling thread.
 */
@FunctionalInterface
interface RequestSource {
  void issue(long seq, Completion done);
}
