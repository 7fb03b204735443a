package kvs.bench;

import java.util.function.LongConsumer;

/**
 * InsereVarias streams of {@code batch} items each, round robin over the targets; stream s carries
 * items {@code s * batch} onwards, and the last one stops at {@code itemLimit}.
 */
final class BatchSource implements RequestSource {
  private final KvsDriver driver;
  private final int targets;
  private final int batch;
  private final long itemLimit;
  private final KeySpace keys;
  private final NumberedText values;
  private final long itemBase;
  private final LongConsumer positions;

  /**
   * @param itemLimit items in the whole phase ({@link LoadLoop#UNLIMITED} for a timed one)
   * @param itemBase the number of item 0 in the key space
   * @param positions receives each stream's {@code kvs-position} trailer
   */
  BatchSource(
      KvsDriver driver,
      int targets,
      int batch,
      long itemLimit,
      KeySpace keys,
      NumberedText values,
      long itemBase,
      LongConsumer positions) {
    this.driver = driver;
    this.targets = targets;
    this.batch = batch;
    this.itemLimit = itemLimit;
    this.keys = keys;
    this.values = values;
    this.itemBase = itemBase;
    this.positions = positions;
  }

  /** Streams needed for {@code items} items. */
  static long streamsFor(long items, int batch) {
    return items == LoadLoop.UNLIMITED ? LoadLoop.UNLIMITED : (items + batch - 1) / batch;
  }

  @Override
  public void issue(long seq, Completion done) {
    long first = seq * batch;
    int n = (int) Math.min(batch, itemLimit - first);
    driver.putBatch(
        (int) (seq % targets), itemBase + first, n, keys::key, values::text, positions, done);
  }
}
