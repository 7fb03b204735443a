package kvs.server.replication;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the replication stream is handled: the messages the transport delivers, heartbeats and
 * catch-up timers. Each task runs at once on the thread that hands it in, but never two at a time
 * (they take one lock), so the stream's handlers may keep their state unsynchronized, as on a
 * single thread. Timed tasks run on a timer thread, under the same lock.
 *
 * <p>Why not one dedicated thread: a delivered message then runs on the MQTT client's own thread,
 * which saves two thread switches (a wake-up and a sleep) per message on every server.
 */
public final class StreamExecutor implements Executor, StreamTimers, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamExecutor.class);

  private final ReentrantLock lock = new ReentrantLock();
  private volatile boolean closed;
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "kvs-stream-timers");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * Runs {@code task} now, on this thread, once no other stream task is running; after {@link
   * #close}, does nothing.
   */
  @Override
  public void execute(Runnable task) {
    lock.lock();
    try {
      if (!closed) {
        task.run();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Timer schedule(Runnable task, Duration delay) {
    // Checked under the lock: a timer that fired while a stream task cancelled it must not run.
    AtomicBoolean cancelled = new AtomicBoolean();
    Runnable unlessCancelled =
        () -> {
          if (!cancelled.get()) {
            task.run();
          }
        };
    ScheduledFuture<?> scheduled =
        timers.schedule(
            () -> executeLogged(unlessCancelled), delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> {
      cancelled.set(true);
      scheduled.cancel(false);
    };
  }

  /** Runs {@code task} as a stream task every {@code interval}, first after one interval. */
  public void scheduleWithFixedDelay(Runnable task, Duration interval) {
    long nanos = interval.toNanos();
    timers.scheduleWithFixedDelay(() -> executeLogged(task), nanos, nanos, TimeUnit.NANOSECONDS);
  }

  // A timed task's failure would vanish into its future (and end a periodic one): log it instead.
  private void executeLogged(Runnable task) {
    try {
      execute(task);
    } catch (RuntimeException | Error e) {
      log.error("A timed stream task failed", e);
    }
  }

  /**
   * Stops the timers and waits briefly for a running stream task to end; no stream task runs after
   * that.
   */
  @Override
  public void close() {
    closed = true; // checked under the lock: no stream task starts after this
    timers.shutdownNow();
    try {
      if (lock.tryLock(2, TimeUnit.SECONDS)) {
        lock.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
