package kvs.server.watch;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import kvs.core.replication.Change;
import kvs.proto.KvsErrorReason;
import kvs.proto.watch.WatchEvent;
import kvs.proto.watch.WatchResponse;
import kvs.server.state.ChangeHistory;

/**
 * One watcher: reads the change history from its position and sends what matches, only while gRPC
 * says the watcher can take more. It holds no events of its own, only its position, so a slow
 * watcher costs no memory and never holds the stream back; one that falls behind the history held
 * is cut ({@link KvsErrorReason#WATCH_TOO_SLOW}).
 *
 * <p>Every wake-up (new entries, the watcher ready for more, a progress tick) runs one pump; pumps
 * never overlap (the usual work-in-progress counter), on the given executor.
 */
final class WatchStream {
  /** About this much of changes is read, and sent, at a time. */
  private static final long PAGE_BYTES = 256 << 10;

  private final ServerCallStreamObserver<WatchResponse> out;
  private final ChangeHistory history;
  private final BooleanSupplier caughtUp;
  private final Executor executor;
  private final String prefix;
  private final boolean omitValues;
  private final AtomicInteger wakeUps = new AtomicInteger();
  private long position; // touched by pumps only
  private boolean started; // touched by pumps only
  private boolean sentSinceTick; // touched by pumps only
  // Due at once too: the first answer tells the watcher its watch has started, and where.
  private volatile boolean progressDue = true;
  private volatile boolean closing;
  private volatile boolean done;

  WatchStream(
      ServerCallStreamObserver<WatchResponse> out,
      ChangeHistory history,
      BooleanSupplier caughtUp,
      Executor executor,
      String prefix,
      long fromPosition,
      boolean omitValues) {
    this.out = out;
    this.history = history;
    this.caughtUp = caughtUp;
    this.executor = executor;
    this.prefix = prefix;
    this.position = fromPosition;
    this.omitValues = omitValues;
    out.setOnReadyHandler(this::wake);
    out.setOnCancelHandler(this::finish);
  }

  /** Due every progress interval: tells a watcher with nothing new where the stream is. */
  void tick() {
    progressDue = true;
    wake();
  }

  boolean done() {
    return done;
  }

  /** New entries: a watcher that cannot take more now is woken by gRPC when it can. */
  void entriesAppended() {
    if (out.isReady()) {
      wake();
    }
  }

  void wake() {
    if (!done && wakeUps.getAndIncrement() == 0) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    int missed = 1;
    do {
      try {
        pump();
      } catch (RuntimeException e) {
        fail(Status.INTERNAL.withDescription("watch failed: " + e).asRuntimeException());
      }
      missed = wakeUps.addAndGet(-missed);
    } while (missed != 0);
  }

  private void pump() {
    if (closing) {
      fail(Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException());
    }
    // While catching up, this server's positions may not be the cluster's: wait.
    if (done || !caughtUp.getAsBoolean()) {
      return;
    }
    try {
      history.checkHeld(
          position); // also while the watcher takes nothing: it is cut, not waited for
      while (out.isReady() && !done) {
        ChangeHistory.Page page = history.read(position, PAGE_BYTES);
        started = true;
        for (ChangeHistory.Entry entry : page.entries()) {
          WatchResponse.Builder answer = WatchResponse.newBuilder().setPosition(entry.position());
          for (Change change : entry.changes()) {
            if (change.key().startsWith(prefix)) {
              answer.addEvents(event(entry.position(), change));
            }
          }
          if (answer.getEventsCount() > 0) {
            out.onNext(answer.build());
            sentSinceTick = true;
          }
        }
        boolean moved = page.position() > position;
        position = page.position();
        if (!moved) {
          break;
        }
      }
      if (progressDue && out.isReady() && !done) {
        progressDue = false;
        if (!sentSinceTick) {
          out.onNext(WatchResponse.newBuilder().setPosition(position).build());
        }
        sentSinceTick = false;
      }
    } catch (ChangeHistory.TrimmedException e) {
      fail(trimmed(e));
    }
  }

  private RuntimeException trimmed(ChangeHistory.TrimmedException e) {
    Map<String, String> oldest = Map.of(KvsErrorReason.OLDEST_POSITION, Long.toString(e.oldest()));
    if (!started || e.restarted()) {
      return KvsErrorReason.HISTORY_TRIMMED.toException(
          Status.Code.OUT_OF_RANGE,
          "this server no longer holds the changes after position "
              + position
              + (e.restarted() ? " (its state was replaced at position " + e.oldest() + ")" : "")
              + "; the oldest position it can watch from is "
              + e.oldest()
              + ": take a snapshot and watch from its position",
          oldest);
    }
    return KvsErrorReason.WATCH_TOO_SLOW.toException(
        Status.Code.OUT_OF_RANGE,
        "the watcher read too slowly: the changes after position "
            + position
            + " left the server's history before it took them (the oldest held is "
            + e.oldest()
            + ")",
        oldest);
  }

  private WatchEvent event(long position, Change change) {
    WatchEvent.Builder event =
        WatchEvent.newBuilder()
            .setPosition(position)
            .setKey(change.key())
            .setVersion(change.version())
            .setKind(
                switch (change.kind()) {
                  case PUT -> WatchEvent.Kind.PUT;
                  case REMOVE_VERSION -> WatchEvent.Kind.REMOVE_VERSION;
                  case REMOVE_ALL -> WatchEvent.Kind.REMOVE_ALL;
                });
    if (change.value() != null && !omitValues) {
      event.setValue(change.value());
    }
    return event.build();
  }

  private void fail(RuntimeException error) {
    if (!done) {
      finish();
      out.onError(error);
    }
  }

  /** Ends the stream from the server's side (shutting down), from its own pump. */
  void close() {
    closing = true;
    wake();
  }

  private void finish() {
    done = true;
  }
}
