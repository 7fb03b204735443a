package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import kvs.client.KvsException;
import kvs.client.KvsException.Code;

/**
 * One batch over a bidirectional stream whose server answers each request with exactly one reply,
 * in order: sends every request as flow control allows, half-closes, and collects the replies.
 *
 * @param <ReqT> the request message
 * @param <RespT> the reply message
 */
final class BidiBatch<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT> {

  private final Iterator<ReqT> pending;
  private final int expected;
  private final List<RespT> replies;
  private final CompletableFuture<List<RespT>> done = new CompletableFuture<>();
  private ClientCallStreamObserver<ReqT> requestStream;
  private boolean halfClosed;

  private BidiBatch(List<ReqT> requests) {
    this.pending = requests.iterator();
    this.expected = requests.size();
    this.replies = new ArrayList<>(requests.size());
  }

  /**
   * Runs a batch and waits for all its replies.
   *
   * @param start starts the call, for example {@code stub::insereVarias}
   * @param requests the requests, at least one
   * @return one reply per request, in order
   * @throws KvsException when the call fails, the caller is interrupted, or the server answers with
   *     a different number of replies
   */
  static <ReqT, RespT> List<RespT> run(
      Function<StreamObserver<RespT>, StreamObserver<ReqT>> start, List<ReqT> requests) {
    BidiBatch<ReqT, RespT> batch = new BidiBatch<>(requests);
    start.apply(batch);
    return batch.await();
  }

  private List<RespT> await() {
    try {
      return done.get();
    } catch (InterruptedException e) {
      requestStream.cancel("caller interrupted", e);
      Thread.currentThread().interrupt();
      throw new KvsException(Code.INTERRUPTED, "interrupted while waiting for the server", e);
    } catch (ExecutionException e) {
      throw GrpcErrors.translate(e.getCause());
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
    this.requestStream = requestStream;
    requestStream.setOnReadyHandler(this::sendWhileReady);
  }

  /** Runs on gRPC's executor, never concurrently with itself. */
  private void sendWhileReady() {
    while (requestStream.isReady() && pending.hasNext()) {
      requestStream.onNext(pending.next());
    }
    if (!pending.hasNext() && !halfClosed) {
      halfClosed = true;
      requestStream.onCompleted();
    }
  }

  @Override
  public void onNext(RespT reply) {
    replies.add(reply);
  }

  @Override
  public void onError(Throwable failure) {
    done.completeExceptionally(failure);
  }

  @Override
  public void onCompleted() {
    if (replies.size() != expected) {
      done.completeExceptionally(
          new KvsException(
              Code.SERVER_ERROR,
              "server sent " + replies.size() + " answers to " + expected + " requests"));
    } else {
      done.complete(replies);
    }
  }
}
