package kvs.server.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stream tasks run on the caller's thread, never two at a time, and timers run as stream tasks. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamExecutorTest {
  private final StreamExecutor stream = new StreamExecutor();

  @AfterEach
  void close() {
    stream.close();
  }

  @Test
  void aTaskRunsAtOnceOnTheCallersThread() {
    Thread caller = Thread.currentThread();
    AtomicBoolean ranHere = new AtomicBoolean();
    stream.execute(() -> ranHere.set(Thread.currentThread() == caller));
    assertTrue(ranHere.get());
  }

  @Test
  void tasksFromManyThreadsNeverOverlap() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    int[] unsynchronizedCounter = {0};
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 20_000; i++) {
                  stream.execute(
                      () -> {
                        if (running.incrementAndGet() != 1) {
                          overlaps.incrementAndGet();
                        }
                        unsynchronizedCounter[0]++;
                        running.decrementAndGet();
                      });
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(0, overlaps.get());
    assertEquals(80_000, unsynchronizedCounter[0]);
  }

  @Test
  void aScheduledTaskRunsLaterUnderTheSameLock() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    AtomicBoolean overlapped = new AtomicBoolean();
    AtomicBoolean inTask = new AtomicBoolean();
    stream.schedule(
        () -> {
          overlapped.set(inTask.get());
          ran.countDown();
        },
        Duration.ofMillis(50));
    // A long stream task while the timer fires: the timer must wait for it.
    stream.execute(
        () -> {
          inTask.set(true);
          await("the timer to be due")
              .atMost(Duration.ofSeconds(5))
              .until(() -> ran.getCount() == 1 && timerFired());
          inTask.set(false);
        });
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    assertFalse(overlapped.get());
  }

  @Test
  void aTimerCancelledByAStreamTaskDoesNotRunEvenWhenItHadAlreadyFired() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    StreamTimers.Timer timer = stream.schedule(() -> ran.set(true), Duration.ofMillis(20));
    stream.execute(
        () -> {
          // The timer fires meanwhile and waits for the lock; cancelling it now must still work.
          await("the timer to fire").atMost(Duration.ofSeconds(5)).until(this::timerFired);
          timer.cancel();
        });
    CountDownLatch after = new CountDownLatch(1);
    stream.schedule(after::countDown, Duration.ofMillis(1));
    assertTrue(after.await(5, TimeUnit.SECONDS));
    assertFalse(ran.get());
  }

  @Test
  void aPeriodicTaskRunsAgainAndAgain() {
    AtomicInteger runs = new AtomicInteger();
    stream.scheduleWithFixedDelay(runs::incrementAndGet, Duration.ofMillis(10));
    await("three runs").atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
  }

  /** True once the timer thread has fired a task and waits for the stream lock to run it. */
  private boolean timerFired() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().equals("kvs-stream-timers"))
        .anyMatch(
            e ->
                e.getKey().getState() == Thread.State.WAITING
                    && java.util.Arrays.stream(e.getValue())
                        .anyMatch(
                            frame ->
                                frame.getMethodName().equals("execute")
                                    && frame
                                        .getClassName()
                                        .equals(StreamExecutor.class.getName())));
  }
}
