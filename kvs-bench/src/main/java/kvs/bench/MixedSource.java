package kvs.bench;

import java.util.concurrent.ThreadLocalRandom;

/** Reads with probability {@code readRatio}, writes otherwise, over one key space. */
final class MixedSource implements RequestSource {
  private final RequestSource reads;
  private final RequestSource writes;
  private final double readRatio;

  MixedSource(RequestSource reads, RequestSource writes, double readRatio) {
    this.reads = reads;
    this.writes = writes;
    this.readRatio = readRatio;
  }

  @Override
  public void issue(long seq, Completion done) {
    if (ThreadLocalRandom.current().nextDouble() < readRatio) {
      reads.issue(seq, done);
    } else {
      writes.issue(seq, done);
    }
  }
}
