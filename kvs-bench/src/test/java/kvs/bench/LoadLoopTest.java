package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop with sources that answer on other threads, or at once. */
@Timeout(30)
class LoadLoopTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService answers = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
    answers.shutdownNow();
  }

  /** Answers each request on another thread, tracking how many are in flight. */
  private static final class Tracking implements RequestSource {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final AtomicInteger issued = new AtomicInteger();
    private final ExecutorService answers;

    Tracking(ExecutorService answers) {
      this.answers = answers;
    }

    @Override
    public void issue(long seq, Completion done) {
      issued.incrementAndGet();
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      answers.execute(
          () -> {
            inFlight.decrementAndGet();
            done.complete(
                seq % 10 == 9 ? Outcome.failed("TEST", "every tenth fails") : Outcome.ok(1));
          });
    }
  }

  @Test
  void aClosedLoopKeepsAtMostNInFlightAndSendsExactlyTheCount() throws Exception {
    Tracking source = new Tracking(answers);
    Stats stats = new Stats();
    LoadLoop loop = new LoadLoop(source, 10_000, LoadLoop.UNLIMITED, 0, 8, stats, scheduler);
    long nanos = loop.start().get(20, TimeUnit.SECONDS);
    Measure measure = stats.measure(nanos);
    assertEquals(10_000, source.issued.get());
    assertTrue(source.most.get() <= 8, "never more than 8 in flight: " + source.most.get());
    assertEquals(9_000, measure.ops());
    assertEquals(1_000, measure.errors());
    assertEquals(9_000, measure.latencies().getTotalCount(), "latencies of answered requests only");
    assertEquals("every tenth fails", measure.firstError());
  }

  @Test
  void aClosedLoopFillsItsSlotsAndEachAnswerSendsExactlyOneMore() throws Exception {
    java.util.Deque<Completion> held = new java.util.ArrayDeque<>();
    RequestSource holding = (seq, done) -> held.add(done);
    Stats stats = new Stats();
    LoadLoop loop = new LoadLoop(holding, 20, LoadLoop.UNLIMITED, 0, 5, stats, scheduler);
    var end = loop.start();
    assertEquals(5, held.size(), "5 in flight at once");
    for (int answered = 1; answered <= 15; answered++) {
      held.poll().complete(Outcome.ok(1));
      assertEquals(5, held.size(), "still 5 in flight after " + answered + " answers");
      assertEquals(5 + answered, loop.issued());
    }
    while (!held.isEmpty()) {
      held.poll().complete(Outcome.ok(1));
    }
    assertEquals(20, stats.measure(end.get(5, TimeUnit.SECONDS)).ops());
  }

  @Test
  void answersDeliveredInsideIssueDoNotGrowTheStack() throws Exception {
    Stats stats = new Stats();
    RequestSource immediate = (seq, done) -> done.complete(Outcome.ok(1));
    LoadLoop loop = new LoadLoop(immediate, 300_000, LoadLoop.UNLIMITED, 0, 4, stats, scheduler);
    long nanos = loop.start().get(20, TimeUnit.SECONDS);
    assertEquals(300_000, stats.measure(nanos).ops());
  }

  @Test
  void anOpenLoopSendsAtItsRateAndStopsAtTheDuration() throws Exception {
    Tracking source = new Tracking(answers);
    Stats stats = new Stats();
    LoadLoop loop =
        new LoadLoop(
            source,
            LoadLoop.UNLIMITED,
            Duration.ofMillis(500).toNanos(),
            2_000,
            16,
            stats,
            scheduler);
    long nanos = loop.start().get(20, TimeUnit.SECONDS);
    // 2,000/s for 0.5 s: request i is due at i/2000 s, so 1,000 of them (0 to 999).
    assertEquals(1_000, source.issued.get());
    assertTrue(nanos >= Duration.ofMillis(499).toNanos(), "ran " + nanos + " ns");
  }

  @Test
  void anOpenLoopChargesTheWaitWhenTheServerFallsBehind() throws Exception {
    // One slot, answers after 5 ms, 1,000 requests/s wanted: the requests queue up, and their
    // latency, counted from when each was due, grows far beyond the 5 ms a request takes.
    ScheduledExecutorService slow = Executors.newSingleThreadScheduledExecutor();
    try {
      RequestSource fiveMs =
          (seq, done) ->
              slow.schedule(() -> done.complete(Outcome.ok(1)), 5, TimeUnit.MILLISECONDS);
      Stats stats = new Stats();
      LoadLoop loop = new LoadLoop(fiveMs, 100, LoadLoop.UNLIMITED, 1_000, 1, stats, scheduler);
      Measure measure = stats.measure(loop.start().get(20, TimeUnit.SECONDS));
      assertEquals(100, measure.ops());
      assertTrue(
          measure.maxMs() > 300,
          "the last request waited for the 99 before it: " + measure.maxMs() + " ms");
    } finally {
      slow.shutdownNow();
    }
  }

  @Test
  void stopEndsAnUnlimitedLoopOnceItsRequestsAreBack() throws Exception {
    Tracking source = new Tracking(answers);
    Stats stats = new Stats();
    LoadLoop loop =
        new LoadLoop(source, LoadLoop.UNLIMITED, LoadLoop.UNLIMITED, 0, 4, stats, scheduler);
    var end = loop.start();
    scheduler.schedule(loop::stop, 100, TimeUnit.MILLISECONDS);
    end.get(20, TimeUnit.SECONDS);
    assertEquals(0, source.inFlight.get());
    assertEquals(source.issued.get(), stats.measure(1).ops() + stats.measure(1).errors());
  }
}
