package kvs.server.watch;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import kvs.proto.watch.WatchGrpc;
import kvs.proto.watch.WatchRequest;
import kvs.proto.watch.WatchResponse;
import kvs.server.state.ChangeHistory;

/**
 * The {@code kvs.watch.v1.Watch} service: each call is a {@link WatchStream} on the replica's
 * change history. Watch streams are pumped by a small pool of their own, never by the stream's
 * thread, and are told the position every {@code progressInterval} when nothing matching changed.
 *
 * <p>New entries wake the watchers at most once every {@link #LINGER}: under load a wake-up carries
 * many entries, instead of one thread hand-off per entry per watcher.
 */
public final class WatchService extends WatchGrpc.WatchImplBase implements AutoCloseable {
  /** How often a watcher with nothing new hears the position. */
  public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

  /** How long new entries may wait for their watchers to be woken. */
  static final Duration LINGER = Duration.ofMillis(2);

  private final ChangeHistory history;
  private final BooleanSupplier caughtUp;
  private final int maxPrefixBytes;
  private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
  private final ExecutorService pumps = Executors.newFixedThreadPool(2, daemon("kvs-watch"));
  private final ScheduledExecutorService ticks =
      Executors.newSingleThreadScheduledExecutor(daemon("kvs-watch-progress"));
  private final AtomicBoolean wakeUpDue = new AtomicBoolean();

  public WatchService(
      ChangeHistory history, BooleanSupplier caughtUp, int maxPrefixBytes, Duration progress) {
    this.history = history;
    this.caughtUp = caughtUp;
    this.maxPrefixBytes = maxPrefixBytes;
    long every = progress.toNanos();
    ticks.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.NANOSECONDS);
    history.subscribe(this::entriesAppended);
  }

  // On the stream's thread: only schedules.
  private void entriesAppended() {
    if (!streams.isEmpty() && wakeUpDue.compareAndSet(false, true)) {
      try {
        ticks.schedule(
            () -> {
              wakeUpDue.set(false);
              streams.forEach(WatchStream::entriesAppended);
            },
            LINGER.toNanos(),
            TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // shutting down: the watches are being ended
      }
    }
  }

  @Override
  public void watch(WatchRequest request, StreamObserver<WatchResponse> responses) {
    if (request.getFromPosition() < 0) {
      responses.onError(
          Status.INVALID_ARGUMENT
              .withDescription("from_position must be 0 or more, got " + request.getFromPosition())
              .asRuntimeException());
      return;
    }
    int prefixBytes = request.getPrefix().getBytes(StandardCharsets.UTF_8).length;
    if (prefixBytes > maxPrefixBytes) {
      responses.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "the prefix is "
                      + prefixBytes
                      + " bytes, longer than a key may be ("
                      + maxPrefixBytes
                      + ")")
              .asRuntimeException());
      return;
    }
    WatchStream stream =
        new WatchStream(
            (ServerCallStreamObserver<WatchResponse>) responses,
            history,
            caughtUp,
            pumps,
            request.getPrefix(),
            request.getFromPosition(),
            request.getOmitValues());
    streams.add(stream);
    stream.wake();
  }

  /** Watch streams open now. */
  public int openStreams() {
    streams.removeIf(WatchStream::done);
    return streams.size();
  }

  private void tick() {
    streams.removeIf(WatchStream::done);
    streams.forEach(WatchStream::tick);
  }

  /** Ends every watch (UNAVAILABLE: they resume on another server) and stops the pumps. */
  @Override
  public void close() {
    ticks.shutdownNow();
    streams.forEach(WatchStream::close);
    pumps.shutdown();
    try {
      pumps.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pumps.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
