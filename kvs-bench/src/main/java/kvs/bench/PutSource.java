package kvs.bench;

/** Unary writes, round robin over the targets: request i writes key i of the key space. */
final class PutSource implements RequestSource {
  private final Driver driver;
  private final int targets;
  private final KeySpace keys;
  private final NumberedText values;
  private final long base;

  /**
   * @param base the number of request 0 in the key space (later phases go on from the earlier)
   */
  PutSource(Driver driver, int targets, KeySpace keys, NumberedText values, long base) {
    this.driver = driver;
    this.targets = targets;
    this.keys = keys;
    this.values = values;
    this.base = base;
  }

  @Override
  public void issue(long seq, Completion done) {
    long i = base + seq;
    driver.put((int) (seq % targets), keys.key(i), values.text(i), done);
  }
}
