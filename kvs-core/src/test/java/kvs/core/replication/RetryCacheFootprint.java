package kvs.core.replication;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * A measurement, not a test: fills a {@link RetryCache} (default cap) with N request ids of the
 * client's form (a UUID) and prints the live heap it takes per entry. Run it after {@code mvn -B -q
 * install -DskipTests}:
 *
 * <pre>
 * java -Xmx2g -XX:+UseSerialGC -cp kvs-core/target/classes:kvs-core/target/test-classes \
 *     kvs.core.replication.RetryCacheFootprint 1000000 3000000
 * </pre>
 *
 * <p>Live heap is the heap in use after full collections with the cache, minus without it; the
 * serial collector makes that figure exact. The ids themselves are not kept, only fingerprints.
 */
public final class RetryCacheFootprint {
  private RetryCacheFootprint() {}

  public static void main(String[] args) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (String arg : args.length > 0 ? args : new String[] {"1000000", "3000000"}) {
      int entries = Integer.parseInt(arg);
      long before = liveHeap(memory);
      RetryCache cache =
          new RetryCache(StateMachine.DEFAULT_RETRY_WINDOW, StateMachine.DEFAULT_RETRY_CAP);
      long started = System.nanoTime();
      cache.advance(1_700_000_000_000L);
      for (int i = 0; i < entries; i++) {
        cache.remember(new java.util.UUID(0x5eedL, i).toString(), i);
      }
      long fillMillis = (System.nanoTime() - started) / 1_000_000;
      long after = liveHeap(memory);
      System.out.printf(
          "%,d entries: %.1f MB live heap, %.1f bytes per entry (filled in %d ms)%n",
          cache.size(), (after - before) / 1e6, (after - before) / (double) entries, fillMillis);
      if (cache.answer(new java.util.UUID(0x5eedL, 0).toString()).isEmpty()) {
        throw new AssertionError("the first id is not remembered");
      }
    }
  }

  private static long liveHeap(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
