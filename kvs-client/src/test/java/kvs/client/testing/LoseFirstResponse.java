package kvs.client.testing;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets the first {@code count} calls of one method reach the service, then drops their answers and
 * fails them with UNAVAILABLE instead: a write applied by the server whose response was lost on the
 * way back.
 */
public final class LoseFirstResponse implements ServerInterceptor {

  private final String method;
  private final AtomicInteger remaining;

  /**
   * @param method the bare method name, for example {@code Insere}
   */
  public LoseFirstResponse(String method, int count) {
    this.method = method;
    this.remaining = new AtomicInteger(count);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!call.getMethodDescriptor().getBareMethodName().equals(method)
        || remaining.getAndDecrement() <= 0) {
      return next.startCall(call, headers);
    }
    ServerCall<ReqT, RespT> losing =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata headers) {}

          @Override
          public void sendMessage(RespT message) {}

          @Override
          public void close(Status status, Metadata trailers) {
            super.close(Status.UNAVAILABLE.withDescription("response lost"), new Metadata());
          }
        };
    return next.startCall(losing, headers);
  }
}
