package kvs.server.testing;

import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kvs.proto.KVSGrpc;

/** Runs one of the batch streams to the end: sends every request, collects every reply. */
public final class BidiCalls {
  private BidiCalls() {}

  /** Opens a bidi call on a stub, e.g. {@code KVSGrpc.KVSStub::insereVarias}. */
  public interface Call<Q, A> {
    StreamObserver<Q> open(KVSGrpc.KVSStub stub, StreamObserver<A> replies);
  }

  public static <Q, A> List<A> exchange(KVSGrpc.KVSStub stub, List<Q> requests, Call<Q, A> call)
      throws Exception {
    List<A> replies = new ArrayList<>();
    CompletableFuture<List<A>> done = new CompletableFuture<>();
    StreamObserver<Q> out =
        call.open(
            stub,
            new StreamObserver<A>() {
              @Override
              public synchronized void onNext(A value) {
                replies.add(value);
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public synchronized void onCompleted() {
                done.complete(replies);
              }
            });
    requests.forEach(out::onNext);
    out.onCompleted();
    return done.get(180, TimeUnit.SECONDS);
  }
}
