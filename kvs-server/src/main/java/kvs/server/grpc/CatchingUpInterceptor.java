package kvs.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.BooleanSupplier;

/** Answers UNAVAILABLE ("catching up") while this server's state is not yet the cluster's. */
public final class CatchingUpInterceptor implements ServerInterceptor {
  private final BooleanSupplier caughtUp;

  public CatchingUpInterceptor(BooleanSupplier caughtUp) {
    this.caughtUp = caughtUp;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    if (!caughtUp.getAsBoolean()) {
      call.close(Status.UNAVAILABLE.withDescription("catching up"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
