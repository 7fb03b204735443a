package kvs.bench;

/** Unary reads, round robin over the targets: request i reads key i of the key space. */
final class GetSource implements RequestSource {
  private final Driver driver;
  private final int targets;
  private final KeySpace keys;
  private final long base;

  GetSource(Driver driver, int targets, KeySpace keys, long base) {
    this.driver = driver;
    this.targets = targets;
    this.keys = keys;
    this.base = base;
  }

  @Override
  public void issue(long seq, Completion done) {
    driver.get((int) (seq % targets), keys.key(base + seq), done);
  }
}
