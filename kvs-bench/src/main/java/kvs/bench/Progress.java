package kvs.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One line per second on stderr while a phase runs, from its third second on (short runs stay
 * quiet): operations so far, the last second's rate and p99, errors.
 */
final class Progress implements AutoCloseable {
  /** Lines start once a phase has run this long. */
  static final long FIRST_LINE_SECONDS = 3;

  /** A stream of requests to report on. */
  record Line(String label, Stats stats) {}

  private final PrintWriter err;
  private final String phase;
  private final List<Line> lines;
  private final long[] lastOps;
  private final long startNanos = System.nanoTime();
  private final ScheduledFuture<?> ticks;
  private long seconds;
  private boolean closed;

  private Progress(
      ScheduledExecutorService scheduler, PrintWriter err, String phase, List<Line> lines) {
    this.err = err;
    this.phase = phase;
    this.lines = List.copyOf(lines);
    this.lastOps = new long[lines.size()];
    this.ticks = scheduler.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  static Progress start(
      ScheduledExecutorService scheduler, PrintWriter err, String phase, List<Line> lines) {
    return new Progress(scheduler, err, phase, lines);
  }

  private synchronized void tick() {
    if (closed) {
      return;
    }
    seconds++;
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%s %3ds:", phase, seconds));
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      long ops = line.stats().ops();
      Histogram lastSecond = line.stats().interval();
      text.append(
          String.format(
              Locale.ROOT,
              "%s %s %,d (%,d/s now, p99 %.3f ms), errors %,d",
              i == 0 ? "" : " |",
              line.label(),
              ops,
              ops - lastOps[i],
              lastSecond.getTotalCount() == 0 ? 0.0 : lastSecond.getValueAtPercentile(99) / 1000.0,
              line.stats().errors()));
      lastOps[i] = ops;
    }
    if ((System.nanoTime() - startNanos) >= TimeUnit.SECONDS.toNanos(FIRST_LINE_SECONDS)) {
      err.println(text);
      err.flush();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    ticks.cancel(false);
  }
}
