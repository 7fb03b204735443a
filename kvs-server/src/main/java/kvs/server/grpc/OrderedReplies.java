package kvs.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The request side of a batch stream (InsereVarias, ConsultaVarias, RemoveVarias): handles each
 * request as it arrives, possibly concurrently, and answers exactly one reply per request, in
 * request order. Requests keep flowing while earlier answers are still being replicated, but at
 * most {@link #WINDOW} unanswered at a time: a client sending faster than the cluster applies waits
 * under gRPC flow control instead of piling writes up here until they time out.
 */
final class OrderedReplies<Q, A> implements StreamObserver<Q> {
  /** Requests taken but not yet answered, at most: two full replication batches. */
  static final int WINDOW = 2000;

  private final StreamObserver<A> replies;
  private final Function<Q, CompletableFuture<A>> handler;
  private final ServerCallStreamObserver<A> call; // null when flow control is not ours to drive
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null); // guarded by this

  /** Must be made inside the service method, before it returns. */
  OrderedReplies(StreamObserver<A> replies, Function<Q, CompletableFuture<A>> handler) {
    this.replies = replies;
    this.handler = handler;
    this.call = replies instanceof ServerCallStreamObserver<A> server ? server : null;
    if (call != null) {
      call.disableAutoRequest();
      call.request(WINDOW);
    }
  }

  @Override
  public void onNext(Q request) {
    CompletableFuture<A> answer = handler.apply(request);
    synchronized (this) {
      tail = tail.thenCombine(answer, (ignored, reply) -> send(reply));
    }
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled or failed; pending answers are dropped (send() tolerates it).
  }

  @Override
  public void onCompleted() {
    CompletableFuture<Void> last;
    synchronized (this) {
      last = tail;
    }
    last.whenComplete(
        (ignored, error) -> {
          try {
            if (error == null) {
              replies.onCompleted();
            } else {
              replies.onError(WireResults.failure(error));
            }
          } catch (StatusRuntimeException cancelled) {
            // The call is gone already.
          }
        });
  }

  private Void send(A reply) {
    try {
      replies.onNext(reply);
      if (call != null) {
        call.request(1); // one answered, one more may come in
      }
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.CANCELLED) {
        throw e;
      }
    }
    return null;
  }
}
