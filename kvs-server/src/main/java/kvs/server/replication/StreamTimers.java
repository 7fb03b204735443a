package kvs.server.replication;

import java.time.Duration;

/**
 * Runs tasks as stream tasks after a delay (see {@link StreamExecutor}); tests step them by hand.
 */
public interface StreamTimers {
  /** A task scheduled with {@link #schedule}. */
  interface Timer {
    /** The task will not run, if this is called from a stream task before it has started. */
    void cancel();
  }

  /** Runs {@code task} as a stream task after {@code delay}. */
  Timer schedule(Runnable task, Duration delay);
}
