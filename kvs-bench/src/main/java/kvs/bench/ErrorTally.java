package kvs.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** Counts errors by kind and keeps the first message; safe from many threads. */
final class ErrorTally {
  private final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();
  private final AtomicReference<String> first = new AtomicReference<>();

  void add(String kind, long count, String message) {
    byKind.computeIfAbsent(kind, k -> new LongAdder()).add(count);
    total.add(count);
    first.compareAndSet(null, message);
  }

  long total() {
    return total.sum();
  }

  /** The counts by kind, in kind order. */
  Map<String, Long> byKind() {
    Map<String, Long> counts = new TreeMap<>();
    byKind.forEach((kind, count) -> counts.put(kind, count.sum()));
    return counts;
  }

  /** The first error's message, or null when there was none. */
  String first() {
    return first.get();
  }
}
