package kvs.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives one stream of requests from callbacks, without a thread per request.
 *
 * <ul>
 *   <li>Closed loop ({@code rate == 0}): exactly {@code maxInFlight} requests in flight; each
 *       answer issues the next. Latency is measured from the moment a request is sent.
 *   <li>Open loop ({@code rate > 0}): request {@code i} is due at {@code start + i / rate} whatever
 *       the answers do, and its latency is measured from that intended time, so a server that
 *       stalls is charged for every request it delayed (no coordinated omission, as in wrk2). At
 *       most {@code maxInFlight} are in flight; due requests beyond that wait, and the wait counts.
 * </ul>
 *
 * <p>The loop ends after {@code count} requests or once {@code durationNanos} has passed (no
 * request is sent after that; those in flight are waited for), or on {@link #stop()}.
 */
final class LoadLoop {
  /** Unlimited count or duration. */
  static final long UNLIMITED = Long.MAX_VALUE;

  private final RequestSource source;
  private final long count;
  private final long durationNanos;
  private final double rate;
  private final int maxInFlight;
  private final Stats stats;
  private final ScheduledExecutorService scheduler;

  private final AtomicLong issued = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CompletableFuture<Long> drained = new CompletableFuture<>();

  /**
   * Set on the thread that is issuing: an answer that arrives inside issue() leaves the next to it.
   */
  private final ThreadLocal<boolean[]> issuing = ThreadLocal.withInitial(() -> new boolean[1]);

  private volatile boolean exhausted;
  private volatile long startNanos;

  LoadLoop(
      RequestSource source,
      long count,
      long durationNanos,
      double rate,
      int maxInFlight,
      Stats stats,
      ScheduledExecutorService scheduler) {
    if (count < 0 || durationNanos <= 0 || rate < 0 || maxInFlight < 1) {
      throw new IllegalArgumentException(
          "count "
              + count
              + ", duration "
              + durationNanos
              + ", rate "
              + rate
              + ", in flight "
              + maxInFlight);
    }
    this.source = source;
    this.count = count;
    this.durationNanos = durationNanos;
    this.rate = rate;
    this.maxInFlight = maxInFlight;
    this.stats = stats;
    this.scheduler = scheduler;
  }

  /**
   * Starts sending; the future completes with the phase's duration in nanoseconds (first request to
   * last answer) once the last request has ended.
   */
  CompletableFuture<Long> start() {
    startNanos = System.nanoTime();
    if (count == 0) {
      stop();
    }
    // No timer for the duration: every attempt to send checks the time (the open loop: the
    // request's intended time, so every request due before the end is sent, however late).
    if (rate > 0) {
      scheduler.execute(this::pace);
    } else {
      pump();
    }
    return drained;
  }

  /** Sends no more requests; the future completes once those in flight have ended. */
  void stop() {
    exhausted = true;
    checkDrained();
  }

  /** Requests sent so far. */
  long issued() {
    return Math.min(issued.get(), count);
  }

  // ---- Issuing ----

  /** Issues requests while one is due and a slot is free. */
  private void pump() {
    boolean[] busy = issuing.get();
    if (busy[0]) {
      return; // an answer delivered inside issue(): the loop below goes on issuing
    }
    busy[0] = true;
    try {
      while (issueOne()) {
        // next
      }
    } finally {
      busy[0] = false;
    }
  }

  /** Issues one request if one is due and a slot is free; false when none was. */
  private boolean issueOne() {
    if (exhausted) {
      return false;
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      release();
      return false;
    }
    long now = System.nanoTime();
    long seq;
    long sentAt;
    do {
      seq = issued.get();
      sentAt = rate > 0 ? intendedNanos(seq) : now;
      if (seq >= count || sentAt - startNanos >= durationNanos) {
        exhausted = true;
        release();
        return false;
      }
      if (sentAt > now) {
        release(); // open loop: not due yet
        return false;
      }
    } while (!issued.compareAndSet(seq, seq + 1));
    long from = sentAt;
    try {
      source.issue(seq, outcome -> answered(from, outcome));
    } catch (RuntimeException e) {
      answered(from, Outcome.failed("CLIENT", e.toString()));
    }
    return true;
  }

  private void answered(long sentAt, Outcome outcome) {
    stats.record(System.nanoTime() - sentAt, outcome);
    release();
    pump();
  }

  private void release() {
    inFlight.decrementAndGet();
    checkDrained();
  }

  private void checkDrained() {
    if (exhausted && inFlight.get() == 0 && !drained.isDone()) {
      drained.complete(System.nanoTime() - startNanos);
    }
  }

  // ---- Pacing (open loop) ----

  private long intendedNanos(long seq) {
    return startNanos + (long) (seq * 1e9 / rate);
  }

  /** Runs on the scheduler: sends what is due, then sleeps until the next request is due. */
  private void pace() {
    pump();
    if (exhausted) {
      return;
    }
    long delay;
    if (inFlight.get() >= maxInFlight) {
      delay = TimeUnit.MILLISECONDS.toNanos(1); // answers send the due requests meanwhile
    } else {
      delay = Math.max(intendedNanos(issued.get()) - System.nanoTime(), 0);
    }
    scheduler.schedule(this::pace, delay, TimeUnit.NANOSECONDS);
  }
}
