package kvs.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The result of one stream of requests over one phase.
 *
 * @param ops answered requests (successful, or reads that found nothing)
 * @param items successful items (1 per unary request; per stream item or snapshot entry)
 * @param notFound reads that found no value
 * @param errors failed requests or items
 * @param errorKinds errors by kind
 * @param firstError the first error's message, or null
 * @param durationNanos from the first request sent to the last answer
 * @param latencies the answered requests' latencies, in microseconds
 */
record Measure(
    long ops,
    long items,
    long notFound,
    long errors,
    Map<String, Long> errorKinds,
    String firstError,
    long durationNanos,
    Histogram latencies) {

  double seconds() {
    return durationNanos / 1e9;
  }

  double opsPerSecond() {
    return durationNanos == 0 ? 0 : ops / seconds();
  }

  double itemsPerSecond() {
    return durationNanos == 0 ? 0 : items / seconds();
  }

  /** The latency at {@code percentile} (0 to 100) in ms, or null without any sample. */
  Double percentileMs(double percentile) {
    return latencies.getTotalCount() == 0
        ? null
        : latencies.getValueAtPercentile(percentile) / 1000.0;
  }

  /** The highest latency in ms, or null without any sample. */
  Double maxMs() {
    return latencies.getTotalCount() == 0 ? null : latencies.getMaxValue() / 1000.0;
  }
}
