package kvs.server.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Times every gRPC call from its start to its close, by method and status. */
public final class CallMetrics implements ServerInterceptor {
  private final KvsMetrics metrics;

  public CallMetrics(KvsMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    long start = System.nanoTime();
    String method = call.getMethodDescriptor().getFullMethodName();
    return next.startCall(
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            metrics.call(method, status.getCode().name(), System.nanoTime() - start);
            super.close(status, trailers);
          }
        },
        headers);
  }
}
