package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The asynchronous end of a streaming call: hands each result to the caller's consumer, counts it
 * consumed in the call's {@link RequestWindow} when the consumer returns (so the server runs at
 * most a window ahead of the consumer), and completes a future at the end. Cancelling the future
 * cancels the call; an exception from the consumer cancels the call and fails the future with it.
 *
 * @param <R> the result type
 */
final class ConsumerSink<R> implements ResultSink<R> {

  private final Consumer<? super R> consumer;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private ClientCallStreamObserver<?> call;
  private RequestWindow window;
  private Throwable consumerFailure;

  ConsumerSink(Consumer<? super R> consumer) {
    this.consumer = consumer;
  }

  CompletableFuture<Void> future() {
    return done;
  }

  @Override
  public void started(ClientCallStreamObserver<?> call) {
    this.call = call;
    this.window = new RequestWindow(call);
    done.whenComplete(
        (ignored, failure) -> {
          if (done.isCancelled()) {
            call.cancel("the caller cancelled the future", null);
          }
        });
  }

  @Override
  public void result(R result) {
    if (consumerFailure != null) {
      return;
    }
    try {
      consumer.accept(result);
    } catch (Throwable t) { // the caller's code: whatever it throws must reach the future
      consumerFailure = t;
      call.cancel("the result consumer failed", t);
      return;
    }
    window.consumed();
  }

  @Override
  public void failed(Throwable failure) {
    done.completeExceptionally(
        consumerFailure != null ? consumerFailure : GrpcErrors.forFuture(failure));
  }

  @Override
  public void completed() {
    done.complete(null);
  }
}
