package kvs.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import kvs.core.Entry;
import kvs.proto.Tupla;
import kvs.server.state.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one {@code Snapshot} call's answer with gRPC flow control, so that a snapshot of any size
 * takes the server one page of memory and the client sets the pace. A page is read from a snapshot
 * cursor (under the replica's read lock, released before sending), then sent while the call is
 * ready; the rest waits for the call's next on-ready signal. The answer is the state at the moment
 * the cursor was opened, whatever is applied meanwhile. The cursor is closed when the answer ends,
 * fails, or the call is cancelled.
 *
 * <p>Every signal (the call being ready or cancelled, the client's read-your-writes wait ending)
 * runs {@link #drain}, on whatever thread it comes from; drain runs its steps on one thread at a
 * time and never blocks.
 */
final class SnapshotStream {
  private static final Logger log = LoggerFactory.getLogger(SnapshotStream.class);

  /** Entries read from the store at a time: bounds the time the read lock is held. */
  static final int PAGE = 512;

  private final ServerCallStreamObserver<Tupla> call;
  private final Replica replica;
  private final int version;
  private final CallMetadata.Call metadata;
  private final AtomicInteger pendingSignals = new AtomicInteger();

  // Set once when the wait ends (before mayStart), read by drain.
  private volatile Throwable waitFailure;
  private volatile boolean mayStart;

  // Touched only by drain, which runs on one thread at a time.
  private Replica.OpenSnapshot snapshot;
  private List<Entry> page = List.of();
  private int nextInPage;
  private boolean sentAny;
  private boolean finished;

  /** Must be made while the call's handler runs: gRPC takes the call's callbacks only then. */
  SnapshotStream(
      ServerCallStreamObserver<Tupla> call,
      Replica replica,
      int version,
      CallMetadata.Call metadata) {
    this.call = call;
    this.replica = replica;
    this.version = version;
    this.metadata = metadata;
    call.setOnReadyHandler(this::drain);
    call.setOnCancelHandler(this::drain);
  }

  /** Starts answering once {@code ready} completes; fails the call with its error if it fails. */
  void startAfter(CompletableFuture<Void> ready) {
    ready.whenComplete(
        (ignored, error) -> {
          waitFailure = error;
          mayStart = true;
          drain();
        });
  }

  // A signal that comes while another thread drains is not lost: that thread steps once more.
  private void drain() {
    if (pendingSignals.getAndIncrement() != 0) {
      return;
    }
    int signals = 1;
    do {
      try {
        step();
      } catch (RuntimeException e) {
        fail(e);
      }
      signals = pendingSignals.addAndGet(-signals);
    } while (signals != 0);
  }

  private void step() {
    if (finished || !mayStart) {
      return;
    }
    if (call.isCancelled()) {
      finish();
      return;
    }
    if (waitFailure != null) {
      finished = true;
      call.onError(WireResults.failure(waitFailure));
      return;
    }
    if (snapshot == null) {
      snapshot = replica.openSnapshot(version);
      metadata.reflects(snapshot.position());
    }
    while (call.isReady()) {
      if (nextInPage < page.size()) {
        call.onNext(WireResults.tupla(page.get(nextInPage++)));
        sentAny = true;
      } else if (!snapshot.cursor().isDone()) {
        page = replica.readSnapshot(snapshot.cursor(), PAGE);
        nextInPage = 0;
      } else {
        if (!sentAny) {
          call.onNext(WireResults.BLANK); // the contract's answer when no key qualifies
        }
        finish();
        call.onCompleted();
        return;
      }
    }
  }

  private void finish() {
    finished = true;
    page = List.of();
    if (snapshot != null) {
      replica.closeSnapshot(snapshot.cursor());
    }
  }

  private void fail(RuntimeException e) {
    boolean report = !finished;
    finish();
    if (report) {
      log.warn("Snapshot failed", e);
      try {
        call.onError(WireResults.failure(e));
      } catch (RuntimeException closed) {
        log.debug("Could not report the failure to the client: {}", closed.toString());
      }
    }
  }
}
