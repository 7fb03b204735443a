package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;

/**
 * Where a streaming call's results go, in order. The call's observer calls it on the call's
 * executor, one method at a time. The call starts with a {@link RequestWindow} of results
 * requested, and the sink asks for more through its window as its consumer takes them, which is
 * what carries the consumer's pace back to the server.
 *
 * @param <R> the result type
 */
interface ResultSink<R> {

  /** Called once, before any other method, with the call to ask for more results or cancel. */
  void started(ClientCallStreamObserver<?> call);

  /** One result; the sink counts it {@linkplain RequestWindow#consumed() consumed} once it is. */
  void result(R result);

  /** The call failed: a gRPC failure, a {@code KvsException}, or the caller's own exception. */
  void failed(Throwable failure);

  /** Every result was delivered. */
  void completed();
}
