package kvs.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one stream of requests did: operations, items, reads that found nothing, errors, and the
 * latencies of the answered requests in microseconds (1 µs to 60 s, 3 significant digits).
 * Recording is wait-free and safe from many threads.
 */
final class Stats {
  /** The highest latency kept; longer ones are recorded as this. */
  static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(60);

  private final Recorder recorder = new Recorder(1, MAX_MICROS, 3);
  private final Histogram total = new Histogram(1, MAX_MICROS, 3);
  private final LongAdder ops = new LongAdder();
  private final LongAdder items = new LongAdder();
  private final LongAdder notFound = new LongAdder();
  private final ErrorTally errors = new ErrorTally();

  /**
   * Records one request's end; its latency only when it was answered (errors are counted apart).
   */
  void record(long latencyNanos, Outcome outcome) {
    if (outcome.answered()) {
      recordLatency(latencyNanos);
      ops.increment();
      items.add(outcome.items());
      notFound.add(outcome.notFound());
    }
    if (outcome.errors() > 0) {
      errors.add(outcome.errorKind(), outcome.errors(), outcome.errorMessage());
    }
  }

  /** Records a measured time only, such as a replication lag. */
  void recordLatency(long nanos) {
    recorder.recordValue(Math.min(MAX_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos))));
  }

  long ops() {
    return ops.sum();
  }

  long errors() {
    return errors.total();
  }

  /** The latencies recorded since the previous call (and adds them to the total). */
  synchronized Histogram interval() {
    Histogram interval = recorder.getIntervalHistogram();
    total.add(interval);
    return interval;
  }

  /** Everything recorded so far, as the result of a phase that took {@code durationNanos}. */
  synchronized Measure measure(long durationNanos) {
    interval();
    return new Measure(
        ops.sum(),
        items.sum(),
        notFound.sum(),
        errors.total(),
        errors.byKind(),
        errors.first(),
        durationNanos,
        total.copy());
  }
}
