package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;

/**
 * Where a streaming call's results go, in order. The call's observer calls it on the call's
 * executor, one method at a time; the sink asks the call for more with {@code request(n)} as it
 * makes room, which is what carries the consumer's pace back to the server.
 *
 * @param <R> the result type
 */
interface ResultSink<R> {

  /** How many results the call may deliver before the sink has asked for any. */
  int INITIAL_REQUEST = 16;

  /** Called once, before any other method, with the call to ask for more results or cancel. */
  void started(ClientCallStreamObserver<?> call);

  /** One result; the sink calls {@code request(1)} once it has room for another. */
  void result(R result);

  /** The call failed: a gRPC failure, a {@code KvsException}, or the caller's own exception. */
  void failed(Throwable failure);

  /** Every result was delivered. */
  void completed();
}
