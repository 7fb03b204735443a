package kvs.server.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A ticker and stream timers that move only when a test says so; timers run on its thread. */
final class ManualTime implements Ticker, StreamTimers {
  private long nanos = 1_000_000_000L;
  private final List<Scheduled> scheduled = new ArrayList<>();

  private static final class Scheduled implements Timer {
    final long due;
    final Runnable task;
    boolean cancelled;

    Scheduled(long due, Runnable task) {
      this.due = due;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Override
  public long nanos() {
    return nanos;
  }

  @Override
  public Timer schedule(Runnable task, Duration delay) {
    Scheduled timer = new Scheduled(nanos + delay.toNanos(), task);
    scheduled.add(timer);
    return timer;
  }

  /** Moves time on by {@code delay}, running every timer that falls due on the way, in order. */
  void advance(Duration delay) {
    long until = nanos + delay.toNanos();
    while (true) {
      Scheduled next =
          scheduled.stream()
              .filter(s -> !s.cancelled && s.due <= until)
              .min(Comparator.comparingLong(s -> s.due))
              .orElse(null);
      if (next == null) {
        break;
      }
      scheduled.remove(next);
      nanos = Math.max(nanos, next.due);
      next.task.run();
    }
    nanos = until;
  }

  /** How many timers are set and not cancelled. */
  long pending() {
    return scheduled.stream().filter(s -> !s.cancelled).count();
  }
}
