package kvs.core;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;

/**
 * A measurement, not a test: fills a {@link VersionedStore} with N keys of 16 chars, each with one
 * value of 16 chars, and prints the live heap it takes and how long the whole-store reads take (the
 * snapshot as one list, through a cursor in pages, the records of a state transfer). Run it after
 * {@code mvn -B -q -o install -DskipTests}:
 *
 * <pre>
 * java -Xmx4g -XX:+UseSerialGC -cp kvs-core/target/classes:kvs-core/target/test-classes kvs.core.StoreFootprint [keys]
 * </pre>
 *
 * <p>Live heap is the heap in use after full collections, minus what was in use before filling; the
 * serial collector makes that figure exact. Timings are of one cold run each: indicative only.
 *
 * <p>Measured here (2 cores, JDK 17, serial GC), 1,000,000 keys:
 *
 * <ul>
 *   <li>a HashMap of keys to a TreeMap per key, values as Strings: 262.6 MB live heap (263 bytes
 *       per key); snapshot(0) with its sort 404 ms; records() 790 ms;
 *   <li>a TreeMap of keys to compact histories, values as Latin-1 bytes: 150.2 MB (150 bytes per
 *       key); snapshot(0) 131 ms; a cursor over every key in pages of 512 about 150 ms; records()
 *       740 ms.
 * </ul>
 */
public final class StoreFootprint {
  private StoreFootprint() {}

  public static void main(String[] args) {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = liveHeap(memory);

    long started = System.nanoTime();
    VersionedStore store = new VersionedStore();
    for (int i = 0; i < keys; i++) {
      // A scrambled order, so the store does not get its keys pre-sorted.
      long n = (i * 0x9E3779B1L) % keys;
      store.put(String.format("key-%012d", n), String.format("val-%012d", n));
    }
    report("fill", started);

    long after = liveHeap(memory);
    System.out.printf(
        "live heap: %.1f MB for %d keys (%.0f bytes per key)%n",
        (after - before) / 1e6, store.keyCount(), (after - before) / (double) keys);

    started = System.nanoTime();
    List<Entry> snapshot = store.snapshot(0);
    report("snapshot(0) as one list of " + snapshot.size(), started);
    snapshot = null;

    for (int page : new int[] {512, 1024}) {
      started = System.nanoTime();
      long read = 0;
      try (SnapshotCursor cursor = store.openCursor(0)) {
        while (!cursor.isDone()) {
          read += cursor.next(page).size();
        }
      }
      report("a cursor over all " + read + " keys in pages of " + page, started);
    }

    started = System.nanoTime();
    List<KeyRecord> records = store.records();
    report("records() of " + records.size(), started);

    started = System.nanoTime();
    VersionedStore copy = VersionedStore.of(records);
    report("of(records)", started);
    if (copy.digest() != store.digest()) {
      throw new AssertionError("the copy's digest differs");
    }
  }

  private static void report(String what, long startedNanos) {
    System.out.printf("%s: %d ms%n", what, (System.nanoTime() - startedNanos) / 1_000_000);
  }

  private static long liveHeap(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
