package kvs.bench;

import io.grpc.Metadata;
import io.grpc.Status;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAccumulator;
import kvs.proto.Tupla;

/**
 * Runs one benchmark: checks that every target answers, loads the key space when asked, runs the
 * warm-up (results dropped), then the measured phase.
 */
final class Benchmark {
  /** InsereVarias streams in flight while loading the key space. */
  private static final int LOAD_STREAMS = 4;

  private final BenchConfig config;
  private final Driver driver;
  private final ScheduledExecutorService scheduler;
  private final PrintWriter err;

  private final KeySpace keySpace;
  private final NumberedText values;

  /** Lag probes write keys of their own, new in every run. */
  private final NumberedText probeKeys;

  /** Where the next phase's requests start in the key space, so distinct keys stay distinct. */
  private long base;

  Benchmark(
      BenchConfig config, Driver driver, ScheduledExecutorService scheduler, PrintWriter err) {
    this.config = config;
    this.driver = driver;
    this.scheduler = scheduler;
    this.err = err;
    this.keySpace = new KeySpace(new NumberedText("bench-", config.keySize()), config.keys());
    this.values = new NumberedText("v", config.valueSize());
    this.probeKeys = new NumberedText("lag" + runTag() + "-", config.keySize());
  }

  RunResult run() throws BenchException {
    checkTargets();
    long loadStart = System.nanoTime();
    long loaded = config.loads() ? load() : 0;
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    if (!config.warmup().isZero()) {
      say("warming up for %s", config.warmup());
      runPhase("warm-up", LoadLoop.UNLIMITED, config.warmup().toNanos());
    }
    long durationNanos = config.timed() ? config.duration().toNanos() : LoadLoop.UNLIMITED;
    Phase measured = runPhase("run", config.count(), durationNanos);
    return new RunResult(
        measured.main(),
        measured.lag(),
        measured.load(),
        measured.snapshots() == null
            ? null
            : new long[] {measured.snapshots().fewest(), measured.snapshots().most()},
        loaded,
        loadSeconds);
  }

  // ---- Before the run ----

  /** One read on every target: unreachable, not serving or the wrong service stops the run. */
  private void checkTargets() throws BenchException {
    for (int i = 0; i < config.targets().size(); i++) {
      CompletableFuture<Outcome> answer = new CompletableFuture<>();
      driver.get(i, keySpace.key(0), answer::complete);
      Outcome outcome = await(answer);
      if (outcome.errors() > 0) {
        throw new BenchException(
            BenchCommand.EXIT_UNREACHABLE,
            config.targets().get(i)
                + " does not answer as "
                + config.system().label()
                + ": "
                + outcome.errorMessage());
      }
    }
  }

  /** Loads keys 0 to K-1 of the key space; returns K. */
  private long load() throws BenchException {
    long keys = config.keys();
    say("loading %,d keys", keys);
    Stats stats = new Stats();
    LongAccumulator position = new LongAccumulator(Math::max, -1);
    KeySpace loadKeys = new KeySpace(keySpace.format(), 0);
    LoadLoop loop;
    if (driver instanceof KvsDriver kvs) {
      RequestSource source =
          new BatchSource(
              kvs,
              config.targets().size(),
              config.batch(),
              keys,
              loadKeys,
              values,
              0,
              position::accumulate);
      loop =
          new LoadLoop(
              source,
              BatchSource.streamsFor(keys, config.batch()),
              LoadLoop.UNLIMITED,
              0,
              LOAD_STREAMS,
              stats,
              scheduler);
    } else {
      RequestSource source = new PutSource(driver, config.targets().size(), loadKeys, values, 0);
      loop =
          new LoadLoop(
              source,
              keys,
              LoadLoop.UNLIMITED,
              0,
              Math.max(config.concurrency(), 16),
              stats,
              scheduler);
    }
    long nanos = await(loop.start());
    Measure measure = stats.measure(nanos);
    if (measure.errors() > 0) {
      throw new BenchException(
          BenchCommand.EXIT_UNREACHABLE,
          String.format(
              Locale.ROOT,
              "loading the keys failed: %,d errors; first: %s",
              measure.errors(),
              measure.firstError()));
    }
    if (driver instanceof KvsDriver kvs && position.get() >= 0) {
      awaitApplied(kvs, position.get());
    }
    say("loaded %,d keys in %.3f s", keys, measure.seconds());
    return keys;
  }

  /** Waits until every target has applied the load (a read with kvs-min-position on each). */
  private void awaitApplied(KvsDriver kvs, long position) throws BenchException {
    for (int i = 0; i < config.targets().size(); i++) {
      CompletableFuture<Status> applied = new CompletableFuture<>();
      kvs.getAt(
          i,
          keySpace.key(0),
          position,
          new RawCalls.Answer<Tupla>() {
            @Override
            public void answered(Tupla answer, Metadata trailers) {
              applied.complete(Status.OK);
            }

            @Override
            public void failed(Status status) {
              applied.complete(status);
            }
          });
      Status status = await(applied);
      if (!status.isOk()) {
        throw new BenchException(
            BenchCommand.EXIT_UNREACHABLE,
            config.targets().get(i)
                + " did not apply the loaded keys: "
                + Outcome.describe(status));
      }
    }
  }

  // ---- Phases ----

  /** What one phase measured; the fields other than main are null when the workload has none. */
  private record Phase(Measure main, Measure lag, Measure load, SnapshotSource snapshots) {}

  private Phase runPhase(String name, long count, long durationNanos) {
    int targets = config.targets().size();
    Stats main = new Stats();
    Stats lag = null;
    Stats load = null;
    SnapshotSource snapshots = null;
    RequestSource source;
    long loopCount = count;
    double rate = config.rate();
    long phaseBase = base;
    long advance; // how far this phase moves base, per request issued
    switch (config.workload()) {
      case INSERE -> {
        source = new PutSource(driver, targets, keySpace, values, phaseBase);
        advance = 1;
      }
      case CONSULTA -> {
        source = new GetSource(driver, targets, keySpace, phaseBase);
        advance = 1;
      }
      case MIXED -> {
        source =
            new MixedSource(
                new GetSource(driver, targets, keySpace, phaseBase),
                new PutSource(driver, targets, keySpace, values, phaseBase),
                config.readRatio());
        advance = 1;
      }
      case INSERE_VARIAS -> {
        source =
            new BatchSource(
                kvs(), targets, config.batch(), count, keySpace, values, phaseBase, p -> {});
        loopCount = BatchSource.streamsFor(count, config.batch());
        advance = config.batch();
      }
      case SNAPSHOT -> {
        snapshots = new SnapshotSource(kvs(), targets, config.keys());
        source = snapshots;
        advance = 0;
      }
      case LAG -> {
        lag = new Stats();
        source = new LagProbeSource(kvs(), 0, 1, probeKeys, values, phaseBase, lag);
        rate = config.probeRate();
        advance = 1;
        if (config.rate() > 0) {
          load = new Stats();
        }
      }
      default -> throw new IllegalStateException("workload " + config.workload());
    }

    List<LoadLoop> loops = new ArrayList<>();
    List<Progress.Line> lines = new ArrayList<>();
    loops.add(
        new LoadLoop(
            source, loopCount, durationNanos, rate, config.concurrency(), main, scheduler));
    lines.add(new Progress.Line(config.workload() == Workload.LAG ? "probes" : "ops", main));
    if (load != null) {
      // The background writes: a key space apart from the probes', spread over every target.
      RequestSource writes = new PutSource(driver, targets, keySpace, values, phaseBase);
      loops.add(
          new LoadLoop(
              writes,
              LoadLoop.UNLIMITED,
              LoadLoop.UNLIMITED,
              config.rate(),
              config.concurrency(),
              load,
              scheduler));
      lines.add(new Progress.Line("load", load));
    }

    Progress progress = config.quiet() ? null : Progress.start(scheduler, err, name, lines);
    long[] nanos = new long[loops.size()];
    try {
      List<CompletableFuture<Long>> ends = new ArrayList<>();
      for (int i = loops.size() - 1; i >= 0; i--) {
        ends.add(0, loops.get(i).start()); // the background load first
      }
      nanos[0] = await(ends.get(0));
      for (int i = 1; i < loops.size(); i++) {
        loops.get(i).stop();
        nanos[i] = await(ends.get(i));
      }
    } finally {
      if (progress != null) {
        progress.close();
      }
    }
    long issued = loops.get(0).issued();
    base = phaseBase + issued * advance;
    if (loops.size() > 1) {
      base = Math.max(base, phaseBase + loops.get(1).issued());
    }
    return new Phase(
        main.measure(nanos[0]),
        lag == null ? null : lag.measure(nanos[0]),
        load == null ? null : load.measure(nanos[1]),
        snapshots);
  }

  private KvsDriver kvs() {
    return (KvsDriver) driver;
  }

  // ---- Helpers ----

  private void say(String format, Object... args) {
    if (!config.quiet()) {
      err.println("kvs-bench: " + String.format(Locale.ROOT, format, args));
      err.flush();
    }
  }

  /** Waits for a future that always completes (every call has a deadline). */
  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Four random letters and digits, so that two runs' probes never write the same key. */
  private static String runTag() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder tag = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      tag.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return tag.toString();
  }
}
